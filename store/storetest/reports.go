package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"riskgraph/store"
)

// testReports: reports round-trip with their bodies (larger than one
// Neo4j chunk), list newest first without bodies, replace by id, and carry
// a delivery status.
func testReports(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	big := bytes.Repeat([]byte("企业风险报告0123456789"), 1<<17) // ≈ 3.5 MB: several chunks
	a := store.Report{ID: "rpt-a", Created: t0, Run: "run-2", Against: "run-1", Summary: json.RawMessage(`{"entered_cd":2}`), Body: big}
	b := store.Report{ID: "rpt-b", Created: t0.Add(time.Hour), Run: "run-3", Against: "run-2", Scope: "region=44", Body: []byte(`{"x":1}`)}
	for _, r := range []store.Report{a, b} {
		if err := s.SaveReport(ctx(), r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Report(ctx(), "rpt-a")
	if err != nil || got.Run != "run-2" || got.Against != "run-1" || !bytes.Equal(got.Body, big) ||
		!jsonEqual(got.Summary, a.Summary) || !got.Created.Equal(t0) {
		t.Fatalf("report a: %v, body %d bytes (want %d), %+v", err, len(got.Body), len(big), got.Summary)
	}
	list, err := s.Reports(ctx(), 10)
	if err != nil || len(list) != 2 || list[0].ID != "rpt-b" || list[1].ID != "rpt-a" || list[0].Body != nil || list[0].Scope != "region=44" {
		t.Errorf("Reports: %+v, %v; want b then a, no bodies", list, err)
	}
	if list, _ := s.Reports(ctx(), 1); len(list) != 1 {
		t.Errorf("limit 1: %d reports", len(list))
	}
	// Replacing keeps one report and the new body.
	a.Body = []byte(`{"y":2}`)
	if err := s.SaveReport(ctx(), a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Report(ctx(), "rpt-a"); string(got.Body) != `{"y":2}` {
		t.Errorf("replaced body: %q", got.Body)
	}
	if list, _ := s.Reports(ctx(), 10); len(list) != 2 {
		t.Errorf("after replace: %d reports", len(list))
	}
	del := json.RawMessage(`{"status":"failed","attempts":3}`)
	if err := s.SetReportDelivery(ctx(), "rpt-a", del); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Report(ctx(), "rpt-a"); !jsonEqual(got.Delivery, del) {
		t.Errorf("delivery: %s", got.Delivery)
	}
	if err := s.SetReportDelivery(ctx(), "nope", del); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delivery of unknown report: %v", err)
	}
	if _, err := s.Report(ctx(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown report: %v", err)
	}
	if err := s.SaveReport(ctx(), store.Report{ID: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("report without run: %v", err)
	}
}

// testSnapshots: run snapshots round-trip byte for byte and are replaced.
func testSnapshots(t *testing.T, s store.Store) {
	data := make([]byte, 2<<20+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := s.SaveSnapshot(ctx(), "run-1", data); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Snapshot(ctx(), "run-1"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("snapshot: %v, %d bytes, want %d", err, len(got), len(data))
	}
	if err := s.SaveSnapshot(ctx(), "run-1", []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Snapshot(ctx(), "run-1"); !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Errorf("replaced snapshot: %v", got)
	}
	if _, err := s.Snapshot(ctx(), "run-0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing snapshot: %v", err)
	}
	if err := s.SaveSnapshot(ctx(), "", data); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("snapshot without run: %v", err)
	}
	if err := s.SaveSnapshot(ctx(), "run-2", data); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSnapshot(ctx(), "run-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot(ctx(), "run-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted snapshot: %v", err)
	}
	if got, err := s.Snapshot(ctx(), "run-2"); err != nil || !bytes.Equal(got, data) {
		t.Errorf("deleting run-1's snapshot touched run-2's: %v, %d bytes", err, len(got))
	}
	if err := s.DeleteSnapshot(ctx(), "run-1"); err != nil {
		t.Errorf("deleting a missing snapshot: %v", err)
	}
}

// testWatchlists: save, replace, list oldest first, delete.
func testWatchlists(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	w1 := store.Watchlist{ID: "w1", Name: "深圳重点企业", Owner: "k1", Keys: []string{B, C}, Created: t0.Add(time.Minute)}
	w2 := store.Watchlist{ID: "w2", Name: "empty", Keys: []string{}, Created: t0}
	for _, w := range []store.Watchlist{w1, w2} {
		if err := s.SaveWatchlist(ctx(), w); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Watchlist(ctx(), "w1")
	if err != nil || got.Name != w1.Name || got.Owner != "k1" || !slices.Equal(got.Keys, w1.Keys) || !got.Created.Equal(w1.Created) {
		t.Errorf("w1: %+v, %v", got, err)
	}
	w1.Keys = []string{D}
	if err := s.SaveWatchlist(ctx(), w1); err != nil {
		t.Fatal(err)
	}
	all, err := s.Watchlists(ctx())
	if err != nil || len(all) != 2 || all[0].ID != "w2" || all[1].ID != "w1" || !slices.Equal(all[1].Keys, []string{D}) || len(all[0].Keys) != 0 {
		t.Errorf("Watchlists: %+v, %v", all, err)
	}
	if err := s.DeleteWatchlist(ctx(), "w2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWatchlist(ctx(), "w2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := s.Watchlist(ctx(), "w2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted watch-list: %v", err)
	}
	if err := s.SaveWatchlist(ctx(), store.Watchlist{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("watch-list without id: %v", err)
	}
}
