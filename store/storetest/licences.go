package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// testLicences: licences round-trip field for field, newest decision
// first; a licence written again is replaced, and moves when its
// enterprise changes; an unknown enterprise becomes a placeholder; a
// batch with a bad licence writes nothing; and licences stay out of the
// graph: no relationship, no record, not in Expand.
func testLicences(t *testing.T, s store.Store) {
	l1 := models.Licence{ID: "深市监许〔2024〕118号", Enterprise: C, Number: "JY14403050012345", Name: "食品经营许可证",
		DocNo: "深市监许〔2024〕118号", Content: "预包装食品销售（含冷藏冷冻食品）", Authority: "深圳市市场监督管理局南山监管局",
		Decided: models.NewDate(2024, 3, 5), ValidFrom: models.NewDate(2024, 3, 5), ValidTo: models.NewDate(2029, 3, 4)}
	l2 := models.Licence{ID: "lic-2", Enterprise: C, Name: "道路运输经营许可证", Decided: models.NewDate(2025, 6, 1), MatchScore: 0.93}
	l3 := models.Licence{ID: "lic-3", Enterprise: "91110108MA01XXXX0Q", Name: "排污许可证", Decided: models.NewDate(2023, 1, 1)}
	if err := s.WriteBatch(ctx(), &store.Batch{
		Enterprises: []models.Enterprise{{Key: C, USCC: C, Name: "深圳市南山区云帆科技有限公司"}},
		Licences:    []models.Licence{l1, l2, l3},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Licences(ctx(), C)
	if err != nil {
		t.Fatal(err)
	}
	if want := []models.Licence{l2, l1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Licences(C):\n got  %+v\n want %+v", got, want)
	}
	// The holder of lic-3 did not exist: it is a placeholder now.
	if e, err := s.Enterprise(ctx(), l3.Enterprise); err != nil || !e.Placeholder {
		t.Errorf("the enterprise of a licence is not a placeholder: %+v, %v", e, err)
	}
	// Replaced by id, and moved to another enterprise.
	l2b := l2
	l2b.Enterprise, l2b.ValidTo, l2b.MatchScore = l3.Enterprise, models.NewDate(2030, 5, 31), 0
	if err := s.WriteBatch(ctx(), &store.Batch{Licences: []models.Licence{l2b}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Licences(ctx(), C); !reflect.DeepEqual(got, []models.Licence{l1}) {
		t.Errorf("after moving lic-2, C has %+v", got)
	}
	if got, _ := s.Licences(ctx(), l3.Enterprise); !reflect.DeepEqual(got, []models.Licence{l2b, l3}) {
		t.Errorf("after moving lic-2, the other enterprise has %+v", got)
	}
	if got, err := s.Licences(ctx(), "91440300NOLICENCES"); err != nil || len(got) != 0 {
		t.Errorf("an enterprise without licences: %v, %v", got, err)
	}
	// A bad licence refuses the whole batch.
	bad := models.Licence{ID: "lic-bad", Enterprise: C, Name: "x", ValidFrom: models.NewDate(2025, 1, 2), ValidTo: models.NewDate(2025, 1, 1)}
	err = s.WriteBatch(ctx(), &store.Batch{Enterprises: []models.Enterprise{{Key: D, USCC: D, Name: "北京某某有限公司"}}, Licences: []models.Licence{bad}})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("valid_to before valid_from: %v, want ErrInvalid", err)
	}
	if _, err := s.Enterprise(ctx(), D); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused batch wrote its enterprise: %v", err)
	}
	// Licences are not part of the graph.
	edges, _, err := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(C)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(edges) != 0 {
		t.Errorf("licences show in Expand: %+v", edges)
	}
	if recs, _ := s.Records(ctx(), models.EnterpriseRef(C)); len(recs) != 0 {
		t.Errorf("licences show as records: %+v", recs)
	}
}

// testCreditReports: an issued report round-trips with its body byte for
// byte, is never replaced, and an unknown number is ErrNotFound.
func testCreditReports(t *testing.T, s store.Store) {
	at := time.Date(2026, 11, 2, 7, 0, 0, 123456789, time.UTC)
	r := store.CreditReport{Number: "CR20261102-0a1b2c3d4e", Created: at, Subject: "enterprise:" + C, KeyID: "k1",
		Run: "run-1", Catalogue: "2026.1", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Body: []byte(`{"number":"CR20261102-0a1b2c3d4e","subject":{"name":"深圳市南山区云帆科技有限公司"},"x":"<&>"}`)}
	if err := s.SaveCreditReport(ctx(), r); err != nil {
		t.Fatal(err)
	}
	got, err := s.CreditReport(ctx(), r.Number)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Body) != string(r.Body) || !got.Created.Equal(at) {
		t.Errorf("report changed on the way: %s at %v", got.Body, got.Created)
	}
	got.Body, got.Created, r.Body, r.Created = nil, time.Time{}, nil, time.Time{}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("report:\n got  %+v\n want %+v", got, r)
	}
	again := r
	again.Body, again.SHA256 = []byte(`{"tampered":true}`), "00"
	if err := s.SaveCreditReport(ctx(), again); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("saving an existing number: %v, want ErrInvalid", err)
	}
	if got, _ := s.CreditReport(ctx(), r.Number); got.SHA256 != r.SHA256 {
		t.Errorf("the report was replaced: %+v", got)
	}
	if _, err := s.CreditReport(ctx(), "CR-unknown"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown number: %v, want ErrNotFound", err)
	}
	noBody := store.CreditReport{Number: "CR-2", Subject: "enterprise:" + C, SHA256: "00"}
	if err := s.SaveCreditReport(ctx(), noBody); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a report without body: %v, want ErrInvalid", err)
	}
}
