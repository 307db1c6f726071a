package credit_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
)

// fileOf writes the credit file of TestCreditFileLife on top of graph():
//
//	r-direct repaired from 2026-01-01 (direct; branch through its parent)
//	r-holder under an open objection filed 2026-02-01 (held)
//	r-debtor objected 2026-01-10, upheld and withdrawn 2026-03-01 (legalRep)
//	r-violator objected 2025-09-01, rejected 2025-10-01 (pLed)
//	r-expired objected 2024-04-01, corrected to severity 0.5 on 2024-06-01 (expired)
//	commitments: supervised (2025, breached by r-supervised), good (2025, only a
//	red list: not breached), clean (made 2026-07-01, after the day asked about)
func fileOf(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	at := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 2, 0, 0, 0, time.UTC) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SaveRepair(ctx, store.Repair{ID: "rp-direct", RecordID: "r-direct", Subject: "enterprise:" + direct, Date: d(2026, 1, 1),
		Basis: "已完成整改并经审核移出", Created: at(2026, 1, 2), KeyID: "k"}))
	obj := func(id, rec, subj string, filed time.Time) store.Objection {
		return store.Objection{ID: id, RecordID: rec, Subject: subj, Reason: "记录有误", Attachments: []string{"att:1"}, Filed: filed, FiledBy: "k", Status: store.ObjectionOpen}
	}
	must(s.FileObjection(ctx, obj("ob-holder", "r-holder", "enterprise:"+holder, at(2026, 2, 1))))
	must(s.FileObjection(ctx, obj("ob-debtor", "r-debtor", "person:"+pDebtor, at(2026, 1, 10))))
	_, err := s.DecideObjection(ctx, "ob-debtor", store.ObjectionDecision{Status: store.ObjectionUpheld, Outcome: store.OutcomeWithdrawn, By: "k2", At: at(2026, 3, 1)})
	must(err)
	must(s.FileObjection(ctx, obj("ob-violator", "r-violator", "enterprise:"+violator, at(2025, 9, 1))))
	_, err = s.DecideObjection(ctx, "ob-violator", store.ObjectionDecision{Status: store.ObjectionRejected, By: "k2", At: at(2025, 10, 1)})
	must(err)
	must(s.FileObjection(ctx, obj("ob-expired", "r-expired", "enterprise:"+expired, at(2024, 4, 1))))
	sev := 0.5
	_, err = s.DecideObjection(ctx, "ob-expired", store.ObjectionDecision{Status: store.ObjectionUpheld, Outcome: store.OutcomeCorrected, Severity: &sev, By: "k2", At: at(2024, 6, 1)})
	must(err)
	commit := func(id, subj string, from, until models.Date) {
		must(s.SaveCommitment(ctx, store.Commitment{ID: id, Subject: "enterprise:" + subj, Scenario: "market_access", Text: "依法诚信经营",
			Date: from, ValidUntil: until, Created: at(2025, 1, 1), KeyID: "k"}))
	}
	commit("cm-supervised", supervised, d(2025, 1, 1), d(2025, 12, 31))
	commit("cm-good", good, d(2025, 1, 1), d(2025, 12, 31))
	commit("cm-clean", clean, d(2026, 7, 1), d(2027, 6, 30))
}

// TestCreditFileLife: repairs, objections (open, upheld, rejected,
// corrected), publication periods and commitments change checks from
// their dates, on both backends.
func TestCreditFileLife(t *testing.T) {
	today := d(2026, 6, 1)
	raw, err := os.ReadFile("measures.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A catalogue whose serious-violation records are published for one year.
	oneYear, err := credit.Parse("one-year.yaml", []byte(strings.Replace(string(raw),
		"en: serious-violation list, public: true}", "en: serious-violation list, public: true, publication_years: 1}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	type mark struct{ record, objection string }
	cases := []struct {
		name     string
		cat      *credit.Catalogue
		subject  models.Ref
		scenario string
		asOf     models.Date
		want     want
		marks    []mark // measures under objection
		commits  []string
	}{
		{name: "repaired", subject: models.EnterpriseRef(direct), scenario: "bidding", asOf: today, want: want{verdict: "clear"}},
		{name: "the day before the repair", subject: models.EnterpriseRef(direct), scenario: "bidding", asOf: d(2025, 12, 31),
			want: want{verdict: "prohibited", measures: []string{"lists-serious-violation-bar/r-direct/self/0/"}}},
		{name: "the parent's record repaired", subject: models.EnterpriseRef(branch), scenario: "bidding", asOf: today, want: want{verdict: "clear"}},
		{name: "under objection: counts, marked", subject: models.EnterpriseRef(held), scenario: "bidding", asOf: today,
			want:  want{verdict: "strict_review", measures: []string{"related-party-strict-review/r-holder/controlling_shareholder/1/", "related-party-strict-review/r-top/actual_controller/2/"}},
			marks: []mark{{"r-holder", "ob-holder"}}},
		{name: "before the objection was filed: not marked", subject: models.EnterpriseRef(held), scenario: "bidding", asOf: d(2026, 1, 31),
			want: want{verdict: "strict_review", measures: []string{"related-party-strict-review/r-holder/controlling_shareholder/1/", "related-party-strict-review/r-top/actual_controller/2/"}}},
		{name: "objection upheld: withdrawn", subject: models.EnterpriseRef(legalRep), scenario: "bidding", asOf: today, want: want{verdict: "clear"}},
		{name: "while the upheld objection was open", subject: models.EnterpriseRef(legalRep), scenario: "bidding", asOf: d(2026, 2, 1),
			want: want{verdict: "restricted", measures: []string{"legal-rep-dishonest-restrict/r-debtor/legal_rep/1/"}}, marks: []mark{{"r-debtor", "ob-debtor"}}},
		{name: "objection rejected: stands, unmarked", subject: models.PersonRef(pLed), scenario: "appointment", asOf: today,
			want: want{verdict: "restricted", measures: []string{"appointee-led-violator-restrict/r-violator/legal_rep_of/1/2028-02-01"}}},
		{name: "corrected below the rule's severity", subject: models.EnterpriseRef(expired), scenario: "honours", asOf: d(2024, 12, 31), want: want{verdict: "clear"}},
		{name: "before the correction, under objection", subject: models.EnterpriseRef(expired), scenario: "honours", asOf: d(2024, 5, 1),
			want:  want{verdict: "strict_review", measures: []string{"serious-penalty-strict-review/r-expired/self/0/2025-01-01"}},
			marks: []mark{{"r-expired", "ob-expired"}}},
		{name: "publication period over", cat: oneYear, subject: models.EnterpriseRef(violator), scenario: "bidding", asOf: d(2026, 2, 1), want: want{verdict: "clear"}},
		{name: "publication period running", cat: oneYear, subject: models.EnterpriseRef(violator), scenario: "bidding", asOf: d(2026, 1, 31),
			want: want{verdict: "prohibited", measures: []string{"lists-serious-violation-bar/r-violator/self/0/"}}},
		{name: "publication period over: a term that runs despite removal runs on", cat: oneYear, subject: models.PersonRef(pLed), scenario: "appointment", asOf: today,
			want: want{verdict: "restricted", measures: []string{"appointee-led-violator-restrict/r-violator/legal_rep_of/1/2028-02-01"}}},
		{name: "commitment breached", subject: models.EnterpriseRef(supervised), scenario: "market_access", asOf: today,
			want:    want{verdict: "clear", measures: []string{"abnormal-key-supervision/r-supervised/self/0/", "trustworthy-green-channel/r-supervised-red/self/0/"}},
			commits: []string{"cm-supervised:breached:r-supervised"}},
		{name: "positive record only: commitment kept, incentive", subject: models.EnterpriseRef(good), scenario: "bidding", asOf: today,
			want:    want{verdict: "clear", incentives: true, measures: []string{"trustworthy-green-channel/r-good/self/0/"}},
			commits: []string{"cm-good:kept:"}},
		{name: "a commitment made after as_of is not shown", subject: models.EnterpriseRef(clean), scenario: "bidding", asOf: today, want: want{verdict: "clear"}},
	}
	backends(t, func(t *testing.T, s store.Store) {
		fileOf(t, s)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				cat := tc.cat
				if cat == nil {
					cat = credit.Default()
				}
				ck := &credit.Checker{Reader: s, File: s, Catalogue: cat}
				res, err := ck.Check(context.Background(), credit.Request{Subject: tc.subject, Scenario: tc.scenario, AsOf: tc.asOf})
				if err != nil {
					t.Fatal(err)
				}
				got := summary(res)
				if res.Verdict != tc.want.verdict || res.Incentives != tc.want.incentives || !slices.Equal(got, tc.want.measures) {
					t.Errorf("got %s incentives=%v %q\nwant %s incentives=%v %q", res.Verdict, res.Incentives, got,
						tc.want.verdict, tc.want.incentives, tc.want.measures)
				}
				var marks []mark
				for _, m := range res.Measures {
					if m.UnderObjection != nil {
						marks = append(marks, mark{m.Record.ID, m.UnderObjection.ID})
					}
				}
				if !slices.Equal(marks, tc.marks) {
					t.Errorf("under objection %v, want %v", marks, tc.marks)
				}
				var commits []string
				for _, c := range res.Commitments {
					state := "kept"
					if c.Breached {
						state = "breached"
					}
					commits = append(commits, c.ID+":"+state+":"+strings.Join(c.BreachedBy, ","))
				}
				if !slices.Equal(commits, tc.commits) {
					t.Errorf("commitments %v, want %v", commits, tc.commits)
				}
			})
		}
	})
}

// TestCatalogueRecordParams: the catalogue's polarities and publication
// periods become the engine's record parameters, and the shipped
// catalogue's agree with the engine's defaults.
func TestCatalogueRecordParams(t *testing.T) {
	rp := credit.Default().RecordParams()
	if !slices.Equal(rp.PositiveKinds, []string{"red_list", "a_grade_taxpayer", "commendation"}) || len(rp.NeutralKinds) != 0 || len(rp.PublicationYears) != 0 {
		t.Errorf("default record params %+v", rp)
	}
	cat := credit.Default()
	if !cat.Public("serious_violation") || !cat.Public("abnormal_operations") || cat.Public("dishonest_debtor") || cat.Public("red_list") {
		t.Error("the default catalogue discloses the two lists only")
	}
	_, err := credit.Parse("bad.yaml", []byte(`version: "1"
documents: [{id: d, number: "1", title: t}]
scenarios: [{id: s, zh: 场景, en: S}]
record_kinds: [{kind: red_list, polarity: positive, publication_years: -2}]
rules: [{id: r, scenarios: [s], measure: incentive, when: {kinds: [red_list]}, period: in_force, basis: [{document: d}]}]
`))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:4: record_kinds[0].publication_years") {
		t.Errorf("a negative publication period: %v", err)
	}
}
