package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"riskgraph/models"
	"riskgraph/store"
)

// The credit file's life in the engine (docs/risk-model.md, "Record
// life"). Beside each record's row the store keeps its objections and
// repair, and each entity's credit commitments (store.CreditFileStore);
// the parameters say which kinds are positive or neutral and how long each
// kind is published (RecordParams, from the measures catalogue). Before
// anything is computed, applyLife settles on the projected records:
//
//   - a positive or neutral kind never raises risk nor flags;
//   - a record stops counting — no intrinsic risk, no flag evidence — from
//     the first day its publication period is over, it was repaired, or an
//     upheld objection withdrew it (Record.Ended), by the same rule the
//     credit checks use (store.RecordLife.EndsOn); a removal keeps the
//     faster decay of a lifted record (intrinsic.go);
//   - an upheld objection that corrected the record replaces its severity
//     from its decision on;
//   - a negative record still counting and decided inside one of its
//     subject's commitment windows raises commitment_breached
//     (store.Commitment.Covers).
//
// Every rule compares dates with the run's day, so a run answers as the
// file stood on that day.

// FlagCommitmentBreached: a negative record decided inside a credit
// commitment's window.
const FlagCommitmentBreached = "commitment_breached"

// Life is the credit file a run reads: every objection, repair and
// commitment (ReadLife).
type Life struct {
	Objections  []store.Objection
	Repairs     []store.Repair
	Commitments []store.Commitment
}

// LifeSource is where a scoring run reads the credit file.
type LifeSource interface {
	Commitments(ctx context.Context, subject string) ([]store.Commitment, error)
	RecordFiles(ctx context.Context, ids []string) ([]store.Objection, []store.Repair, error)
}

// ReadLife reads the whole credit file of src.
func ReadLife(ctx context.Context, src LifeSource) (*Life, error) {
	cs, err := src.Commitments(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("engine: commitments: %w", err)
	}
	os, rs, err := src.RecordFiles(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("engine: objections and repairs: %w", err)
	}
	return &Life{Objections: os, Repairs: rs, Commitments: cs}, nil
}

// commitmentSpan is one commitment on the projection.
type commitmentSpan struct {
	node int32
	id   string
	c    store.Commitment
}

// applyLife settles the records' life on g for day today (see above). It
// sets every record's Ended from scratch, so it may run again on the
// same graph.
func applyLife(g *Graph, rp *RecordParams, life *Life, today Day) {
	g.noRisk = make([]bool, len(g.RecordKinds))
	for i, k := range g.RecordKinds {
		g.noRisk[i] = slices.Contains(rp.PositiveKinds, k) || slices.Contains(rp.NeutralKinds, k)
	}
	var lives map[string]*store.RecordLife
	if life != nil && (len(life.Objections) > 0 || len(life.Repairs) > 0) {
		lives = store.Lives(life.Objections, life.Repairs)
	}
	years := make([]int, len(g.RecordKinds))
	anyYears := false
	for i, k := range g.RecordKinds {
		years[i] = rp.PublicationYears[k]
		anyYears = anyYears || years[i] > 0
	}
	day := today.Date()
	for i := range g.Records {
		r := &g.Records[i]
		r.Ended = NoDay
		var l *store.RecordLife
		if lives != nil {
			l = lives[g.RecordIDs.At(int32(i))]
		}
		if l == nil && (!anyYears || years[r.Kind] == 0) {
			continue
		}
		m := models.Record{Decided: r.Decided.Date(), Removed: r.Removed.Date()}
		ends := l.EndsOn(m, years[r.Kind], day)
		ends.Removed = models.Date{} // a removal decays (intrinsic.go)
		if at, _ := ends.First(); !at.IsZero() {
			r.Ended = DayOf(at)
		}
		if l != nil {
			if c, ok := l.CorrectedOn(m, day); ok {
				r.Severity = float32(c.Severity)
			}
		}
	}
	g.commitments = g.commitments[:0]
	if life == nil {
		return
	}
	for _, c := range life.Commitments {
		kind, key, _ := strings.Cut(c.Subject, ":")
		if v, ok := g.Lookup(models.Ref{Kind: models.NodeKind(kind), Key: key}); ok {
			g.commitments = append(g.commitments, commitmentSpan{node: v, id: c.ID, c: c})
		}
	}
}

// counts reports whether record ri counts on day today: decided by then,
// of a kind that raises risk, and not ended (a removed record still
// counts, decaying faster; the flags that want records in force check
// the removal themselves).
func (g *Graph) counts(ri int32, today Day) bool {
	r := &g.Records[ri]
	if r.Decided == NoDay || r.Decided > today || (r.Ended != NoDay && r.Ended <= today) {
		return false
	}
	return g.noRisk == nil || !g.noRisk[r.Kind]
}

// detectCommitments finds breached commitments: a record of the subject
// that counts on today and was decided inside the commitment's window.
// The finding names the subject, the records and the window (From, To);
// Value is the commitment's id.
func detectCommitments(g *Graph, _ *Ownership, _ *FlagParams, today Day) []Finding {
	var out []Finding
	for _, cs := range g.commitments {
		var recs []int32
		for _, ri := range g.RecordsOf(cs.node) {
			if g.counts(ri, today) && cs.c.Covers(g.Records[ri].Decided.Date()) {
				recs = append(recs, ri)
			}
		}
		if len(recs) == 0 {
			continue
		}
		out = append(out, Finding{Kind: FlagCommitmentBreached, Nodes: []int32{cs.node}, Flagged: []int32{cs.node},
			Value: cs.id + " (" + cs.c.Scenario + ")", Count: len(recs), Threshold: 1, Records: recs,
			From: DayOf(cs.c.Date), To: DayOf(cs.c.ValidUntil)})
	}
	return out
}
