package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// TestLoadOwnerColumns: the optional voting_ratio, income_ratio and
// day_to_day columns and controls.csv load into the store; bad values are
// refused naming the file, line and field; files without the new columns
// load as before.
func TestLoadOwnerColumns(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"enterprises.csv": "uscc,id,name,kind,capital\n,E1,合伙企业甲,partnership,5000000\n,E2,公司乙,company,1000000\n",
		"persons.csv":     "person_id,name\nP1,张一\nP2,李二\nP3,王三\n",
		"shareholdings.csv": "holder_kind,holder,enterprise,ratio,voting_ratio,income_ratio\n" +
			"person,P1,E1,0.01,,0.3\n" +
			"person,P2,E1,0.99,0.99,0.7\n" +
			"person,P3,E2,0.5,60,\n", // line 4: a percentage
		"officers.csv": "person_id,enterprise,title,day_to_day\nP3,E2,director,是\nP1,E2,supervisor,maybe\n",
		"controls.csv": "controller_kind,controller,enterprise,basis,group,note,since,until\n" +
			"person,P1,E1,general_partner,,执行事务合伙人,2020-01-01,\n" +
			"person,P2,E2,acting_in_concert,,,,\n" + // line 3: no group
			"person,P3,E2,vie,,,,\n" + // line 4: unknown basis
			"enterprise,E1,E2,agreement,,,2021-01-01,2020-01-01\n" + // line 5: until before since
			"enterprise,E1,E2,acting_in_concert,g1,一致行动协议,,\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st := openMemory(t, "")
	sum, err := LoadDir(context.Background(), dir, st, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	var rejects []string
	for _, r := range sum.Rejects {
		rejects = append(rejects, r.String())
	}
	want := []string{
		"shareholdings.csv:4: voting_ratio",
		"officers.csv:3: day_to_day",
		"controls.csv:3: group",
		"controls.csv:4: basis",
		"controls.csv:5: until",
	}
	all := strings.Join(rejects, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("no reject %q among\n%s", w, all)
		}
	}
	if len(rejects) != len(want) {
		t.Errorf("%d rejects, want %d:\n%s", len(rejects), len(want), all)
	}
	ctx := context.Background()
	e1, e2 := "src:test:E1", "src:test:E2"
	edges, _, err := st.Expand(ctx, []models.Ref{models.EnterpriseRef(e1), models.EnterpriseRef(e2)},
		[]models.RelType{models.RelHoldsShares, models.RelOfficerOf, models.RelControls})
	if err != nil {
		t.Fatal(err)
	}
	var gp, aic, voting, income, daily bool
	for _, e := range edges {
		switch e.Type {
		case models.RelControls:
			c := store.ControlOf(e)
			gp = gp || (c.Basis == models.ControlGeneralPartner && c.Enterprise == e1 && c.Note == "执行事务合伙人" && c.Since.String() == "2020-01-01")
			aic = aic || (c.Basis == models.ControlActingInConcert && c.Controller == models.EnterpriseRef(e1) && c.Group == "g1")
		case models.RelHoldsShares:
			voting = voting || e.Props["voting_ratio"] == 0.99
			income = income || e.Props["income_ratio"] == 0.3
		case models.RelOfficerOf:
			daily = daily || e.Props["day_to_day"] == true
		}
	}
	if !gp || !aic || !voting || !income || !daily {
		t.Errorf("loaded: general partner %v, acting in concert %v, voting %v, income %v, day_to_day %v; edges %v", gp, aic, voting, income, daily, edges)
	}
}
