package credit

import (
	"context"

	"riskgraph/models"
	"riskgraph/store"
)

// RecordState is a record's place in the credit file on a day, as
// profiles, record views and the public page show it: its polarity,
// whether it still counts, when and why it stopped (it stays in the
// history), whether it is under objection or was corrected.
type RecordState struct {
	Record   string `json:"record"` // the record's id
	Polarity string `json:"polarity"`
	// Counts: the record is in force on the day (not removed, repaired,
	// withdrawn, nor past its publication period).
	Counts bool        `json:"counts"`
	Ended  models.Date `json:"ended"`
	// Reason it stopped counting: removed, expired, repaired or withdrawn.
	Reason string `json:"reason,omitempty"`
	// PublishedUntil is the end of its publication period (null: until removed).
	PublishedUntil models.Date    `json:"published_until"`
	UnderObjection *ObjectionMark `json:"under_objection,omitempty"`
	// Severity is the corrected severity when an upheld objection corrected it.
	Corrected *float64 `json:"corrected_severity,omitempty"`
}

// StateOf is the state of record r on day d.
func StateOf(cat *Catalogue, r models.Record, life *store.RecordLife, d models.Date) RecordState {
	years := cat.PublicationYears(r.Kind)
	s := RecordState{Record: r.ID, Polarity: cat.Polarity(r.Kind)}
	if years > 0 && !r.Decided.IsZero() {
		s.PublishedUntil = store.PublicationEnd(r.Decided, years)
	}
	s.Ended, s.Reason = life.EndsOn(r, years, d).First()
	s.Counts = s.Ended.IsZero() && !r.Decided.IsZero() && !r.Decided.After(d.Time)
	if o := life.OpenOn(d); o != nil {
		s.UnderObjection = &ObjectionMark{ID: o.ID, Filed: models.ChinaDate(o.Filed), Reason: o.Reason}
	}
	if c, ok := life.CorrectedOn(r, d); ok {
		sev := c.Severity
		s.Corrected = &sev
	}
	return s
}

// Commitments lists the commitments of an enterprise made by asOf, each
// with the records that breach it (the rule of checks and of the engine's
// commitment_breached flag).
func (c *Checker) Commitments(ctx context.Context, subject models.Ref, asOf models.Date) ([]CommitmentView, error) {
	f, err := c.gather(ctx, Request{Subject: subject, AsOf: asOf}, map[string]bool{}, nil)
	if err != nil {
		return nil, err
	}
	return commitmentsOf(c.Catalogue, f, asOf), nil
}
