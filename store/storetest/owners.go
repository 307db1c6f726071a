package storetest

import (
	"errors"
	"reflect"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

func ratio(f float64) *float64 { return &f }

// testOwnerFacts: what the beneficial-owner rules need is stored and read
// back: voting and income ratios of a holding (and their removal), the
// officer who manages day to day, and controls upserted by (controller,
// enterprise, basis); bad controls are refused naming the field.
func testOwnerFacts(t *testing.T, s store.Store) {
	load(t, s)
	write := func(b *store.Batch) {
		t.Helper()
		if err := s.WriteBatch(ctx(), b); err != nil {
			t.Fatalf("write %+v: %v", b, err)
		}
	}
	write(&store.Batch{
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(P1), Enterprise: G, Ratio: 0.2,
			VotingRatio: ratio(0.6), IncomeRatio: ratio(0.1), Since: d(2020, 1, 2)}},
		Roles: []models.Role{{Person: P2, Enterprise: G, Kind: models.RoleOfficer, Title: "general_manager", DayToDay: true}},
		Controls: []models.Control{
			{Controller: models.PersonRef(P3), Enterprise: G, Basis: models.ControlAgreement, Note: "VIE 2021", Since: d(2021, 3, 1)},
			{Controller: models.EnterpriseRef(F), Enterprise: G, Basis: models.ControlActingInConcert, Group: "aic-1"},
		},
	})
	edges, nodes, err := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(G)},
		[]models.RelType{models.RelHoldsShares, models.RelOfficerOf, models.RelControls})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]store.Edge{}
	for _, e := range edges {
		byID[e.ID()] = e
	}
	hold := byID["person:"+P1+"-HOLDS_SHARES->enterprise:"+G]
	if hold.Props["voting_ratio"] != 0.6 || hold.Props["income_ratio"] != 0.1 || hold.Props["ratio"] != 0.2 {
		t.Errorf("holding props %v, want ratio 0.2, voting_ratio 0.6, income_ratio 0.1", hold.Props)
	}
	off := byID["person:"+P2+"-OFFICER_OF->enterprise:"+G+"#general_manager"]
	if off.Props["day_to_day"] != true {
		t.Errorf("officer props %v, want day_to_day true", off.Props)
	}
	agree := byID["person:"+P3+"-CONTROLS->enterprise:"+G+"#agreement"]
	if got := store.ControlOf(agree); got.Basis != models.ControlAgreement || got.Note != "VIE 2021" || got.Since != d(2021, 3, 1) {
		t.Errorf("control by agreement read back as %+v (edges %v)", got, edgeIDs(edges))
	}
	aic := byID["enterprise:"+F+"-CONTROLS->enterprise:"+G+"#acting_in_concert"]
	if got := store.ControlOf(aic); got.Group != "aic-1" {
		t.Errorf("acting-in-concert control read back as %+v", got)
	}
	if _, ok := nodes[models.EnterpriseRef(F)]; !ok {
		t.Error("Expand did not return the controlling enterprise's node")
	}

	// Upserts: the holding without its voting ratio loses it; the control
	// of the same (controller, enterprise, basis) is replaced, another
	// basis is another control; the day-to-day mark can be cleared.
	write(&store.Batch{
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(P1), Enterprise: G, Ratio: 0.2, IncomeRatio: ratio(0.3)}},
		Roles:         []models.Role{{Person: P2, Enterprise: G, Kind: models.RoleOfficer, Title: "general_manager"}},
		Controls: []models.Control{
			{Controller: models.PersonRef(P3), Enterprise: G, Basis: models.ControlAgreement, Note: "VIE 2023"},
			{Controller: models.PersonRef(P3), Enterprise: G, Basis: models.ControlOther},
		},
	})
	edges, _, err = s.Expand(ctx(), []models.Ref{models.EnterpriseRef(G)},
		[]models.RelType{models.RelHoldsShares, models.RelOfficerOf, models.RelControls})
	if err != nil {
		t.Fatal(err)
	}
	var controls []models.Control
	for _, e := range edges {
		switch {
		case e.Type == models.RelControls:
			controls = append(controls, store.ControlOf(e))
		case e.ID() == "person:"+P1+"-HOLDS_SHARES->enterprise:"+G:
			if _, has := e.Props["voting_ratio"]; has || e.Props["income_ratio"] != 0.3 {
				t.Errorf("holding props after the upsert %v, want no voting_ratio and income_ratio 0.3", e.Props)
			}
		case e.Type == models.RelOfficerOf && e.From.Key == P2:
			if _, has := e.Props["day_to_day"]; has {
				t.Errorf("day_to_day kept after a row without it: %v", e.Props)
			}
		}
	}
	if len(controls) != 3 {
		t.Fatalf("%d controls after the upsert, want 3 (agreement replaced, other added, acting in concert kept): %+v", len(controls), controls)
	}
	for _, c := range controls {
		if c.Basis == models.ControlAgreement && (c.Note != "VIE 2023" || !c.Since.IsZero()) {
			t.Errorf("the control by agreement was not replaced: %+v", c)
		}
	}

	for _, bad := range []models.Control{
		{Controller: models.PersonRef(P1), Enterprise: G, Basis: models.ControlActingInConcert},
		{Controller: models.PersonRef(P1), Enterprise: G, Basis: "vie"},
		{Controller: models.EnterpriseRef(G), Enterprise: G, Basis: models.ControlAgreement},
	} {
		err := s.WriteBatch(ctx(), &store.Batch{Controls: []models.Control{bad}})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("control %+v: %v, want ErrInvalid", bad, err)
		}
	}
	err = s.WriteBatch(ctx(), &store.Batch{Shareholdings: []models.Shareholding{{Holder: models.PersonRef(P1), Enterprise: G, Ratio: 0.2, VotingRatio: ratio(1.5)}}})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("voting_ratio 1.5: %v, want ErrInvalid", err)
	}
	if !reflect.DeepEqual(store.ControlOf(store.ControlEdge(controls[0])), controls[0]) {
		t.Errorf("ControlOf(ControlEdge(c)) changed %+v", controls[0])
	}

	// The scan gives them too (small pages: rows of one enterprise span pages).
	var all store.Batch
	if err := s.Scan(ctx(), 3, func(b *store.Batch) error {
		if b.Len() > 3 {
			t.Errorf("page of %d rows, want at most 3", b.Len())
		}
		all.Append(b)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	income := false
	for _, sh := range all.Shareholdings {
		income = income || (sh.Holder == models.PersonRef(P1) && sh.Enterprise == G && sh.VotingRatio == nil && sh.IncomeRatio != nil && *sh.IncomeRatio == 0.3)
	}
	if !income || len(all.Controls) != 3 {
		t.Errorf("scan: income ratio %v, %d controls %+v; want the holding's income_ratio 0.3 and 3 controls", income, len(all.Controls), all.Controls)
	}
	if err := s.WriteBatch(ctx(), &store.Batch{Roles: []models.Role{{Person: P2, Enterprise: G, Kind: models.RoleOfficer, Title: "general_manager", DayToDay: true}}}); err != nil {
		t.Fatal(err)
	}
	all = store.Batch{}
	if err := s.Scan(ctx(), 100, func(b *store.Batch) error { all.Append(b); return nil }); err != nil {
		t.Fatal(err)
	}
	daily := false
	for _, r := range all.Roles {
		daily = daily || (r.Person == P2 && r.Enterprise == G && r.DayToDay)
	}
	if !daily {
		t.Error("scan: the day_to_day mark is missing")
	}
}
