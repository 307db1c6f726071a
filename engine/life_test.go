package engine

import (
	"context"
	"slices"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// TestRecordLife runs one small graph per case through Compute: an
// enterprise X (legal representative P, and a holder H of 60 %), with the
// case's records and credit file, on the case's day. It checks X's
// intrinsic risk and score (zero or not), and whether X carries
// commitment_breached or blacklist_proximity reaches H.
func TestRecordLife(t *testing.T) {
	d := models.NewDate
	at := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 2, 0, 0, 0, time.UTC) }
	rec := func(id string, kind models.RecordKind, decided models.Date) models.Record {
		return models.Record{ID: id, Subject: models.EnterpriseRef("X"), Kind: kind, Severity: 0.9, Decided: decided}
	}
	commit := store.Commitment{ID: "cm-1", Subject: "enterprise:X", Scenario: "bidding", Text: "守信承诺",
		Date: d(2025, 1, 1), ValidUntil: d(2025, 12, 31)}
	for _, tc := range []struct {
		name    string
		records []models.Record
		life    Life
		params  func(*Params)
		today   models.Date
		risk    bool // X has intrinsic risk
		flags   []string
		// holderFlag: blacklist_proximity reaches H.
		holderFlag bool
	}{
		{name: "negative record counts", records: []models.Record{rec("r1", models.RecordSeriousViolation, d(2025, 3, 1))},
			today: d(2026, 1, 1), risk: true, holderFlag: true},
		{name: "positive record only: no risk, no flag", records: []models.Record{rec("r1", "red_list", d(2025, 3, 1)), rec("r2", "commendation", d(2025, 4, 1))},
			life: Life{Commitments: []store.Commitment{commit}}, today: d(2026, 1, 1)},
		{name: "neutral kind: no risk", records: []models.Record{rec("r1", "licence", d(2025, 3, 1))},
			params: func(p *Params) { p.Records.NeutralKinds = []string{"licence"} }, today: d(2026, 1, 1)},
		{name: "commitment breached", records: []models.Record{rec("r1", models.RecordPenalty, d(2025, 6, 1))},
			life: Life{Commitments: []store.Commitment{commit}}, today: d(2026, 1, 1), risk: true, flags: []string{FlagCommitmentBreached}},
		{name: "record decided after the commitment's window: not breached", records: []models.Record{rec("r1", models.RecordPenalty, d(2026, 1, 2))},
			life: Life{Commitments: []store.Commitment{commit}}, today: d(2026, 2, 1), risk: true},
		{name: "expired by its publication period", records: []models.Record{rec("r1", models.RecordSeriousViolation, d(2022, 3, 1))},
			params: func(p *Params) { p.Records.PublicationYears = map[string]int{"serious_violation": 3} }, today: d(2025, 3, 1)},
		{name: "a day before the publication period ends", records: []models.Record{rec("r1", models.RecordSeriousViolation, d(2022, 3, 1))},
			params: func(p *Params) { p.Records.PublicationYears = map[string]int{"serious_violation": 3} }, today: d(2025, 2, 28), risk: true, holderFlag: true},
		{name: "repaired", records: []models.Record{rec("r1", models.RecordSeriousViolation, d(2025, 3, 1))},
			life: Life{Repairs: []store.Repair{{ID: "rp", RecordID: "r1", Date: d(2025, 9, 1)}}, Commitments: []store.Commitment{commit}}, today: d(2026, 1, 1)},
		{name: "before the repair's date", records: []models.Record{rec("r1", models.RecordSeriousViolation, d(2025, 3, 1))},
			life: Life{Repairs: []store.Repair{{ID: "rp", RecordID: "r1", Date: d(2025, 9, 1)}}}, today: d(2025, 8, 31), risk: true, holderFlag: true},
		{name: "withdrawn on an upheld objection", records: []models.Record{rec("r1", models.RecordSeriousViolation, d(2025, 3, 1))},
			life: Life{Objections: []store.Objection{{ID: "o", RecordID: "r1", Status: store.ObjectionUpheld, Outcome: store.OutcomeWithdrawn,
				Filed: at(2025, 4, 1), Decided: at(2025, 5, 1)}}}, today: d(2026, 1, 1)},
		{name: "objection rejected: the record stands", records: []models.Record{rec("r1", models.RecordSeriousViolation, d(2025, 3, 1))},
			life: Life{Objections: []store.Objection{{ID: "o", RecordID: "r1", Status: store.ObjectionRejected,
				Filed: at(2025, 4, 1), Decided: at(2025, 5, 1)}}}, today: d(2026, 1, 1), risk: true, holderFlag: true},
		{name: "objection open: the record stands", records: []models.Record{rec("r1", models.RecordSeriousViolation, d(2025, 3, 1))},
			life:  Life{Objections: []store.Objection{{ID: "o", RecordID: "r1", Status: store.ObjectionOpen, Filed: at(2025, 4, 1)}}},
			today: d(2026, 1, 1), risk: true, holderFlag: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &store.Batch{
				Enterprises:   []models.Enterprise{{Key: "X", Name: "X", Status: models.StatusActive}, {Key: "H", Name: "H", Status: models.StatusActive}},
				Persons:       []models.Person{{PID: "P", Name: "P"}},
				Roles:         []models.Role{{Person: "P", Enterprise: "X", Kind: models.RoleLegalRep, Since: d(2020, 1, 1)}},
				Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef("H"), Enterprise: "X", Ratio: 0.6}},
				Records:       tc.records,
			}
			g := projectBatch(t, b)
			p := DefaultParams()
			if tc.params != nil {
				tc.params(&p)
			}
			res, err := Compute(context.Background(), g, Options{Params: p, Today: tc.today, Life: &tc.life})
			if err != nil {
				t.Fatal(err)
			}
			x, _ := g.Lookup(models.EnterpriseRef("X"))
			h, _ := g.Lookup(models.EnterpriseRef("H"))
			if got := res.Intrinsic.Risk[x] > 0; got != tc.risk {
				t.Errorf("X has intrinsic risk %v (%g), want %v", got, res.Intrinsic.Risk[x], tc.risk)
			}
			if !tc.risk && res.Score[x] != 0 {
				t.Errorf("X's score %g, want 0: a record that does not count raised it", res.Score[x])
			}
			if got := res.Flags.KindsOf(x); !slices.Equal(got, tc.flags) {
				t.Errorf("X's flags %v, want %v", got, tc.flags)
			}
			if got := slices.Contains(res.Flags.KindsOf(h), FlagBlacklistProximity); got != tc.holderFlag {
				t.Errorf("blacklist_proximity on the holder: %v, want %v", got, tc.holderFlag)
			}
		})
	}
}

// TestPersonCommitmentBreached: a person's commitment (an appointee's) is
// breached by the person's own record decided inside its window, and only
// the person carries the flag, not the enterprise they represent.
func TestPersonCommitmentBreached(t *testing.T) {
	d := models.NewDate
	b := &store.Batch{
		Enterprises: []models.Enterprise{{Key: "X", Name: "X", Status: models.StatusActive}},
		Persons:     []models.Person{{PID: "P", Name: "P"}},
		Roles:       []models.Role{{Person: "P", Enterprise: "X", Kind: models.RoleLegalRep, Since: d(2020, 1, 1)}},
		Records:     []models.Record{{ID: "r1", Subject: models.PersonRef("P"), Kind: models.RecordDishonestDebtor, Severity: 0.6, Decided: d(2025, 6, 1)}},
	}
	g := projectBatch(t, b)
	life := &Life{Commitments: []store.Commitment{{ID: "cm-p", Subject: "person:P", Scenario: "appointment", Text: "守信承诺",
		Date: d(2025, 1, 1), ValidUntil: d(2025, 12, 31)}}}
	res, err := Compute(context.Background(), g, Options{Params: DefaultParams(), Today: d(2026, 1, 1), Life: life})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := g.Lookup(models.PersonRef("P"))
	x, _ := g.Lookup(models.EnterpriseRef("X"))
	if !slices.Contains(res.Flags.KindsOf(p), FlagCommitmentBreached) {
		t.Errorf("P's flags %v, want %s", res.Flags.KindsOf(p), FlagCommitmentBreached)
	}
	if slices.Contains(res.Flags.KindsOf(x), FlagCommitmentBreached) {
		t.Errorf("X carries %s for its legal representative's commitment", FlagCommitmentBreached)
	}
}

// TestRecordCorrected: an upheld objection that corrected a record's
// severity lowers its intrinsic risk from the decision on, not before.
func TestRecordCorrected(t *testing.T) {
	d := models.NewDate
	b := &store.Batch{Enterprises: []models.Enterprise{{Key: "X", Name: "X", Status: models.StatusActive}},
		Records: []models.Record{{ID: "r1", Subject: models.EnterpriseRef("X"), Kind: models.RecordPenalty, Severity: 0.9, Decided: d(2025, 3, 1)}}}
	g := projectBatch(t, b)
	sev := 0.1
	life := &Life{Objections: []store.Objection{{ID: "o", RecordID: "r1", Status: store.ObjectionUpheld, Outcome: store.OutcomeCorrected,
		Severity: &sev, Filed: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Decided: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}}}
	risk := func(today models.Date, l *Life) float64 {
		res, err := Compute(context.Background(), g, Options{Params: DefaultParams(), Today: today, Life: l})
		if err != nil {
			t.Fatal(err)
		}
		x, _ := g.Lookup(models.EnterpriseRef("X"))
		return res.Intrinsic.Risk[x]
	}
	before, uncorrected := risk(d(2025, 5, 31), life), risk(d(2025, 6, 2), nil)
	after := risk(d(2025, 6, 2), life)
	if !(after > 0 && after < uncorrected/5) {
		t.Errorf("corrected risk %g, want well below the uncorrected %g", after, uncorrected)
	}
	if before < uncorrected*0.9 {
		t.Errorf("risk the day before the correction %g, want about the uncorrected %g", before, uncorrected)
	}
}

// TestScoreReadsTheCreditFile: engine.Score reads repairs and
// commitments from the store, and an incremental run after a repair
// lowers the score as a full run does.
func TestScoreReadsTheCreditFile(t *testing.T) {
	ctx := context.Background()
	d := models.NewDate
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.WriteBatch(ctx, &store.Batch{
		Enterprises:   []models.Enterprise{{Key: "X", Name: "X", Status: models.StatusActive}, {Key: "Y", Name: "Y", Status: models.StatusActive}},
		Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef("X"), Enterprise: "Y", Ratio: 0.8}},
		Records:       []models.Record{{ID: "r1", Subject: models.EnterpriseRef("X"), Kind: models.RecordPenalty, Severity: 0.6, Decided: d(2025, 6, 1)}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveCommitment(ctx, store.Commitment{ID: "cm", Subject: "enterprise:X", Scenario: "bidding", Text: "承诺",
		Date: d(2025, 1, 1), ValidUntil: d(2026, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	opts := Options{Params: DefaultParams(), Today: d(2026, 1, 10)}
	now := func() time.Time { return time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC) }
	res, _, err := Score(ctx, st, opts, "run-1", now)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := res.Graph.Lookup(models.EnterpriseRef("X"))
	if !slices.Contains(res.Flags.KindsOf(x), FlagCommitmentBreached) || res.Score[x] == 0 {
		t.Fatalf("before the repair: flags %v, score %g", res.Flags.KindsOf(x), res.Score[x])
	}
	if err := st.SaveRepair(ctx, store.Repair{ID: "rp", RecordID: "r1", Subject: "enterprise:X", Date: d(2026, 1, 5), Basis: "已履行"}); err != nil {
		t.Fatal(err)
	}
	opts.Incremental = true
	res, _, err = Score(ctx, st, opts, "run-2", now)
	if err != nil {
		t.Fatal(err)
	}
	x, _ = res.Graph.Lookup(models.EnterpriseRef("X"))
	y, _ := res.Graph.Lookup(models.EnterpriseRef("Y"))
	if res.Score[x] > 1e-6 || res.Score[y] > 1e-6 || len(res.Flags.KindsOf(x)) != 0 {
		t.Errorf("after the repair (incremental): X %g %v, Y %g; want 0, no flags", res.Score[x], res.Flags.KindsOf(x), res.Score[y])
	}
	e, err := st.Enterprise(ctx, "X")
	if err != nil || e.Risk == nil || e.Risk.Score > 1e-6 || len(e.Risk.Flags) != 0 {
		t.Errorf("stored result of X after the repair: %+v %v", e.Risk, err)
	}
}
