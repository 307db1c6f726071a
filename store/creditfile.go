package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"riskgraph/models"
)

// The credit file's life (docs/credit-checks.md, "The credit file's
// life"): an entity's credit commitments (信用承诺), objections (异议)
// against its records and their decisions, and repairs (信用修复). None
// of them changes a record's row: they are kept beside the records, dated,
// and read by the credit checks (package credit) and by the engine, which
// stop counting a record from the day it was repaired or withdrawn.

// Commitment is an entity's credit commitment: what it promised, for which
// scenario, from Date until ValidUntil (inclusive). A negative record
// decided inside that window breaches it (Covers; the engine's
// commitment_breached flag).
type Commitment struct {
	ID string `json:"id"`
	// Subject is "enterprise:<key>".
	Subject    string      `json:"subject"`
	Scenario   string      `json:"scenario"`
	Text       string      `json:"text"`
	Date       models.Date `json:"date"`
	ValidUntil models.Date `json:"valid_until"`
	Created    time.Time   `json:"created"`
	// KeyID is the API key id of whoever recorded it.
	KeyID string `json:"key_id"`
}

// Covers reports whether a decision on day d falls inside the
// commitment's window: Date ≤ d ≤ ValidUntil. The one definition of a
// breach, for checks and the engine alike.
func (c Commitment) Covers(d models.Date) bool {
	return !d.IsZero() && !d.Before(c.Date.Time) && !d.After(c.ValidUntil.Time)
}

// Objection statuses and the outcomes of an upheld one.
const (
	ObjectionOpen     = "open"
	ObjectionUpheld   = "upheld"   // the record is withdrawn or corrected
	ObjectionRejected = "rejected" // the record stands
	OutcomeWithdrawn  = "withdrawn"
	OutcomeCorrected  = "corrected"
)

// Objection is an objection (异议) filed against a record, and its decision.
type Objection struct {
	ID       string `json:"id"`
	RecordID string `json:"record_id"`
	// Subject is the record's holder, "enterprise:<key>" or "person:<pid>".
	Subject     string    `json:"subject"`
	Reason      string    `json:"reason"`
	Attachments []string  `json:"attachments"`
	Filed       time.Time `json:"filed"`
	FiledBy     string    `json:"filed_by"`
	Status      string    `json:"status"`
	// The decision, once made.
	Outcome   string    `json:"outcome,omitempty"`
	Decided   time.Time `json:"decided,omitzero"`
	DecidedBy string    `json:"decided_by,omitempty"`
	Note      string    `json:"note,omitempty"`
	// Severity is the corrected severity (outcome corrected); nil keeps it.
	Severity *float64 `json:"severity,omitempty"`
}

// ObjectionDecision decides an open objection.
type ObjectionDecision struct {
	Status   string // ObjectionUpheld or ObjectionRejected
	Outcome  string // for upheld: OutcomeWithdrawn or OutcomeCorrected
	Severity *float64
	Note     string
	By       string
	At       time.Time
}

// Repair is a credit repair (信用修复) of a record: from Date on the record
// no longer counts. A record is repaired once.
type Repair struct {
	ID       string      `json:"id"`
	RecordID string      `json:"record_id"`
	Subject  string      `json:"subject"`
	Date     models.Date `json:"date"`
	Basis    string      `json:"basis"`
	Created  time.Time   `json:"created"`
	KeyID    string      `json:"key_id"`
}

// CreditFileStore keeps commitments, objections and repairs; part of Store.
// Every write advances the data generation (cached answers that show a
// record's state are then recomputed).
type CreditFileStore interface {
	// SaveCommitment stores a new commitment. A missing field, a window
	// that ends before it starts, or an id that exists is ErrInvalid.
	SaveCommitment(ctx context.Context, c Commitment) error
	// Commitments lists the commitments of subject ("" for every subject),
	// by date, then id.
	Commitments(ctx context.Context, subject string) ([]Commitment, error)
	// FileObjection stores a new, open objection. A missing field or an
	// existing id is ErrInvalid; a record with an open objection already
	// is ErrConflict.
	FileObjection(ctx context.Context, o Objection) error
	// DecideObjection records the decision of an open objection and
	// returns it decided: ErrNotFound for an unknown id, ErrConflict when
	// it is decided already, ErrInvalid for a decision that is not one.
	DecideObjection(ctx context.Context, id string, d ObjectionDecision) (Objection, error)
	// SaveRepair stores a repair: ErrInvalid for a missing field or an id
	// that exists, ErrConflict when the record is repaired already.
	SaveRepair(ctx context.Context, r Repair) error
	// RecordFiles returns the objections (by filing time, then id) and
	// repairs of the given records; every record's when ids is nil.
	RecordFiles(ctx context.Context, ids []string) ([]Objection, []Repair, error)
}

// ValidateCommitment checks a new commitment.
func ValidateCommitment(c Commitment) error {
	switch {
	case c.ID == "" || c.Subject == "" || c.Scenario == "" || strings.TrimSpace(c.Text) == "":
		return fmt.Errorf("%w: a commitment needs an id, a subject, a scenario and its text", ErrInvalid)
	case c.Date.IsZero() || c.ValidUntil.IsZero():
		return fmt.Errorf("%w: a commitment needs its date and valid_until", ErrInvalid)
	case c.ValidUntil.Before(c.Date.Time):
		return fmt.Errorf("%w: commitment valid_until %s is before its date %s", ErrInvalid, c.ValidUntil, c.Date)
	}
	return nil
}

// ValidateObjection checks a new objection.
func ValidateObjection(o Objection) error {
	switch {
	case o.ID == "" || o.RecordID == "" || o.Subject == "" || strings.TrimSpace(o.Reason) == "" || o.Filed.IsZero():
		return fmt.Errorf("%w: an objection needs an id, a record, its subject, a reason and the time it was filed", ErrInvalid)
	case o.Status != ObjectionOpen:
		return fmt.Errorf("%w: a new objection is open, not %q", ErrInvalid, o.Status)
	}
	return nil
}

// ValidateRepair checks a new repair.
func ValidateRepair(r Repair) error {
	if r.ID == "" || r.RecordID == "" || r.Subject == "" || r.Date.IsZero() || strings.TrimSpace(r.Basis) == "" {
		return fmt.Errorf("%w: a repair needs an id, a record, its subject, a date and its basis", ErrInvalid)
	}
	return nil
}

// Decide applies a decision to an open objection: the objection as
// decided, ErrConflict when it is not open, ErrInvalid when d is no
// decision. Both backends call it.
func (o Objection) Decide(d ObjectionDecision) (Objection, error) {
	if o.Status != ObjectionOpen {
		return o, fmt.Errorf("%w: objection %s was decided already (%s on %s); a decision is final", ErrConflict, o.ID, o.Status, o.Decided.Format(time.DateOnly))
	}
	switch {
	case d.Status == ObjectionRejected && (d.Outcome != "" || d.Severity != nil):
		return o, fmt.Errorf("%w: a rejected objection has no outcome: the record stands", ErrInvalid)
	case d.Status == ObjectionUpheld && d.Outcome == OutcomeWithdrawn && d.Severity != nil:
		return o, fmt.Errorf("%w: a withdrawn record has no corrected severity", ErrInvalid)
	case d.Status == ObjectionUpheld && d.Outcome == OutcomeCorrected && (d.Severity == nil || *d.Severity < 0 || *d.Severity > 1):
		return o, fmt.Errorf("%w: a corrected record needs its corrected severity in [0,1]", ErrInvalid)
	case d.Status == ObjectionUpheld && d.Outcome != OutcomeWithdrawn && d.Outcome != OutcomeCorrected:
		return o, fmt.Errorf("%w: an upheld objection's outcome is withdrawn or corrected, not %q", ErrInvalid, d.Outcome)
	case d.Status != ObjectionUpheld && d.Status != ObjectionRejected:
		return o, fmt.Errorf("%w: decide an objection upheld or rejected, not %q", ErrInvalid, d.Status)
	case d.By == "" || d.At.IsZero():
		return o, fmt.Errorf("%w: a decision needs who made it and when", ErrInvalid)
	}
	o.Status, o.Outcome, o.Severity, o.Note, o.DecidedBy, o.Decided = d.Status, d.Outcome, d.Severity, d.Note, d.By, d.At.UTC()
	return o, nil
}

// SortCommitments orders commitments by date, then id.
func SortCommitments(cs []Commitment) {
	slices.SortFunc(cs, func(a, b Commitment) int {
		if c := a.Date.Compare(b.Date.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// SortObjections orders objections by filing time, then id.
func SortObjections(os []Objection) {
	slices.SortFunc(os, func(a, b Objection) int {
		if c := a.Filed.Compare(b.Filed); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// SortRepairs orders repairs by record id.
func SortRepairs(rs []Repair) {
	slices.SortFunc(rs, func(a, b Repair) int { return strings.Compare(a.RecordID, b.RecordID) })
}

// Reasons a record stops counting (RecordLife.End).
const (
	EndRemoved   = "removed"   // formally removed (the record's own date)
	EndExpired   = "expired"   // its publication period ended
	EndRepaired  = "repaired"  // credit repair
	EndWithdrawn = "withdrawn" // an upheld objection withdrew it
)

// RecordLife is what the credit file says of one record besides its row:
// its objections and its repair.
type RecordLife struct {
	Objections []Objection `json:"objections"`
	Repair     *Repair     `json:"repair"`
}

// Lives groups objections and repairs by record id.
func Lives(objections []Objection, repairs []Repair) map[string]*RecordLife {
	out := map[string]*RecordLife{}
	get := func(id string) *RecordLife {
		l := out[id]
		if l == nil {
			l = &RecordLife{Objections: []Objection{}}
			out[id] = l
		}
		return l
	}
	for _, o := range objections {
		l := get(o.RecordID)
		l.Objections = append(l.Objections, o)
	}
	for i := range repairs {
		get(repairs[i].RecordID).Repair = &repairs[i]
	}
	return out
}

// OpenOn returns the objection open on day d: filed on or before d and
// not decided by then (nil when none).
func (l *RecordLife) OpenOn(d models.Date) *Objection {
	if l == nil {
		return nil
	}
	for i := range l.Objections {
		o := &l.Objections[i]
		if !models.ChinaDate(o.Filed).After(d.Time) && (o.Status == ObjectionOpen || models.ChinaDate(o.Decided).After(d.Time)) {
			return o
		}
	}
	return nil
}

// upheld returns the first upheld objection with the given outcome decided
// on or before d.
func (l *RecordLife) upheld(outcome string, d models.Date) *Objection {
	if l == nil {
		return nil
	}
	for i := range l.Objections {
		o := &l.Objections[i]
		if o.Status == ObjectionUpheld && o.Outcome == outcome && !models.ChinaDate(o.Decided).After(d.Time) {
			return o
		}
	}
	return nil
}

// RecordEnds are the days from which a record stops counting, each zero when it
// does not happen (or has not happened by the day asked about).
type RecordEnds struct {
	Removed, Expired, Repaired, Withdrawn models.Date
}

// EndsOn returns the ends of record r known on day d: its removal, the end
// of its publication period (years after its decision; 0 years: none), its
// repair and its withdrawal, each only when on or before d.
func (l *RecordLife) EndsOn(r models.Record, publicationYears int, d models.Date) RecordEnds {
	var e RecordEnds
	on := func(x models.Date) models.Date {
		if x.IsZero() || x.After(d.Time) {
			return models.Date{}
		}
		return x
	}
	e.Removed = on(r.Removed)
	if publicationYears > 0 && !r.Decided.IsZero() {
		e.Expired = on(PublicationEnd(r.Decided, publicationYears))
	}
	if l != nil && l.Repair != nil {
		e.Repaired = on(l.Repair.Date)
	}
	if o := l.upheld(OutcomeWithdrawn, d); o != nil {
		e.Withdrawn = models.ChinaDate(o.Decided)
	}
	return e
}

// First returns the earliest end and its reason ("" when none).
func (e RecordEnds) First() (models.Date, string) {
	var at models.Date
	reason := ""
	for _, x := range []struct {
		d models.Date
		r string
	}{{e.Withdrawn, EndWithdrawn}, {e.Removed, EndRemoved}, {e.Repaired, EndRepaired}, {e.Expired, EndExpired}} {
		if !x.d.IsZero() && (at.IsZero() || x.d.Before(at.Time)) {
			at, reason = x.d, x.r
		}
	}
	return at, reason
}

// CorrectedOn returns r as corrected by an upheld objection decided on or
// before d (its severity replaced), and whether it was.
func (l *RecordLife) CorrectedOn(r models.Record, d models.Date) (models.Record, bool) {
	o := l.upheld(OutcomeCorrected, d)
	if o == nil || o.Severity == nil {
		return r, false
	}
	r.Severity = *o.Severity
	return r, true
}

// PublicationEnd is the first day a record decided on decided is no longer
// published, years years on.
func PublicationEnd(decided models.Date, years int) models.Date {
	return models.Date{Time: decided.AddDate(years, 0, 0)}
}
