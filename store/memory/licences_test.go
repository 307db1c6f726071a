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

// TestLicenceMoves: an enterprise's licences are a chain through the rows;
// moving the first, a middle and the last licence of a chain to another
// enterprise (and one back) leaves both chains with exactly their
// licences, also after a restart that replays the journal.
func TestLicenceMoves(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	const a, b = "91440305QEFLCR63FR", "914403004JURQ283F0"
	lic := func(id, ent string) models.Licence {
		return models.Licence{ID: id, Enterprise: ent, Name: "许可 " + id, Decided: models.NewDate(2024, 1, 1)}
	}
	s := openDirStore(t, dir)
	write := func(ls ...models.Licence) {
		t.Helper()
		if err := s.WriteBatch(ctx, &store.Batch{Licences: ls}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(ent string) []string {
		t.Helper()
		ls, err := s.Licences(ctx, ent)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range ls {
			if l.Enterprise != ent {
				t.Errorf("licence %s of %s says it is %s's", l.ID, ent, l.Enterprise)
			}
			out = append(out, l.ID)
		}
		return out
	}
	check := func(when string, wantA, wantB []string) {
		t.Helper()
		if got := ids(a); !reflect.DeepEqual(got, wantA) {
			t.Errorf("%s: A has %v, want %v", when, got, wantA)
		}
		if got := ids(b); !reflect.DeepEqual(got, wantB) {
			t.Errorf("%s: B has %v, want %v", when, got, wantB)
		}
	}
	write(lic("l1", a), lic("l2", a), lic("l3", a), lic("l4", a), lic("l5", a))
	// The chain is newest first: l5 l4 l3 l2 l1. Move a middle one, the
	// last, the first.
	write(lic("l3", b))
	check("l3 moved", []string{"l1", "l2", "l4", "l5"}, []string{"l3"})
	write(lic("l1", b))
	check("l1 moved", []string{"l2", "l4", "l5"}, []string{"l1", "l3"})
	write(lic("l5", b))
	check("l5 moved", []string{"l2", "l4"}, []string{"l1", "l3", "l5"})
	write(lic("l3", a), lic("l2", a)) // back, and one written again in place
	check("l3 back", []string{"l2", "l3", "l4"}, []string{"l1", "l5"})
	s.Close()
	s = openDirStore(t, dir)
	defer s.Close()
	check("after a restart", []string{"l2", "l3", "l4"}, []string{"l1", "l5"})
}
