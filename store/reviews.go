package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"riskgraph/models"
)

// The match review queue (docs/ingest.md, "Matching at ingest"): a row
// whose enterprise the loader resolved from a name or an old code with a
// score between the review and the accept threshold is not written to the
// graph but held here, with what the matcher saw, until an inspector
// accepts one of the candidates (the row is then written, attached to it)
// or rejects them all.

// ErrDecided: the review entry was decided before; a decision is final.
// It is an ErrConflict.
var ErrDecided = fmt.Errorf("already decided: %w", ErrConflict)

// Review statuses.
const (
	ReviewPending  = "pending"
	ReviewAccepted = "accepted"
	ReviewRejected = "rejected"
)

// Review is one entry of the match review queue.
type Review struct {
	// ID is the entry's fingerprint: a hash of the data set, the field and
	// the normalised query (ingest.ReviewID), so that loading the same
	// rows again finds the entry instead of queuing it again.
	ID     string `json:"id"`
	Source string `json:"source"`
	// File, Line and Field say where the reference was read: Field is the
	// canonical field (subject, enterprise, holder, branch or parent),
	// Column the source column when a mapping named it otherwise.
	File   string `json:"file"`
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Column string `json:"column,omitempty"`
	// Query is what the matcher was asked (no identity numbers: a row's
	// persons are pids by then).
	Query MatchQuery `json:"query"`
	// Candidates are the matcher's best candidates, best first.
	Candidates []ReviewCandidate `json:"candidates"`
	// Rows are the relationships, records and licences waiting on this
	// reference, to write once it is decided: the reference of Field empty
	// in each, every other reference resolved. Queuing the entry again adds
	// the rows it does not hold yet, up to MaxReviewRows.
	Rows    Batch     `json:"rows"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	// Key is the enterprise chosen (accepted only); DecidedBy the API key
	// id that decided, Decided when.
	Key       string     `json:"key,omitempty"`
	DecidedBy string     `json:"decided_by,omitempty"`
	Decided   *time.Time `json:"decided,omitempty"`
}

// MatchQuery is the query a review entry's reference was matched with.
type MatchQuery struct {
	Name     string `json:"name,omitempty" mask:"public"` // an enterprise's name
	OrgCode  string `json:"org_code,omitempty"`
	RegNo    string `json:"reg_no,omitempty"`
	Address  string `json:"address,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Region   string `json:"region,omitempty"`
	LegalRep string `json:"legal_rep,omitempty" mask:"name"` // a person's name
}

// ReviewCandidate is one enterprise the matcher proposed, with its score
// and per-feature agreement.
type ReviewCandidate struct {
	Key      string          `json:"key"`
	Name     string          `json:"name" mask:"public"` // an enterprise's registered name
	Score    float64         `json:"score"`
	Features []ReviewFeature `json:"features,omitempty"`
}

// ReviewFeature is how far one feature of the query agreed with a
// candidate, in [0,1] (match.Features).
type ReviewFeature struct {
	Feature   string  `json:"feature"`
	Agreement float64 `json:"agreement"`
}

// Candidate returns the candidate with the given key.
func (r *Review) Candidate(key string) (ReviewCandidate, bool) {
	i := slices.IndexFunc(r.Candidates, func(c ReviewCandidate) bool { return c.Key == key })
	if i < 0 {
		return ReviewCandidate{}, false
	}
	return r.Candidates[i], true
}

// MaxReviewRows bounds the rows one entry holds. Rows past it are not
// held; a load run again after the decision attaches them (or refuses
// them) by the decision.
const MaxReviewRows = 1000

// Validate checks an entry before it is queued: an id, a field, one to
// MaxReviewRows rows, pending.
func (r *Review) Validate() error {
	switch {
	case r.ID == "" || len(r.ID) > 128:
		return fmt.Errorf("%w: review entry: id is empty or longer than 128 characters", ErrInvalid)
	case r.Field == "":
		return fmt.Errorf("%w: review entry %s: field is empty", ErrInvalid, r.ID)
	case r.Rows.Len() < 1 || r.Rows.Len() > MaxReviewRows:
		return fmt.Errorf("%w: review entry %s: holds %d rows, want 1 to %d", ErrInvalid, r.ID, r.Rows.Len(), MaxReviewRows)
	case r.Rows.Len() != len(r.Rows.Shareholdings)+len(r.Rows.Roles)+len(r.Rows.Branches)+len(r.Rows.Records)+len(r.Rows.Licences):
		return fmt.Errorf("%w: review entry %s: holds entities or relations; it holds shareholdings, roles, branches, records and licences only", ErrInvalid, r.ID)
	case r.Status != ReviewPending:
		return fmt.Errorf("%w: review entry %s: status %q; entries are queued pending", ErrInvalid, r.ID, r.Status)
	case r.Created.IsZero():
		return fmt.Errorf("%w: review entry %s: no creation time", ErrInvalid, r.ID)
	}
	for i, c := range r.Candidates {
		if c.Key == "" {
			return fmt.Errorf("%w: review entry %s: candidate %d has no key", ErrInvalid, r.ID, i)
		}
	}
	return nil
}

// AddRows adds to r the rows of more that it does not hold yet (equal
// values are the same row), up to MaxReviewRows, and reports whether it
// added any.
func (r *Review) AddRows(more Batch) bool {
	before := r.Rows.Len()
	room := func() int { return MaxReviewRows - r.Rows.Len() }
	addNew(&r.Rows.Shareholdings, more.Shareholdings, room())
	addNew(&r.Rows.Roles, more.Roles, room())
	addNew(&r.Rows.Branches, more.Branches, room())
	addNew(&r.Rows.Records, more.Records, room())
	addNew(&r.Rows.Licences, more.Licences, room())
	return r.Rows.Len() > before
}

// addNew appends to *have the values of more it does not hold, at most room.
func addNew[T comparable](have *[]T, more []T, room int) {
	for _, x := range more {
		if room <= 0 {
			return
		}
		if !slices.Contains(*have, x) {
			*have = append(*have, x)
			room--
		}
	}
}

// Attached returns the entry's rows with the reference of its Field set
// to the enterprise key and their match score set to score (the lower of
// it and a score a row already has, when another of its references was
// matched too).
func (r *Review) Attached(key string, score float64) Batch {
	lower := func(old float64) float64 {
		if old > 0 && old < score {
			return old
		}
		return score
	}
	var b Batch
	for _, x := range r.Rows.Shareholdings {
		if r.Field == "holder" {
			x.Holder = models.EnterpriseRef(key)
		} else {
			x.Enterprise = key
		}
		x.MatchScore = lower(x.MatchScore)
		b.Shareholdings = append(b.Shareholdings, x)
	}
	for _, x := range r.Rows.Roles {
		x.Enterprise, x.MatchScore = key, lower(x.MatchScore)
		b.Roles = append(b.Roles, x)
	}
	for _, x := range r.Rows.Branches {
		if r.Field == "parent" {
			x.Parent = key
		} else {
			x.Branch = key
		}
		x.MatchScore = lower(x.MatchScore)
		b.Branches = append(b.Branches, x)
	}
	for _, x := range r.Rows.Records {
		x.Subject, x.MatchScore = models.EnterpriseRef(key), lower(x.MatchScore)
		b.Records = append(b.Records, x)
	}
	for _, x := range r.Rows.Licences {
		x.Enterprise, x.MatchScore = key, lower(x.MatchScore)
		b.Licences = append(b.Licences, x)
	}
	return b
}

// ReviewDecision is an inspector's decision on a pending entry.
type ReviewDecision struct {
	Status string    // ReviewAccepted or ReviewRejected
	Key    string    // the chosen candidate (accepted only)
	By     string    // the API key id that decided
	At     time.Time // when
}

// Validate checks a decision.
func (d ReviewDecision) Validate() error {
	switch {
	case d.Status == ReviewAccepted && d.Key == "":
		return fmt.Errorf("%w: an accepted review names the chosen enterprise's key", ErrInvalid)
	case d.Status == ReviewRejected && d.Key != "":
		return fmt.Errorf("%w: a rejected review names no key", ErrInvalid)
	case d.Status != ReviewAccepted && d.Status != ReviewRejected:
		return fmt.Errorf("%w: decision %q: use %s or %s", ErrInvalid, d.Status, ReviewAccepted, ReviewRejected)
	case d.At.IsZero():
		return fmt.Errorf("%w: a decision has a time", ErrInvalid)
	}
	return nil
}

// Apply returns r decided by d.
func (r Review) Apply(d ReviewDecision) Review {
	at := d.At.UTC()
	r.Status, r.Key, r.DecidedBy, r.Decided = d.Status, d.Key, d.By, &at
	return r
}

// ReviewFilter selects entries to list: by status (all when empty), after
// the cursor (the Created and ID of the last entry of the previous page;
// zero for the first page), at most Limit.
type ReviewFilter struct {
	Status       string
	AfterCreated time.Time
	AfterID      string
	Limit        int
}

// ReviewStore keeps the match review queue; part of Store.
type ReviewStore interface {
	// QueueReviews adds, pending, the entries whose ID the queue does not
	// hold, adds to a pending entry it holds the rows it does not hold yet
	// (Review.AddRows), and returns each given entry as the queue holds it
	// after the call: a new one as given, a known one as stored (with its
	// decision, if any; a decided entry takes no rows). Queuing the same
	// entries again changes nothing.
	QueueReviews(ctx context.Context, rs []Review) ([]Review, error)
	// Review returns one entry, or ErrNotFound.
	Review(ctx context.Context, id string) (Review, error)
	// ReviewsByID returns the entries among ids that the queue holds, in
	// the order of ids.
	ReviewsByID(ctx context.Context, ids []string) ([]Review, error)
	// Reviews lists entries oldest first (Created, then ID), filtered and
	// paged by f.
	Reviews(ctx context.Context, f ReviewFilter) ([]Review, error)
	// DecideReview records d on the pending entry id and, in the same
	// transaction, writes batch (the held row attached to the chosen
	// enterprise when accepting; nil writes nothing). It returns the entry
	// as decided. An unknown id is ErrNotFound; an entry decided before is
	// ErrDecided, returned with the entry as it is, and nothing is written.
	DecideReview(ctx context.Context, id string, d ReviewDecision, batch *Batch) (Review, error)
}

// SortReviews orders entries oldest first, then by id.
func SortReviews(rs []Review) {
	slices.SortFunc(rs, func(a, b Review) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// After reports whether r comes after the cursor of f.
func (f ReviewFilter) After(r Review) bool {
	if f.AfterCreated.IsZero() && f.AfterID == "" {
		return true
	}
	if c := r.Created.Compare(f.AfterCreated); c != 0 {
		return c > 0
	}
	return r.ID > f.AfterID
}
