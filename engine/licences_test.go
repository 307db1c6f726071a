package engine

import (
	"context"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// TestLicencesNeverRaiseRisk: the same graph scored with and without
// administrative licences on its enterprises (in force, expired, on an
// enterprise known only through its licence) gives the same scores,
// grades and flags for every entity, and the licence-only enterprise is
// a placeholder with score 0.
func TestLicencesNeverRaiseRisk(t *testing.T) {
	base := &store.Batch{
		Enterprises: []models.Enterprise{
			{Key: "91440305QEFLCR63FR", USCC: "91440305QEFLCR63FR", Name: "深圳市南山区云帆科技有限公司"},
			{Key: "914403004JURQ283F0", USCC: "914403004JURQ283F0", Name: "深圳前海控股有限公司"},
		},
		Persons:       []models.Person{{PID: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", Name: "王小明"}},
		Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef("914403004JURQ283F0"), Enterprise: "91440305QEFLCR63FR", Ratio: 0.7}},
		Roles:         []models.Role{{Person: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", Enterprise: "91440305QEFLCR63FR", Kind: models.RoleLegalRep}},
		Records: []models.Record{{ID: "r1", Subject: models.EnterpriseRef("914403004JURQ283F0"), Kind: models.RecordPenalty,
			Severity: 0.4, Decided: models.NewDate(2025, 6, 1)}},
	}
	licences := []models.Licence{
		{ID: "l1", Enterprise: "91440305QEFLCR63FR", Name: "食品经营许可证", Decided: models.NewDate(2024, 1, 1), ValidTo: models.NewDate(2029, 1, 1)},
		{ID: "l2", Enterprise: "914403004JURQ283F0", Name: "道路运输经营许可证", Decided: models.NewDate(2010, 1, 1), ValidTo: models.NewDate(2015, 1, 1)},
		{ID: "l3", Enterprise: "91110108MA01XXXX0Q", Name: "排污许可证", Decided: models.NewDate(2025, 1, 1)},
	}
	score := func(withLicences bool) (*Result, map[models.Ref]int32) {
		st, err := memory.Open(memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.WriteBatch(context.Background(), base); err != nil {
			t.Fatal(err)
		}
		if withLicences {
			if err := st.WriteBatch(context.Background(), &store.Batch{Licences: licences}); err != nil {
				t.Fatal(err)
			}
		}
		res, err := Run(context.Background(), st, Options{Params: DefaultParams(), Today: models.NewDate(2026, 1, 1)})
		if err != nil {
			t.Fatal(err)
		}
		idx := map[models.Ref]int32{}
		for v := range res.Graph.N() {
			idx[res.Graph.Ref(int32(v))] = int32(v)
		}
		return res, idx
	}
	without, wi := score(false)
	with, li := score(true)
	if without.Score[wi[models.EnterpriseRef("91440305QEFLCR63FR")]] == 0 {
		t.Fatal("the fixture's risk does not reach the licensed enterprise: the comparison checks nothing")
	}
	for ref, v := range wi {
		u, ok := li[ref]
		if !ok {
			t.Errorf("%s missing when licences are loaded", ref)
			continue
		}
		if with.Score[u] != without.Score[v] || with.Grade[u] != without.Grade[v] || with.Intrinsic.Risk[u] != without.Intrinsic.Risk[v] {
			t.Errorf("%s: score %v grade %s with licences, %v %s without", ref, with.Score[u], with.Grade[u], without.Score[v], without.Grade[v])
		}
		if a, b := len(with.Flags.ByNode[u]), len(without.Flags.ByNode[v]); a != b {
			t.Errorf("%s: %d flags with licences, %d without", ref, a, b)
		}
	}
	if v, ok := li[models.EnterpriseRef("91110108MA01XXXX0Q")]; ok && with.Score[v] != 0 {
		t.Errorf("the enterprise known only by its licence scores %v", with.Score[v])
	}
}
