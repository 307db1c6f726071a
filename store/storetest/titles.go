package storetest

import (
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// testTitleText: an appointment keeps the free text its canonical title
// came from (TitleText), shows it on its edge as "title_text", and gives it
// back from a scan. The text is not part of the appointment's identity
// (person, enterprise, kind, canonical title): a second text for the same
// title replaces the first, and a write without one removes it.
func testTitleText(t *testing.T, s store.Store) {
	load(t, s)
	write := func(rs ...models.Role) {
		t.Helper()
		if err := s.WriteBatch(ctx(), &store.Batch{Roles: rs}); err != nil {
			t.Fatalf("write roles %+v: %v", rs, err)
		}
	}
	officer := func(title, text string) models.Role {
		return models.Role{Person: P1, Enterprise: G, Kind: models.RoleOfficer, Title: title, TitleText: text, Since: d(2020, 1, 1)}
	}
	expand := func() map[string]any {
		t.Helper()
		edges, _, err := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(G)}, []models.RelType{models.RelOfficerOf})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]any{}
		for _, e := range edges {
			got[e.Props["title"].(string)] = e.Props["title_text"]
		}
		return got
	}
	scanned := func() map[string]string {
		t.Helper()
		got := map[string]string{}
		err := s.Scan(ctx(), 100, func(b *store.Batch) error {
			for _, r := range b.Roles {
				if r.Enterprise == G {
					got[r.Title] = r.TitleText
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	write(officer("executive_director", "执行董事兼总经理"), officer("supervisor", ""))
	if got := expand(); len(got) != 2 || got["executive_director"] != "执行董事兼总经理" || got["supervisor"] != nil {
		t.Errorf("Expand(G, OFFICER_OF) title → title_text: %v, want executive_director → 执行董事兼总经理 and supervisor without one", got)
	}
	if got := scanned(); len(got) != 2 || got["executive_director"] != "执行董事兼总经理" || got["supervisor"] != "" {
		t.Errorf("Scan roles of G title → text: %v", got)
	}

	// Another text for the same canonical title: the same appointment, text replaced.
	write(officer("executive_director", "执行董事"))
	if got := expand(); len(got) != 2 || got["executive_director"] != "执行董事" {
		t.Errorf("after a second text: %v, want one executive_director with 执行董事", got)
	}
	// No text: the old one goes.
	write(officer("executive_director", ""))
	if got := expand(); len(got) != 2 || got["executive_director"] != nil {
		t.Errorf("after a write without text: %v, want no title_text", got)
	}
	if got := scanned(); got["executive_director"] != "" {
		t.Errorf("Scan after a write without text: %v", got)
	}
	// The fixture's appointments, written without text, show none.
	edges, _, _ := s.Expand(ctx(), []models.Ref{models.PersonRef(P2)}, []models.RelType{models.RelOfficerOf})
	for _, e := range edges {
		if _, ok := e.Props["title_text"]; ok {
			t.Errorf("officer edge of P2 has a title_text: %v", e.Props)
		}
	}
}
