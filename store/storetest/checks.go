package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"riskgraph/store"
)

// testChecks: credit checks round-trip with their bodies byte for byte,
// are never replaced (an existing id, or one given twice, is refused and
// nothing of that call is stored), and are counted by scenario and
// verdict, filtered by scenario and since.
func testChecks(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 2, 7, 0, 0, 123456789, time.UTC)
	mk := func(id, scenario, verdict string, at time.Time) store.CreditCheck {
		return store.CreditCheck{ID: id, Created: at, KeyID: "k1", Scenario: scenario, Subject: "enterprise:" + C,
			Verdict: verdict, Catalogue: "2026.1", EvidenceSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Body: json.RawMessage(fmt.Sprintf(`{"id":%q,"result":{"verdict":%q,"名称":"深圳市南山区云帆科技有限公司"}}`, id, verdict))}
	}
	first := []store.CreditCheck{
		mk("chk-1", "bidding", "prohibited", t0),
		mk("chk-2", "bidding", "clear", t0.Add(time.Hour)),
		mk("chk-3", "bidding", "clear", t0.Add(2*time.Hour)),
		mk("chk-4", "honours", "restricted", t0.Add(3*time.Hour)),
	}
	if err := s.SaveChecks(ctx(), first); err != nil {
		t.Fatal(err)
	}
	got, err := s.Check(ctx(), "chk-1")
	if err != nil {
		t.Fatal(err)
	}
	want := first[0]
	if string(got.Body) != string(want.Body) {
		t.Errorf("body changed on the way:\n got  %s\n want %s", got.Body, want.Body)
	}
	if !got.Created.Equal(want.Created) {
		t.Errorf("created %v, want %v", got.Created, want.Created)
	}
	got.Body, got.Created, want.Body, want.Created = nil, time.Time{}, nil, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("check:\n got  %+v\n want %+v", got, want)
	}
	if _, err := s.Check(ctx(), "chk-9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown check: %v, want ErrNotFound", err)
	}
	// Never replaced; a refused call stores none of its checks.
	again := mk("chk-1", "bidding", "clear", t0)
	if err := s.SaveChecks(ctx(), []store.CreditCheck{mk("chk-5", "bidding", "clear", t0), again}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("saving an existing id: %v, want ErrInvalid", err)
	}
	if _, err := s.Check(ctx(), "chk-5"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("chk-5 was stored although its call was refused: %v", err)
	}
	if got, _ := s.Check(ctx(), "chk-1"); string(got.Body) != string(first[0].Body) {
		t.Errorf("chk-1 was replaced: %s", got.Body)
	}
	twice := []store.CreditCheck{mk("chk-6", "bidding", "clear", t0), mk("chk-6", "bidding", "clear", t0)}
	if err := s.SaveChecks(ctx(), twice); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an id given twice: %v, want ErrInvalid", err)
	}
	noBody := mk("chk-7", "bidding", "clear", t0)
	noBody.Body = nil
	if err := s.SaveChecks(ctx(), []store.CreditCheck{noBody}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a check without body: %v, want ErrInvalid", err)
	}
	for _, tc := range []struct {
		q    store.CheckQuery
		want []store.CheckCount
	}{
		{store.CheckQuery{}, []store.CheckCount{{Scenario: "bidding", Verdict: "clear", Count: 2}, {Scenario: "bidding", Verdict: "prohibited", Count: 1}, {Scenario: "honours", Verdict: "restricted", Count: 1}}},
		{store.CheckQuery{Scenario: "bidding"}, []store.CheckCount{{Scenario: "bidding", Verdict: "clear", Count: 2}, {Scenario: "bidding", Verdict: "prohibited", Count: 1}}},
		{store.CheckQuery{Since: t0.Add(time.Hour)}, []store.CheckCount{{Scenario: "bidding", Verdict: "clear", Count: 2}, {Scenario: "honours", Verdict: "restricted", Count: 1}}},
		{store.CheckQuery{Scenario: "honours", Since: t0.Add(4 * time.Hour)}, []store.CheckCount{}},
	} {
		got, err := s.CheckCounts(ctx(), tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("CheckCounts(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	// A batch of many checks (one procurement's bidders) is stored whole.
	var many []store.CreditCheck
	for i := range 1200 {
		many = append(many, mk(fmt.Sprintf("bulk-%04d", i), "government_procurement", "clear", t0))
	}
	if err := s.SaveChecks(ctx(), many); err != nil {
		t.Fatal(err)
	}
	counts, err := s.CheckCounts(ctx(), store.CheckQuery{Scenario: "government_procurement"})
	if err != nil || len(counts) != 1 || counts[0].Count != 1200 {
		t.Errorf("bulk counts: %v %v, want 1200 clear", counts, err)
	}
}
