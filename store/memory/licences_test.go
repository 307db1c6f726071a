package memory

import (
	"context"
	"reflect"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// TestLicencesAndCreditReportsSurvive: licences and issued credit reports
// are replayed from the journal after a restart, and again after Compact
// rewrote it, with the data generation unchanged by the compaction.
func TestLicencesAndCreditReportsSurvive(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *Store { return openDirStore(t, dir) }
	key := "91440305QEFLCR63FR"
	lic := models.Licence{ID: "lic-1", Enterprise: key, Name: "食品经营许可证", Authority: "南山监管局",
		Decided: models.NewDate(2024, 3, 5), ValidTo: models.NewDate(2029, 3, 4)}
	rep := store.CreditReport{Number: "CR20261102-01", Created: time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC),
		Subject: "enterprise:" + key, SHA256: "ab", Body: []byte(`{"number":"CR20261102-01"}`)}
	s := open()
	if err := s.WriteBatch(ctx, &store.Batch{Licences: []models.Licence{lic}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCreditReport(ctx, rep); err != nil {
		t.Fatal(err)
	}
	gen, _ := s.Generation(ctx)
	check := func(s *Store, when string) {
		t.Helper()
		if got, err := s.Licences(ctx, key); err != nil || !reflect.DeepEqual(got, []models.Licence{lic}) {
			t.Errorf("%s: licences %+v, %v", when, got, err)
		}
		if got, err := s.CreditReport(ctx, rep.Number); err != nil || string(got.Body) != string(rep.Body) {
			t.Errorf("%s: report %+v, %v", when, got, err)
		}
		if g, _ := s.Generation(ctx); g != gen {
			t.Errorf("%s: generation %d, want %d", when, g, gen)
		}
	}
	s.Close()
	s = open()
	check(s, "after a restart")
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open()
	defer s.Close()
	check(s, "after compaction and a restart")
}
