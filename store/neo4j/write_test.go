package neo4j

import (
	"slices"
	"strings"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// TestPlanBatchLockOrder: every statement of a batch gets its rows ordered
// by the keys of the nodes it locks (so batches in flight lock shared nodes
// in the same order), every statement planBatch can run has such keys, and
// rows of one identity keep their order (the last row still wins).
func TestPlanBatchLockOrder(t *testing.T) {
	b := &store.Batch{
		Enterprises: []models.Enterprise{{Key: "e3", Name: "three"}, {Key: "e1", Name: "one"}, {Key: "e2", Placeholder: true}, {Key: "e0", Placeholder: true}},
		Persons:     []models.Person{{PID: "p2", Name: "two"}, {PID: "p1", Name: "one"}},
		Shareholdings: []models.Shareholding{
			{Holder: models.PersonRef("p2"), Enterprise: "e3", Ratio: 0.1},
			{Holder: models.PersonRef("p1"), Enterprise: "e1", Ratio: 0.2},
			{Holder: models.PersonRef("p2"), Enterprise: "e3", Ratio: 0.3}, // same identity as the first: must stay after it
			{Holder: models.EnterpriseRef("e3"), Enterprise: "e1", Ratio: 0.4},
			{Holder: models.EnterpriseRef("e2"), Enterprise: "e1", Ratio: 0.5},
		},
		Roles: []models.Role{
			{Kind: models.RoleOfficer, Person: "p2", Enterprise: "e2", Title: "director"},
			{Kind: models.RoleOfficer, Person: "p1", Enterprise: "e2", Title: "manager"},
			{Kind: models.RoleOfficer, Person: "p1", Enterprise: "e1", Title: "director"},
			{Kind: models.RoleLegalRep, Person: "p2", Enterprise: "e1", Title: "legal_rep"},
			{Kind: models.RoleLegalRep, Person: "p1", Enterprise: "e0", Title: "legal_rep"},
		},
		Branches:  []models.Branch{{Branch: "e2", Parent: "e3"}, {Branch: "e1", Parent: "e0"}},
		Relations: []models.Relation{{A: "p2", B: "p3", Kind: models.RelationSpouse}, {A: "p1", B: "p2", Kind: models.RelationSpouse}},
		Controls: []models.Control{
			{Controller: models.PersonRef("p2"), Enterprise: "e2", Basis: models.ControlAgreement},
			{Controller: models.PersonRef("p1"), Enterprise: "e1", Basis: models.ControlAgreement},
		},
		Records: []models.Record{
			{ID: "r2", Subject: models.EnterpriseRef("e3"), Kind: models.RecordPenalty, Severity: 0.5},
			{ID: "r1", Subject: models.EnterpriseRef("e1"), Kind: models.RecordPenalty, Severity: 0.5},
		},
		Licences: []models.Licence{{ID: "l2", Enterprise: "e3", Name: "b"}, {ID: "l1", Enterprise: "e1", Name: "a"}},
	}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	steps := planBatch(b)
	seen := map[string]bool{}
	for _, st := range steps {
		seen[st.name] = true
		keys := lockKeys[st.name]
		if len(keys) == 0 {
			t.Errorf("%s: no lock keys (add the statement to lockKeys)", st.name)
			continue
		}
		key := func(row any) string {
			r := row.(map[string]any)
			var parts []string
			for _, k := range keys {
				v, _ := r[k].(string)
				parts = append(parts, v)
			}
			return strings.Join(parts, "\x00")
		}
		if !slices.IsSortedFunc(st.rows, func(a, b any) int { return strings.Compare(key(a), key(b)) }) {
			var got []string
			for _, r := range st.rows {
				got = append(got, key(r))
			}
			t.Errorf("%s: rows not in lock order: %q", st.name, got)
		}
	}
	for _, name := range []string{qEnterpriseUpsert, qEnterprisePlaceholder, qPersonUpsert, qShareholdingByPerson,
		qShareholdingByEnterprise, qRoleOfficer, qRoleLegalRep, qBranch, qRelation, qControlByPerson, qRecordOfEnterprise, qLicenceUpsert} {
		if !seen[name] {
			t.Errorf("%s: not planned for the batch", name)
		}
	}
	for _, st := range steps {
		if st.name != qShareholdingByPerson {
			continue
		}
		var ratios []float64
		for _, r := range st.rows {
			if r.(map[string]any)["holder"] == "p2" {
				ratios = append(ratios, r.(map[string]any)["ratio"].(float64))
			}
		}
		if !slices.Equal(ratios, []float64{0.1, 0.3}) {
			t.Errorf("p2's rows for e3 in the order %v, want [0.1 0.3] (the batch's order: the last row wins)", ratios)
		}
	}
}
