package storetest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// The beneficial-owner case table (docs/beneficial-owners.md, "Cases"):
// small networks with the owners worked out by hand, run on every backend
// through store.BeneficialOwners. Keys are namespaced by case, so all
// cases share one store.

// wantOwner is an expected owner: pid suffix, criterion, every criterion
// met, shares (to 1e-9) and, for control, the basis and whether joint.
type wantOwner struct {
	person              string
	criterion           store.Criterion
	criteria            []store.Criterion
	equity, voting, inc float64
	basis               string
	jointly             bool
	// chain, when given, is the first chain's path: "p:x" a person p(x),
	// "k:x" an enterprise k(x).
	chain []string
	title string // the office, when given
}

type ownerCase struct {
	name string
	// rows writes the case's network; k(x) namespaces an enterprise key,
	// p(x) a pid.
	rows func(k, p func(string) string) *store.Batch
	// sameAs links the root with k(sameAs) as one company (a confirmed pair).
	sameAs     string
	owners     []wantOwner
	controller string // p(x) or k(x) of the actual controller; "" for none
	filing     string
	fallback   bool
	headOffice string // k(x) of the head office when Art. 8 applies
}

func company(key string, capital float64) models.Enterprise {
	return models.Enterprise{Key: key, Name: "企业" + key[strings.LastIndex(key, ":")+1:], Kind: models.EnterpriseCompany, Status: models.StatusActive,
		Capital: capital, Currency: "CNY"}
}

func foreign(key string) models.Enterprise {
	return models.Enterprise{Key: key, Name: "Overseas " + key[strings.LastIndex(key, ":")+1:] + " Ltd", Kind: models.EnterpriseForeign}
}

func branch(key string) models.Enterprise {
	e := company(key, 0)
	e.Kind, e.Currency = models.EnterpriseBranch, ""
	return e
}

func person(pid string) models.Person { return models.Person{PID: pid, Name: "张" + pid[len(pid)-2:]} }

func holds(holder models.Ref, ent string, r float64) models.Shareholding {
	return models.Shareholding{Holder: holder, Enterprise: ent, Ratio: r, Since: d(2015, 1, 1)}
}

var ownerCases = []ownerCase{
	{
		name: "equity through a chain",
		// P1 60 % of A, A 50 % of E: P1 has 0.6 × 0.5 = 30 %; P2 50 % directly.
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises: []models.Enterprise{company(k("E"), 5e7), company(k("A"), 1e6)},
				Persons:     []models.Person{person(p("01")), person(p("02"))},
				Shareholdings: []models.Shareholding{
					holds(models.PersonRef(p("01")), k("A"), 0.6), holds(models.EnterpriseRef(k("A")), k("E"), 0.5),
					holds(models.PersonRef(p("02")), k("E"), 0.5)},
			}
		},
		owners: []wantOwner{
			{person: "02", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.5, voting: 0.5, inc: 0.5},
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.3, voting: 0.3, inc: 0.3},
		},
		filing: store.FilingRequired,
	},
	{
		name: "25 % is in, just under is out",
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises: []models.Enterprise{company(k("E"), 5e7)},
				Shareholdings: []models.Shareholding{
					holds(models.PersonRef(p("01")), k("E"), 0.25), holds(models.PersonRef(p("02")), k("E"), 0.2499),
					holds(models.PersonRef(p("03")), k("E"), 0.2501), holds(models.PersonRef(p("04")), k("E"), 0.25)},
			}
		},
		owners: []wantOwner{
			{person: "03", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.2501, voting: 0.2501, inc: 0.2501},
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.25, voting: 0.25, inc: 0.25},
			{person: "04", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.25, voting: 0.25, inc: 0.25},
		},
		filing: store.FilingRequired,
	},
	{
		name: "income rights of a general partner",
		// Partnership E: general partner P1 with 1 % of the capital and 30 %
		// of the profits; limited partner P2 99 % and 70 %. P1 meets (2) by
		// income and controls as general partner; P2 meets (1).
		rows: func(k, p func(string) string) *store.Batch {
			e := company(k("E"), 5e7)
			e.Kind = models.EnterprisePartnership
			gp, lp := holds(models.PersonRef(p("01")), k("E"), 0.01), holds(models.PersonRef(p("02")), k("E"), 0.99)
			gp.IncomeRatio, lp.IncomeRatio = ratio(0.3), ratio(0.7)
			gp.VotingRatio, lp.VotingRatio = ratio(0.01), ratio(0.99)
			return &store.Batch{
				Enterprises:   []models.Enterprise{e},
				Shareholdings: []models.Shareholding{gp, lp},
				Controls:      []models.Control{{Controller: models.PersonRef(p("01")), Enterprise: k("E"), Basis: models.ControlGeneralPartner}},
			}
		},
		owners: []wantOwner{
			{person: "02", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.99, voting: 0.99, inc: 0.7},
			{person: "01", criterion: store.CriterionIncome, criteria: []store.Criterion{store.CriterionIncome, store.CriterionControl}, equity: 0.01, voting: 0.01, inc: 0.3, basis: "general_partner"},
		},
		controller: "p:01",
		filing:     store.FilingRequired,
	},
	{
		name: "voting rights by proxy give control",
		// P1 10 % equity carrying 60 % of the votes; P2 90 % equity, 40 % votes.
		rows: func(k, p func(string) string) *store.Batch {
			a, b := holds(models.PersonRef(p("01")), k("E"), 0.1), holds(models.PersonRef(p("02")), k("E"), 0.9)
			a.VotingRatio, b.VotingRatio = ratio(0.6), ratio(0.4)
			return &store.Batch{Enterprises: []models.Enterprise{company(k("E"), 5e7)}, Shareholdings: []models.Shareholding{a, b}}
		},
		owners: []wantOwner{
			{person: "02", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.9, voting: 0.4, inc: 0.9},
			{person: "01", criterion: store.CriterionVoting, criteria: []store.Criterion{store.CriterionVoting, store.CriterionControl}, equity: 0.1, voting: 0.6, inc: 0.1, basis: "majority"},
		},
		controller: "p:01",
		filing:     store.FilingRequired,
	},
	{
		name: "control agreement over a foreign-held company",
		// E is 100 % held by a foreign company; P1 controls E by a VIE agreement.
		rows: func(k, p func(string) string) *store.Batch {
			f := models.Enterprise{Key: k("F"), Name: "Foreign Holdings Ltd", Kind: models.EnterpriseForeign}
			return &store.Batch{
				Enterprises:   []models.Enterprise{company(k("E"), 5e7), f},
				Shareholdings: []models.Shareholding{holds(models.EnterpriseRef(k("F")), k("E"), 1)},
				Controls:      []models.Control{{Controller: models.PersonRef(p("01")), Enterprise: k("E"), Basis: models.ControlAgreement, Note: "独家业务合作协议"}},
			}
		},
		owners:     []wantOwner{{person: "01", criterion: store.CriterionControl, criteria: []store.Criterion{store.CriterionControl}, basis: "agreement"}},
		controller: "p:01",
		filing:     store.FilingRequired,
	},
	{
		name: "acting in concert",
		// P1 30 % and P3 22 % act in concert (52 % > half): they control
		// jointly; P2 and P4 (24 % each) are not owners.
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises: []models.Enterprise{company(k("E"), 5e7)},
				Shareholdings: []models.Shareholding{
					holds(models.PersonRef(p("01")), k("E"), 0.30), holds(models.PersonRef(p("02")), k("E"), 0.24),
					holds(models.PersonRef(p("03")), k("E"), 0.22), holds(models.PersonRef(p("04")), k("E"), 0.24)},
				Controls: []models.Control{
					{Controller: models.PersonRef(p("01")), Enterprise: k("E"), Basis: models.ControlActingInConcert, Group: "一致行动协议-1"},
					{Controller: models.PersonRef(p("03")), Enterprise: k("E"), Basis: models.ControlActingInConcert, Group: "一致行动协议-1"}},
			}
		},
		owners: []wantOwner{
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting, store.CriterionControl}, equity: 0.3, voting: 0.3, inc: 0.3, basis: "acting_in_concert", jointly: true},
			{person: "03", criterion: store.CriterionControl, criteria: []store.Criterion{store.CriterionControl}, equity: 0.22, voting: 0.22, inc: 0.22, basis: "acting_in_concert", jointly: true},
		},
		controller: "p:01",
		filing:     store.FilingRequired,
	},
	{
		name: "control through a chain of majorities",
		// P1 51 % of A, A 51 % of B, B 51 % of E: 13.2651 % of the equity,
		// but control down the chain. P2 holds the other 49 %.
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises: []models.Enterprise{company(k("E"), 5e7), company(k("A"), 5e7), company(k("B"), 5e7)},
				Shareholdings: []models.Shareholding{
					holds(models.PersonRef(p("01")), k("A"), 0.51), holds(models.EnterpriseRef(k("A")), k("B"), 0.51),
					holds(models.EnterpriseRef(k("B")), k("E"), 0.51), holds(models.PersonRef(p("02")), k("E"), 0.49)},
			}
		},
		owners: []wantOwner{
			{person: "02", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.49, voting: 0.49, inc: 0.49},
			{person: "01", criterion: store.CriterionControl, criteria: []store.Criterion{store.CriterionControl}, equity: 0.132651, voting: 0.132651, inc: 0.132651, basis: "majority"},
		},
		controller: "p:01",
		filing:     store.FilingRequired,
	},
	{
		name: "mutual holding (a cycle)",
		// E and A hold 50 % of each other; P1 holds the other 50 % of E, P2
		// of A. Walks into E: P1 0.5 / (1 − 0.25) = 2/3; P2 0.25 / 0.75 = 1/3.
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises: []models.Enterprise{company(k("E"), 5e7), company(k("A"), 5e7)},
				Shareholdings: []models.Shareholding{
					holds(models.EnterpriseRef(k("A")), k("E"), 0.5), holds(models.EnterpriseRef(k("E")), k("A"), 0.5),
					holds(models.PersonRef(p("01")), k("E"), 0.5), holds(models.PersonRef(p("02")), k("A"), 0.5)},
			}
		},
		owners: []wantOwner{
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 2.0 / 3, voting: 2.0 / 3, inc: 2.0 / 3},
			{person: "02", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 1.0 / 3, voting: 1.0 / 3, inc: 1.0 / 3},
		},
		filing: store.FilingRequired,
	},
	{
		name: "nobody qualifies: the general manager",
		// Five holders of 20 %; the general manager (a compound title) is
		// reported, the director is not.
		rows: func(k, p func(string) string) *store.Batch {
			b := &store.Batch{Enterprises: []models.Enterprise{company(k("E"), 5e7)}}
			for i := 1; i <= 5; i++ {
				b.Shareholdings = append(b.Shareholdings, holds(models.PersonRef(p(fmt.Sprintf("0%d", i))), k("E"), 0.2))
			}
			b.Roles = []models.Role{
				{Person: p("11"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "executive_director", TitleText: "执行董事兼总经理"},
				{Person: p("12"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "director"},
				{Person: p("13"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "deputy_general_manager", TitleText: "副总经理"},
			}
			return b
		},
		owners:   []wantOwner{{person: "11", criterion: store.CriterionSeniorManager, criteria: []store.Criterion{store.CriterionSeniorManager}}},
		filing:   store.FilingRequired,
		fallback: true,
	},
	{
		name: "nobody qualifies: the officer marked day to day",
		rows: func(k, p func(string) string) *store.Batch {
			b := &store.Batch{Enterprises: []models.Enterprise{company(k("E"), 5e7)}}
			for i := 1; i <= 5; i++ {
				b.Shareholdings = append(b.Shareholdings, holds(models.PersonRef(p(fmt.Sprintf("0%d", i))), k("E"), 0.2))
			}
			b.Roles = []models.Role{
				{Person: p("11"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "general_manager", Until: d(2020, 1, 1)},
				{Person: p("12"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "general_manager"},
				{Person: p("13"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "director", DayToDay: true},
			}
			return b
		},
		owners:   []wantOwner{{person: "13", criterion: store.CriterionSeniorManager, criteria: []store.Criterion{store.CriterionSeniorManager}}},
		filing:   store.FilingRequired,
		fallback: true,
	},
	{
		name: "small company held by persons only is exempt",
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises:   []models.Enterprise{company(k("E"), 1e7)},
				Shareholdings: []models.Shareholding{holds(models.PersonRef(p("01")), k("E"), 0.6), holds(models.PersonRef(p("02")), k("E"), 0.4)},
			}
		},
		owners: []wantOwner{
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting, store.CriterionControl}, equity: 0.6, voting: 0.6, inc: 0.6, basis: "majority"},
			{person: "02", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.4, voting: 0.4, inc: 0.4},
		},
		controller: "p:01",
		filing:     store.FilingExempt,
	},
	{
		name: "small company with a corporate shareholder is not exempt",
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises:   []models.Enterprise{company(k("E"), 1e6), company(k("A"), 1e6)},
				Shareholdings: []models.Shareholding{holds(models.PersonRef(p("01")), k("E"), 0.6), holds(models.EnterpriseRef(k("A")), k("E"), 0.4)},
			}
		},
		owners: []wantOwner{
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting, store.CriterionControl}, equity: 0.6, voting: 0.6, inc: 0.6, basis: "majority"},
		},
		controller: "p:01",
		filing:     store.FilingRequired,
	},
	{
		name: "small company controlled by agreement is not exempt",
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises:   []models.Enterprise{company(k("E"), 1e6)},
				Shareholdings: []models.Shareholding{holds(models.PersonRef(p("01")), k("E"), 1)},
				Controls:      []models.Control{{Controller: models.PersonRef(p("02")), Enterprise: k("E"), Basis: models.ControlOther}},
			}
		},
		owners: []wantOwner{
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 1, voting: 1, inc: 1},
			{person: "02", criterion: store.CriterionControl, criteria: []store.Criterion{store.CriterionControl}, basis: "other"},
		},
		controller: "p:02",
		filing:     store.FilingRequired,
	},
	{
		name: "individual business does not file",
		rows: func(k, p func(string) string) *store.Batch {
			e := company(k("E"), 1e5)
			e.Kind = models.EnterpriseIndividual
			return &store.Batch{Enterprises: []models.Enterprise{e}, Shareholdings: []models.Shareholding{holds(models.PersonRef(p("01")), k("E"), 1)}}
		},
		owners: []wantOwner{
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting, store.CriterionControl}, equity: 1, voting: 1, inc: 1, basis: "majority"},
		},
		controller: "p:01",
		filing:     store.FilingNotRequired,
	},
	{
		name: "a SAME_AS partner's holders are the enterprise's",
		// E2 is E under another record; P1 holds 30 % of E2, P2 20 % of E.
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises:   []models.Enterprise{company(k("E"), 5e7), company(k("E2"), 5e7)},
				Shareholdings: []models.Shareholding{holds(models.PersonRef(p("01")), k("E2"), 0.3), holds(models.PersonRef(p("02")), k("E"), 0.2)},
			}
		},
		sameAs: "E2",
		owners: []wantOwner{
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting}, equity: 0.3, voting: 0.3, inc: 0.3},
		},
		filing: store.FilingRequired,
	},
	{
		name: "branch of a foreign company: the head office's owners and the branch's person in charge (Art. 8)",
		// E is the Chinese branch of foreign company F. P1 holds 60 % of F;
		// P2 80 % of H, H 40 % of F: 0.32. E's person in charge P3 is
		// reported as branch_executive; its director P4 is not. Shares are
		// of the head office; chains run on to the branch.
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises: []models.Enterprise{branch(k("E")), foreign(k("F")), foreign(k("H"))},
				Branches:    []models.Branch{{Branch: k("E"), Parent: k("F")}},
				Shareholdings: []models.Shareholding{
					holds(models.PersonRef(p("01")), k("F"), 0.6), holds(models.EnterpriseRef(k("H")), k("F"), 0.4),
					holds(models.PersonRef(p("02")), k("H"), 0.8)},
				Roles: []models.Role{
					{Person: p("03"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "branch_head", TitleText: "分公司负责人"},
					{Person: p("04"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "director"},
				},
			}
		},
		owners: []wantOwner{
			{person: "01", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting, store.CriterionControl},
				equity: 0.6, voting: 0.6, inc: 0.6, basis: "majority", chain: []string{"p:01", "k:F", "k:E"}},
			{person: "02", criterion: store.CriterionEquity, criteria: []store.Criterion{store.CriterionEquity, store.CriterionIncome, store.CriterionVoting},
				equity: 0.32, voting: 0.32, inc: 0.32, chain: []string{"p:02", "k:H", "k:F", "k:E"}},
			{person: "03", criterion: store.CriterionBranchExecutive, criteria: []store.Criterion{store.CriterionBranchExecutive}, title: "分公司负责人"},
		},
		controller: "p:01",
		filing:     store.FilingRequired,
		headOffice: "F",
	},
	{
		name: "branch of a foreign company whose holders are unknown: its person in charge, before its general manager",
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises: []models.Enterprise{branch(k("E")), foreign(k("F"))},
				Branches:    []models.Branch{{Branch: k("E"), Parent: k("F")}},
				Roles: []models.Role{
					{Person: p("01"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "general_manager"},
					{Person: p("02"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "branch_head"},
					{Person: p("03"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "branch_head", Until: d(2021, 1, 1)},
				},
			}
		},
		owners:     []wantOwner{{person: "02", criterion: store.CriterionBranchExecutive, criteria: []store.Criterion{store.CriterionBranchExecutive}, title: "branch_head"}},
		filing:     store.FilingRequired,
		headOffice: "F",
	},
	{
		name: "branch of a domestic company: no filing, Art. 8 does not apply",
		rows: func(k, p func(string) string) *store.Batch {
			return &store.Batch{
				Enterprises:   []models.Enterprise{branch(k("E")), company(k("A"), 5e7)},
				Branches:      []models.Branch{{Branch: k("E"), Parent: k("A")}},
				Shareholdings: []models.Shareholding{holds(models.PersonRef(p("01")), k("A"), 1)},
				Roles:         []models.Role{{Person: p("02"), Enterprise: k("E"), Kind: models.RoleOfficer, Title: "branch_head"}},
			}
		},
		owners:   []wantOwner{{person: "02", criterion: store.CriterionSeniorManager, criteria: []store.Criterion{store.CriterionSeniorManager}, title: "branch_head"}},
		filing:   store.FilingNotRequired,
		fallback: true,
	},
}

// testOwnerCases runs the case table.
func testOwnerCases(t *testing.T, s store.Store) {
	rules := store.DefaultOwnerRules(d(2026, 6, 30))
	for i, tc := range ownerCases {
		t.Run(tc.name, func(t *testing.T) {
			k := func(x string) string { return fmt.Sprintf("src:bo%02d:%s", i, x) }
			p := func(x string) string { return fmt.Sprintf("bo%02dpid00000000000000000000000%s", i, x) }
			b := tc.rows(k, p)
			if err := s.WriteBatch(ctx(), b); err != nil {
				t.Fatalf("write: %v", err)
			}
			if tc.sameAs != "" {
				pair := xrefPair(k("E"), k(tc.sameAs), 0.99, "bo")
				if _, err := s.AddXrefPairs(ctx(), []store.XrefPair{pair}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.DecideXrefPair(ctx(), pair.ID, store.XrefDecision{Decision: store.DecideConfirm, By: "k", At: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := store.BeneficialOwners(ctx(), s, k("E"), rules)
			if err != nil {
				t.Fatal(err)
			}
			if got.Filing.Status != tc.filing {
				t.Errorf("filing %+v, want %s", got.Filing, tc.filing)
			}
			if got.Fallback != tc.fallback {
				t.Errorf("fallback %v, want %v", got.Fallback, tc.fallback)
			}
			var ctrl string
			if got.Controller != nil {
				ctrl = got.Controller.Ref.String()
			}
			want := ""
			if tc.controller != "" {
				if strings.HasPrefix(tc.controller, "p:") {
					want = models.PersonRef(p(tc.controller[2:])).String()
				} else {
					want = models.EnterpriseRef(k(tc.controller[2:])).String()
				}
			}
			if ctrl != want {
				t.Errorf("controller %q, want %q", ctrl, want)
			}
			var head string
			if got.HeadOffice != nil {
				head = got.HeadOffice.String()
			}
			if wantHead := ""; tc.headOffice != "" {
				wantHead = models.EnterpriseRef(k(tc.headOffice)).String()
				if head != wantHead {
					t.Errorf("head office %q, want %q", head, wantHead)
				}
			} else if head != "" {
				t.Errorf("head office %q, want none (Art. 8 does not apply)", head)
			}
			if len(got.Owners) != len(tc.owners) {
				t.Fatalf("%d owners %s, want %d", len(got.Owners), describeOwners(got.Owners), len(tc.owners))
			}
			for j, w := range tc.owners {
				o := got.Owners[j]
				if o.Person != p(w.person) || o.Criterion != w.criterion || !slices.Equal(o.Criteria, w.criteria) ||
					!near(o.Equity, w.equity) || !near(o.Voting, w.voting) || !near(o.Income, w.inc) {
					t.Errorf("owner %d: %s, want %s %s %v equity %.6f voting %.6f income %.6f", j, describeOwners([]store.Owner{o}),
						w.person, w.criterion, w.criteria, w.equity, w.voting, w.inc)
				}
				switch {
				case w.basis == "" && o.Control != nil:
					t.Errorf("owner %d controls (%+v), want no control", j, *o.Control)
				case w.basis != "" && (o.Control == nil || o.Control.Basis != w.basis || o.Control.Jointly != w.jointly):
					t.Errorf("owner %d control %+v, want basis %s jointly %v", j, o.Control, w.basis, w.jointly)
				}
				if w.criterion == store.CriterionEquity && len(o.Chains) == 0 {
					t.Errorf("owner %d by equity has no chain", j)
				}
				if w.chain != nil {
					var want []string
					for _, x := range w.chain {
						if strings.HasPrefix(x, "p:") {
							want = append(want, models.PersonRef(p(x[2:])).String())
						} else {
							want = append(want, models.EnterpriseRef(k(x[2:])).String())
						}
					}
					if len(o.Chains) == 0 || !slices.Equal(o.Chains[0].Path, want) {
						t.Errorf("owner %d chains %+v, want the first %v", j, o.Chains, want)
					}
				}
				if w.title != "" && o.Title != w.title {
					t.Errorf("owner %d title %q, want %q", j, o.Title, w.title)
				}
			}
		})
	}
	t.Run("chains and unknown key", func(t *testing.T) {
		k := func(x string) string { return "src:bo00:" + x }
		got, err := store.BeneficialOwners(ctx(), s, k("E"), rules)
		if err != nil {
			t.Fatal(err)
		}
		o := got.Owners[1] // P1 through A
		want := []string{"person:bo00pid00000000000000000000000" + "01", "enterprise:" + k("A"), "enterprise:" + k("E")}
		if len(o.Chains) != 1 || o.ChainsTotal != 1 || !slices.Equal(o.Chains[0].Path, want) || !near(o.Chains[0].Equity, 0.3) {
			t.Errorf("chains %+v, want one %v of 0.3", o.Chains, want)
		}
		if _, err := store.BeneficialOwners(ctx(), s, "src:bo:none", rules); err == nil {
			t.Error("an unknown key gave no error")
		}
	})
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func describeOwners(os []store.Owner) string {
	var parts []string
	for _, o := range os {
		c := ""
		if o.Control != nil {
			c = fmt.Sprintf(" control %s jointly %v", o.Control.Basis, o.Control.Jointly)
		}
		parts = append(parts, fmt.Sprintf("[%s %s %v e%.6f v%.6f i%.6f%s]", o.Person[len(o.Person)-2:], o.Criterion, o.Criteria, o.Equity, o.Voting, o.Income, c))
	}
	return strings.Join(parts, " ")
}
