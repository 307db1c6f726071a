package memory

import (
	"context"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// TestOwnerFactsSurvive: voting and income ratios, the day-to-day mark and
// controls survive a restart (journal replay) and a compaction, and the
// scan gives them (dump reads the scan).
func TestOwnerFactsSurvive(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, in := 0.6, 0.1
	b := storetest.Fixture()
	b.Shareholdings[0].VotingRatio, b.Shareholdings[0].IncomeRatio = &v, &in
	b.Roles = append(b.Roles, models.Role{Person: storetest.P2, Enterprise: storetest.G, Kind: models.RoleOfficer, Title: "general_manager", DayToDay: true})
	b.Controls = []models.Control{
		{Controller: models.PersonRef(storetest.P3), Enterprise: storetest.G, Basis: models.ControlAgreement, Note: "VIE", Since: models.NewDate(2021, 3, 1)},
		{Controller: models.EnterpriseRef(storetest.F), Enterprise: storetest.G, Basis: models.ControlActingInConcert, Group: "g1"},
	}
	if err := s.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	want := dump(t, s)
	var all store.Batch
	if err := s.Scan(ctx, 3, func(p *store.Batch) error { all.Append(p); return nil }); err != nil {
		t.Fatal(err)
	}
	voting, daily := false, false
	for _, sh := range all.Shareholdings {
		voting = voting || (sh.VotingRatio != nil && *sh.VotingRatio == 0.6 && sh.IncomeRatio != nil && *sh.IncomeRatio == 0.1)
	}
	for _, r := range all.Roles {
		daily = daily || r.DayToDay
	}
	if len(all.Controls) != 2 || !voting || !daily {
		t.Fatalf("scan: %d controls, voting/income %v, day_to_day %v", len(all.Controls), voting, daily)
	}
	s.Close()
	s, err = openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(t, s); got != want {
		t.Errorf("after a restart:\n got %s\nwant %s", got, want)
	}
	if _, err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := dump(t, s); got != want {
		t.Errorf("after a compaction:\n got %s\nwant %s", got, want)
	}
}
