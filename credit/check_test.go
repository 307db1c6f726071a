package credit_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/neo4j/neo4jtest"
)

func d(y int, m time.Month, day int) models.Date { return models.NewDate(y, m, day) }

// Keys of the test graph.
const (
	clean      = "src:t:clean"
	direct     = "src:t:direct"
	removed    = "src:t:removed"
	legalRep   = "src:t:legalrep"
	held       = "src:t:held"
	holder     = "src:t:holder"
	minority   = "src:t:minority"
	branch     = "src:t:branch"
	expired    = "src:t:expired"
	good       = "src:t:good"
	goodBad    = "src:t:goodbad"
	supervised = "src:t:supervised"
	violator   = "src:t:violator"

	pDebtor  = "00000000000000000000000000000d01" // a dishonest debtor, legal rep of legalRep
	pFormer  = "00000000000000000000000000000d02" // dishonest, legal rep of legalRep until 2024
	pTop     = "00000000000000000000000000000d03" // holds 80 % of holder: held's actual controller
	pLed     = "00000000000000000000000000000d04" // legal rep of violator when it was listed
	pLate    = "00000000000000000000000000000d05" // officer of violator only after it was listed
	pUnknown = "00000000000000000000000000000d99"
)

// graph is a small network with one case of every rule kind:
//
//	direct: own serious_violation (2025-01-10); branch ─BRANCH_OF─► direct
//	removed: serious_violation 2024-01-01, removed 2025-06-01
//	legalRep ◄─LEGAL_REP_OF─ pDebtor (dishonest_debtor 2025-03-01)
//	         ◄─LEGAL_REP_OF (2019–2024)─ pFormer (dishonest_debtor 2023-01-01)
//	held ◄─70 %─ holder (serious_violation) ◄─80 %─ pTop (blacklist)
//	held ◄─30 %─ minority (serious_violation): not controlling
//	expired: severe penalty 2022-01-01 (3-year rule)
//	good: red_list; goodBad: red_list + abnormal_operations; supervised: abnormal_operations
//	violator (serious_violation 2025-02-01) ◄─ pLed (legal rep since 2020), pLate (officer since 2025-06-01)
func graph() *store.Batch {
	ent := func(key, name string) models.Enterprise {
		return models.Enterprise{Key: key, Name: name, Kind: models.EnterpriseCompany, Status: models.StatusActive}
	}
	rec := func(id string, subj models.Ref, kind models.RecordKind, sev float64, decided, removed models.Date) models.Record {
		return models.Record{ID: id, Subject: subj, Kind: kind, Severity: sev, Authority: "深圳市市场监督管理局", Decided: decided, Removed: removed, DocNo: "深市监〔2025〕" + id}
	}
	e, p := models.EnterpriseRef, models.PersonRef
	return &store.Batch{
		Enterprises: []models.Enterprise{ent(clean, "清白科技有限公司"), ent(direct, "直接失信有限公司"), ent(removed, "已移出有限公司"),
			ent(legalRep, "法人失信有限公司"), ent(held, "被控股有限公司"), ent(holder, "控股股东有限公司"), ent(minority, "小股东有限公司"),
			ent(branch, "直接失信有限公司杭州分公司"), ent(expired, "旧处罚有限公司"), ent(good, "守信有限公司"), ent(goodBad, "红黑有限公司"),
			ent(supervised, "异常有限公司"), ent(violator, "违法有限公司")},
		Persons: []models.Person{{PID: pDebtor, Name: "失信人"}, {PID: pFormer, Name: "前法人"}, {PID: pTop, Name: "实控人"},
			{PID: pLed, Name: "原法人"}, {PID: pLate, Name: "后来者"}},
		Shareholdings: []models.Shareholding{
			{Holder: e(holder), Enterprise: held, Ratio: 0.7, Since: d(2018, 1, 1)},
			{Holder: e(minority), Enterprise: held, Ratio: 0.3},
			{Holder: p(pTop), Enterprise: holder, Ratio: 0.8},
		},
		Roles: []models.Role{
			{Person: pDebtor, Enterprise: legalRep, Kind: models.RoleLegalRep, Since: d(2025, 1, 1)},
			{Person: pFormer, Enterprise: legalRep, Kind: models.RoleLegalRep, Since: d(2019, 1, 1), Until: d(2024, 12, 31)},
			{Person: pLed, Enterprise: violator, Kind: models.RoleLegalRep, Since: d(2020, 1, 1)},
			{Person: pLate, Enterprise: violator, Kind: models.RoleOfficer, Title: "manager", Since: d(2025, 6, 1)},
		},
		Branches: []models.Branch{{Branch: branch, Parent: direct}},
		Records: []models.Record{
			rec("r-direct", e(direct), models.RecordSeriousViolation, 0.9, d(2025, 1, 10), models.Date{}),
			rec("r-removed", e(removed), models.RecordSeriousViolation, 0.9, d(2024, 1, 1), d(2025, 6, 1)),
			rec("r-debtor", p(pDebtor), models.RecordDishonestDebtor, 0.6, d(2025, 3, 1), models.Date{}),
			rec("r-former", p(pFormer), models.RecordDishonestDebtor, 0.6, d(2023, 1, 1), models.Date{}),
			rec("r-holder", e(holder), models.RecordSeriousViolation, 0.9, d(2024, 5, 5), models.Date{}),
			rec("r-top", p(pTop), models.RecordBlacklist, 0.9, d(2024, 6, 6), models.Date{}),
			rec("r-minority", e(minority), models.RecordSeriousViolation, 0.9, d(2024, 5, 5), models.Date{}),
			rec("r-expired", e(expired), models.RecordPenalty, 0.8, d(2022, 1, 1), models.Date{}),
			rec("r-good", e(good), "red_list", 0, d(2025, 1, 1), models.Date{}),
			rec("r-goodbad-red", e(goodBad), "red_list", 0, d(2025, 1, 1), models.Date{}),
			rec("r-goodbad-abn", e(goodBad), models.RecordAbnormal, 0.3, d(2025, 2, 1), models.Date{}),
			rec("r-supervised", e(supervised), models.RecordAbnormal, 0.3, d(2025, 2, 1), models.Date{}),
			rec("r-supervised-red", e(supervised), "red_list", 0, d(2025, 1, 1), models.Date{}),
			rec("r-violator", e(violator), models.RecordSeriousViolation, 0.9, d(2025, 2, 1), models.Date{}),
		},
	}
}

// backends runs fn on the memory store and on Neo4j, each loaded with graph().
func backends(t *testing.T, fn func(t *testing.T, s store.Store)) {
	open := map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store {
			s, err := memory.Open(memory.Options{Logger: zerolog.Nop()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"neo4j": func(t *testing.T) store.Store { return neo4jtest.Open(t) },
	}
	for _, name := range []string{"memory", "neo4j"} {
		t.Run(name, func(t *testing.T) {
			s := open[name](t)
			if err := s.WriteBatch(context.Background(), graph()); err != nil {
				t.Fatal(err)
			}
			fn(t, s)
		})
	}
}

// want is the expected outcome of a check: the verdict, incentives, and
// each measure as "rule/record/relation/path-length/until".
type want struct {
	verdict    string
	incentives bool
	measures   []string
}

func summary(r credit.Result) []string {
	var out []string
	for _, m := range r.Measures {
		out = append(out, strings.Join([]string{m.Rule.ID, m.Record.ID, m.Relation, string(rune('0' + len(m.Path.Links))), m.Period.Until.String()}, "/"))
	}
	return out
}

func TestChecks(t *testing.T) {
	today := d(2026, 6, 1)
	cases := []struct {
		name     string
		subject  models.Ref
		scenario string
		asOf     models.Date
		want     want
	}{
		{"no records", models.EnterpriseRef(clean), "bidding", today, want{verdict: "clear"}},
		{"direct record", models.EnterpriseRef(direct), "bidding", today,
			want{verdict: "prohibited", measures: []string{"lists-serious-violation-bar/r-direct/self/0/"}}},
		{"direct record, other scenario", models.EnterpriseRef(direct), "listing", today,
			want{verdict: "restricted", measures: []string{"serious-dishonesty-restrict/r-direct/self/0/"}}},
		{"as_of before the decision", models.EnterpriseRef(direct), "bidding", d(2025, 1, 9), want{verdict: "clear"}},
		{"as_of on the decision", models.EnterpriseRef(direct), "bidding", d(2025, 1, 10),
			want{verdict: "prohibited", measures: []string{"lists-serious-violation-bar/r-direct/self/0/"}}},
		{"removed before as_of", models.EnterpriseRef(removed), "bidding", today, want{verdict: "clear"}},
		{"removed on as_of", models.EnterpriseRef(removed), "bidding", d(2025, 6, 1), want{verdict: "clear"}},
		{"as_of before the removal", models.EnterpriseRef(removed), "bidding", d(2025, 5, 31),
			want{verdict: "prohibited", measures: []string{"lists-serious-violation-bar/r-removed/self/0/"}}},
		{"legal rep is a dishonest debtor", models.EnterpriseRef(legalRep), "bidding", today,
			want{verdict: "restricted", measures: []string{"legal-rep-dishonest-restrict/r-debtor/legal_rep/1/"}}},
		{"the legal rep as of 2024 (the former one)", models.EnterpriseRef(legalRep), "bidding", d(2024, 6, 1),
			want{verdict: "restricted", measures: []string{"legal-rep-dishonest-restrict/r-former/legal_rep/1/"}}},
		{"controlling shareholder and actual controller", models.EnterpriseRef(held), "bidding", today,
			want{verdict: "strict_review", measures: []string{"related-party-strict-review/r-holder/controlling_shareholder/1/",
				"related-party-strict-review/r-top/actual_controller/2/"}}},
		{"holding not yet in force", models.EnterpriseRef(held), "bidding", d(2017, 6, 1), want{verdict: "clear"}},
		{"branch of a listed parent", models.EnterpriseRef(branch), "bidding", today,
			want{verdict: "prohibited", measures: []string{"lists-serious-violation-bar/r-direct/parent/1/"}}},
		{"3-year period over", models.EnterpriseRef(expired), "honours", today, want{verdict: "clear"}},
		{"3-year period running", models.EnterpriseRef(expired), "honours", d(2024, 12, 31),
			want{verdict: "strict_review", measures: []string{"serious-penalty-strict-review/r-expired/self/0/2025-01-01"}}},
		{"positive record only", models.EnterpriseRef(good), "bidding", today,
			want{verdict: "clear", incentives: true, measures: []string{"trustworthy-green-channel/r-good/self/0/"}}},
		{"positive and negative", models.EnterpriseRef(goodBad), "bidding", today,
			want{verdict: "restricted", measures: []string{"lists-abnormal-restrict/r-goodbad-abn/self/0/", "trustworthy-green-channel/r-goodbad-red/self/0/"}}},
		{"key supervision blocks incentives", models.EnterpriseRef(supervised), "market_access", today,
			want{verdict: "clear", measures: []string{"abnormal-key-supervision/r-supervised/self/0/", "trustworthy-green-channel/r-supervised-red/self/0/"}}},
		{"appointee is a dishonest debtor", models.PersonRef(pDebtor), "appointment", today,
			want{verdict: "prohibited", measures: []string{"appointee-dishonest-bar/r-debtor/self/0/"}}},
		{"appointee led a listed enterprise", models.PersonRef(pLed), "appointment", today,
			want{verdict: "restricted", measures: []string{"appointee-led-violator-restrict/r-violator/legal_rep_of/1/2028-02-01"}}},
		{"appointee came after the listing", models.PersonRef(pLate), "appointment", today, want{verdict: "clear"}},
		{"appointee unknown to the graph", models.PersonRef(pUnknown), "appointment", today, want{verdict: "clear"}},
	}
	backends(t, func(t *testing.T, s store.Store) {
		ck := &credit.Checker{Reader: s, Catalogue: credit.Default()}
		var reqs []credit.Request
		for _, tc := range cases {
			req := credit.Request{Subject: tc.subject, Scenario: tc.scenario, AsOf: tc.asOf, Name: "某人"}
			reqs = append(reqs, req)
			t.Run(tc.name, func(t *testing.T) {
				res, err := ck.Check(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				got := summary(res)
				if res.Verdict != tc.want.verdict || res.Incentives != tc.want.incentives || !slices.Equal(got, tc.want.measures) {
					t.Errorf("got %s incentives=%v %q\nwant %s incentives=%v %q", res.Verdict, res.Incentives, got,
						tc.want.verdict, tc.want.incentives, tc.want.measures)
				}
				if !res.AsOf.Equal(tc.asOf.Time) || res.Catalogue.Version != "2026.1" || res.Scenario.ID != tc.scenario {
					t.Errorf("as_of %v, catalogue %v, scenario %v", res.AsOf, res.Catalogue, res.Scenario)
				}
				for _, m := range res.Measures {
					if len(m.Basis) == 0 || m.Basis[0].Number == "" || len(m.Path.Nodes) != len(m.Path.Links)+1 ||
						m.Path.Nodes[0].Ref != res.Subject.Ref || m.Record.Decided.IsZero() || m.Period.Text == "" {
						t.Errorf("measure %s lacks its basis, path, record date or period: %+v", m.Rule.ID, m)
					}
					if last := m.Path.Nodes[len(m.Path.Nodes)-1].Ref; last != m.Record.Subject {
						t.Errorf("measure %s: the path ends at %v, the record is %v's", m.Rule.ID, last, m.Record.Subject)
					}
				}
			})
		}
		// A batch answers exactly as the single checks do.
		out := ck.CheckAll(context.Background(), reqs, 4)
		for i, o := range out {
			single, _ := ck.Check(context.Background(), reqs[i])
			if o.Err != nil || !slices.Equal(summary(o.Result), summary(single)) || o.Result.Verdict != single.Verdict {
				t.Errorf("batch %s: %v %v, single %v", cases[i].name, o.Err, summary(o.Result), summary(single))
			}
		}
	})
}

func TestCheckPaths(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		ck := &credit.Checker{Reader: s, Catalogue: credit.Default()}
		res, err := ck.Check(context.Background(), credit.Request{Subject: models.EnterpriseRef(held), Scenario: "bidding", AsOf: d(2026, 6, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Measures) != 2 {
			t.Fatalf("measures %v", summary(res))
		}
		top := res.Measures[1].Path
		var keys []string
		for _, n := range top.Nodes {
			keys = append(keys, n.Ref.String()+"="+n.Name)
		}
		wantNodes := []string{"enterprise:" + held + "=被控股有限公司", "enterprise:" + holder + "=控股股东有限公司", "person:" + pTop + "=实控人"}
		if !slices.Equal(keys, wantNodes) {
			t.Errorf("actual controller's path %v, want %v", keys, wantNodes)
		}
		if l := top.Links[0]; l.Type != models.RelHoldsShares || l.Ratio != 0.7 || l.From != "enterprise:"+holder || l.Since != "2018-01-01" {
			t.Errorf("first link %+v", l)
		}
		if res.Subject.Name != "被控股有限公司" || !res.Subject.Found {
			t.Errorf("subject %+v", res.Subject)
		}
		if r := res.Measures[0].Record; r.DocNo == "" || r.Authority == "" || r.Decided.String() != "2024-05-05" {
			t.Errorf("evidence record %+v", r)
		}
	})
}

func TestCheckBadInput(t *testing.T) {
	s, err := memory.Open(memory.Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.WriteBatch(context.Background(), graph()); err != nil {
		t.Fatal(err)
	}
	ck := &credit.Checker{Reader: s, Catalogue: credit.Default()}
	today := d(2026, 6, 1)
	_, err = ck.Check(context.Background(), credit.Request{Subject: models.EnterpriseRef(clean), Scenario: "tendering", AsOf: today})
	var se *credit.ScenarioError
	if !errors.As(err, &se) || !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "bidding") || !strings.Contains(err.Error(), "honours") {
		t.Errorf("unknown scenario: %v; want a ScenarioError listing the scenarios", err)
	}
	if _, err := ck.Check(context.Background(), credit.Request{Subject: models.PersonRef(pDebtor), Scenario: "bidding", AsOf: today}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a person in bidding: %v", err)
	}
	if _, err := ck.Check(context.Background(), credit.Request{Subject: models.EnterpriseRef(clean), Scenario: "appointment", AsOf: today}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("an enterprise in appointment: %v", err)
	}
	if _, err := ck.Check(context.Background(), credit.Request{Subject: models.EnterpriseRef("src:t:none"), Scenario: "bidding", AsOf: today}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown enterprise: %v", err)
	}
}

func TestSealAndVerify(t *testing.T) {
	s, err := memory.Open(memory.Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.WriteBatch(context.Background(), graph()); err != nil {
		t.Fatal(err)
	}
	ck := &credit.Checker{Reader: s, Catalogue: credit.Default()}
	res, err := ck.Check(context.Background(), credit.Request{Subject: models.EnterpriseRef(branch), Scenario: "bidding", AsOf: d(2026, 6, 1)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)
	a, row, err := credit.Seal(res, "k1", now)
	if err != nil {
		t.Fatal(err)
	}
	if row.ID != a.ID || !strings.HasPrefix(a.ID, "chk_") || row.Verdict != "prohibited" || row.Subject != "enterprise:"+branch ||
		row.Scenario != "bidding" || row.KeyID != "k1" || row.Catalogue != "2026.1" || row.EvidenceSHA256 != a.EvidenceSHA256 {
		t.Errorf("row %+v", row)
	}
	if err := credit.VerifyAnswer(row.Body); err != nil {
		t.Errorf("verify: %v", err)
	}
	tampered := strings.Replace(string(row.Body), `"verdict":"prohibited"`, `"verdict":"clear"`, 1)
	if tampered == string(row.Body) || credit.VerifyAnswer([]byte(tampered)) == nil {
		t.Error("a tampered answer verifies")
	}
	// The same facts give the same evidence hash; another check id does not change it.
	b, _, _ := credit.Seal(res, "k2", now.Add(time.Hour))
	if b.EvidenceSHA256 != a.EvidenceSHA256 || b.ID == a.ID {
		t.Errorf("hash %s vs %s, ids %s %s", a.EvidenceSHA256, b.EvidenceSHA256, a.ID, b.ID)
	}
}
