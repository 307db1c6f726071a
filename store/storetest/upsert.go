package storetest

import (
	"fmt"
	"slices"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// testUpsertAtHighDegree: a relationship written again replaces the one with
// its identity — type and endpoints, plus the title of an appointment, the
// kind of a relation, the basis of a control — whichever endpoint has more
// relationships, whichever way round a relation is given, and when the same
// identity comes twice in one batch (the last one wins). A backend that
// finds identities through adjacency lists (the memory store) is held to
// the same answers as one with a map or MERGE.
func testUpsertAtHighDegree(t *testing.T, s store.Store) {
	const (
		hub   = "src:t:hub"   // has many relationships
		small = "src:t:small" // has few
		n     = 150
	)
	pid := func(i int) string { return fmt.Sprintf("%032x", 0xabc000+i) }
	write := func(ratio float64, since models.Date) {
		t.Helper()
		b := &store.Batch{Enterprises: []models.Enterprise{
			{Key: hub, Name: "hub", Kind: models.EnterpriseForeign, Status: models.StatusActive},
			{Key: small, Name: "small", Kind: models.EnterpriseForeign, Status: models.StatusActive},
		}}
		for i := range n {
			p := pid(i)
			b.Persons = append(b.Persons, models.Person{PID: p, Name: fmt.Sprint("p", i)})
			// The person is the shorter end of these.
			b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.PersonRef(p), Enterprise: hub, Ratio: ratio / n, Since: since})
			b.Roles = append(b.Roles, models.Role{Person: p, Enterprise: hub, Kind: models.RoleOfficer, Title: "director", Since: since})
			if i > 0 {
				// Given both ways round; pid(0) has n-1 relations.
				a, c := pid(0), p
				if i%2 == 0 {
					a, c = c, a
				}
				b.Relations = append(b.Relations, models.Relation{A: a, B: c, Kind: models.RelationOther, Since: since})
			}
		}
		// Two titles and a legal representation between the same two
		// nodes are three relationships.
		b.Roles = append(b.Roles,
			models.Role{Person: pid(1), Enterprise: hub, Kind: models.RoleOfficer, Title: "supervisor", Since: since},
			models.Role{Person: pid(1), Enterprise: hub, Kind: models.RoleLegalRep, Since: since})
		b.Relations = append(b.Relations, models.Relation{A: pid(1), B: pid(0), Kind: models.RelationSpouse, Since: since})
		// Both directions between hub and small: the shorter end is the
		// holder in one, the enterprise in the other. Each is given twice
		// in the batch; the second one stands.
		b.Shareholdings = append(b.Shareholdings,
			models.Shareholding{Holder: models.EnterpriseRef(small), Enterprise: hub, Ratio: 0.01},
			models.Shareholding{Holder: models.EnterpriseRef(hub), Enterprise: small, Ratio: 0.02},
			models.Shareholding{Holder: models.EnterpriseRef(small), Enterprise: hub, Ratio: ratio},
			models.Shareholding{Holder: models.EnterpriseRef(hub), Enterprise: small, Ratio: ratio})
		b.Branches = append(b.Branches, models.Branch{Branch: small, Parent: hub}, models.Branch{Branch: small, Parent: hub})
		b.Controls = append(b.Controls,
			models.Control{Controller: models.PersonRef(pid(2)), Enterprise: hub, Basis: models.ControlAgreement, Since: since},
			models.Control{Controller: models.PersonRef(pid(2)), Enterprise: hub, Basis: models.ControlActingInConcert, Group: "g1", Since: since})
		if err := s.WriteBatch(ctx(), b); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	write(0.5, d(2020, 1, 1))
	write(0.25, d(2021, 2, 2))

	all := scanAll(t, s, 1000)
	if len(all.Shareholdings) != n+2 || len(all.Roles) != n+2 || len(all.Branches) != 1 || len(all.Relations) != n {
		t.Fatalf("after writing everything twice: %d holdings, %d roles, %d branches, %d relations; want %d, %d, 1, %d",
			len(all.Shareholdings), len(all.Roles), len(all.Branches), len(all.Relations), n+2, n+2, n)
	}
	for _, sh := range all.Shareholdings {
		want := 0.25 / n
		if sh.Holder.Kind == models.KindEnterprise {
			want = 0.25
		}
		if sh.Ratio != want || (sh.Holder.Kind == models.KindPerson && sh.Since != d(2021, 2, 2)) {
			t.Errorf("holding %s → %s: ratio %v since %v, want %v and the second write's date", sh.Holder, sh.Enterprise, sh.Ratio, sh.Since, want)
		}
	}
	for _, r := range all.Roles {
		if r.Since != d(2021, 2, 2) {
			t.Errorf("role %s %s %s of %s: since %v, want the second write's", r.Kind, r.Title, r.Person, r.Enterprise, r.Since)
		}
	}
	kinds := map[models.RelationKind]int{}
	for _, r := range all.Relations {
		kinds[r.Kind]++
		if r.Since != d(2021, 2, 2) || r.A > r.B {
			t.Errorf("relation %+v: want the second write's date, in canonical order", r)
		}
	}
	if kinds[models.RelationOther] != n-1 || kinds[models.RelationSpouse] != 1 {
		t.Errorf("relation kinds %v, want %d other and 1 spouse", kinds, n-1)
	}
	edges, _, err := s.Expand(ctx(), []models.Ref{models.EnterpriseRef(hub)}, []models.RelType{models.RelControls})
	if err != nil {
		t.Fatal(err)
	}
	var bases []string
	for _, e := range edges {
		bases = append(bases, fmt.Sprint(e.Props["basis"], " ", e.Props["since"]))
	}
	slices.Sort(bases)
	if want := []string{"acting_in_concert 2021-02-02", "agreement 2021-02-02"}; !slices.Equal(bases, want) {
		t.Errorf("controls of the hub: %v, want %v", bases, want)
	}
}
