package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// testCreditFile: commitments, objections and repairs round-trip whole;
// an objection is decided once (upheld with an outcome, or rejected), a
// record has one open objection and one repair at most; every write
// advances the data generation; look-ups filter by subject and record.
func testCreditFile(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	day := func(s string) models.Date { d, _ := models.ParseDate(s); return d }
	gen := func() uint64 {
		g, err := s.Generation(ctx())
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g0 := gen()
	c1 := store.Commitment{ID: "cm-1", Subject: "enterprise:" + B, Scenario: "bidding", Text: "如实提供投标材料，恪守承诺",
		Date: day("2025-01-01"), ValidUntil: day("2026-12-31"), Created: t0, KeyID: "k1"}
	c2 := c1
	c2.ID, c2.Subject, c2.Date = "cm-2", "enterprise:"+C, day("2024-06-01")
	for _, c := range []store.Commitment{c1, c2} {
		if err := s.SaveCommitment(ctx(), c); err != nil {
			t.Fatal(err)
		}
	}
	if gen() == g0 {
		t.Error("saving a commitment did not advance the generation")
	}
	if err := s.SaveCommitment(ctx(), c1); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an existing commitment id: %v, want ErrInvalid", err)
	}
	bad := c1
	bad.ID, bad.ValidUntil = "cm-3", day("2024-01-01")
	if err := s.SaveCommitment(ctx(), bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a window that ends before it starts: %v, want ErrInvalid", err)
	}
	all, err := s.Commitments(ctx(), "")
	if err != nil || len(all) != 2 || all[0].ID != "cm-2" || all[1].ID != "cm-1" {
		t.Fatalf("all commitments (by date): %+v %v", all, err)
	}
	mine, _ := s.Commitments(ctx(), "enterprise:"+B)
	if len(mine) != 1 || !reflect.DeepEqual(mine[0].Text, c1.Text) || !mine[0].Created.Equal(t0) || mine[0].ValidUntil != c1.ValidUntil || mine[0].KeyID != "k1" {
		t.Errorf("commitments of B: %+v", mine)
	}

	o1 := store.Objection{ID: "ob-1", RecordID: "r-b-1", Subject: "enterprise:" + B, Reason: "处罚决定已被复议撤销",
		Attachments: []string{"att:复议决定书.pdf"}, Filed: t0, FiledBy: "k1", Status: store.ObjectionOpen}
	if err := s.FileObjection(ctx(), o1); err != nil {
		t.Fatal(err)
	}
	o2 := o1
	o2.ID = "ob-2"
	if err := s.FileObjection(ctx(), o2); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second open objection: %v, want ErrConflict", err)
	}
	g1 := gen()
	if _, err := s.DecideObjection(ctx(), "ob-9", store.ObjectionDecision{Status: store.ObjectionRejected, By: "k2", At: t0}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deciding an unknown objection: %v, want ErrNotFound", err)
	}
	if _, err := s.DecideObjection(ctx(), "ob-1", store.ObjectionDecision{Status: store.ObjectionUpheld, Outcome: "erased", By: "k2", At: t0}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an unknown outcome: %v, want ErrInvalid", err)
	}
	sev := 0.2
	at := t0.Add(48 * time.Hour)
	got, err := s.DecideObjection(ctx(), "ob-1", store.ObjectionDecision{Status: store.ObjectionUpheld, Outcome: store.OutcomeCorrected,
		Severity: &sev, Note: "金额更正", By: "k2", At: at})
	if err != nil || got.Status != store.ObjectionUpheld || got.Outcome != store.OutcomeCorrected || got.Severity == nil || *got.Severity != 0.2 ||
		got.DecidedBy != "k2" || !got.Decided.Equal(at) {
		t.Fatalf("decided: %+v %v", got, err)
	}
	if gen() == g1 {
		t.Error("deciding an objection did not advance the generation")
	}
	if _, err := s.DecideObjection(ctx(), "ob-1", store.ObjectionDecision{Status: store.ObjectionRejected, By: "k2", At: at}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("deciding twice: %v, want ErrConflict", err)
	}
	// Decided, the record may be objected to again.
	if err := s.FileObjection(ctx(), o2); err != nil {
		t.Errorf("an objection after the first was decided: %v", err)
	}

	r1 := store.Repair{ID: "rp-1", RecordID: "r-c-1", Subject: "enterprise:" + C, Date: day("2026-02-01"), Basis: "已履行行政处罚决定并公开作出信用承诺", Created: t0, KeyID: "k1"}
	if err := s.SaveRepair(ctx(), r1); err != nil {
		t.Fatal(err)
	}
	again := r1
	again.ID = "rp-2"
	if err := s.SaveRepair(ctx(), again); !errors.Is(err, store.ErrConflict) {
		t.Errorf("repairing twice: %v, want ErrConflict", err)
	}
	if err := s.SaveRepair(ctx(), store.Repair{ID: "rp-3", RecordID: "r-x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a repair without date and basis: %v, want ErrInvalid", err)
	}

	os, rs, err := s.RecordFiles(ctx(), nil)
	if err != nil || len(os) != 2 || len(rs) != 1 {
		t.Fatalf("every record's file: %+v %+v %v", os, rs, err)
	}
	if os[0].ID != "ob-1" || !reflect.DeepEqual(os[0].Attachments, o1.Attachments) || !os[0].Filed.Equal(t0) || os[1].Status != store.ObjectionOpen {
		t.Errorf("objections: %+v", os)
	}
	if rs[0] != r1 && !(rs[0].ID == r1.ID && rs[0].Date == r1.Date && rs[0].Basis == r1.Basis && rs[0].Created.Equal(t0)) {
		t.Errorf("repair: %+v, want %+v", rs[0], r1)
	}
	os, rs, _ = s.RecordFiles(ctx(), []string{"r-c-1"})
	if len(os) != 0 || len(rs) != 1 {
		t.Errorf("the file of r-c-1: %+v %+v", os, rs)
	}
	os, rs, _ = s.RecordFiles(ctx(), []string{})
	if len(os) != 0 || len(rs) != 0 {
		t.Errorf("the file of no record: %+v %+v", os, rs)
	}
}
