package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"riskgraph/models"
)

// Duplicates inside the graph (riskgraph xref, docs/matching.md
// "Duplicates", docs/risk-model.md "SAME_AS"). An xref run writes candidate
// pairs of enterprises that are likely one company; an inspector confirms
// or rejects each. A confirmed pair is a SAME_AS link between the two
// enterprises, which traversals (traverse.go, control.go) and the engine
// treat as one entity. Undoing a decision keeps the pair and its history;
// nothing is deleted.

// Statuses of an xref pair.
const (
	XrefCandidate = "candidate" // found, not decided
	XrefConfirmed = "confirmed" // one company: a SAME_AS link
	XrefRejected  = "rejected"  // two companies
	XrefUndone    = "undone"    // a confirmation or rejection taken back
)

// XrefStatuses lists the statuses.
var XrefStatuses = []string{XrefCandidate, XrefConfirmed, XrefRejected, XrefUndone}

// Decisions on an xref pair.
const (
	DecideConfirm = "confirm"
	DecideReject  = "reject"
	DecideUndo    = "undo"
)

// XrefPair is a pair of enterprises that may be one company.
type XrefPair struct {
	// ID is derived from the two keys (XrefPairID): a pair is stored once.
	ID string `json:"id"`
	// A and B are the enterprises' keys, A < B.
	A string `json:"a"`
	B string `json:"b"`
	// Score and Evidence are the matcher's: per compared feature (name,
	// uscc, org_code, reg_no, legal_form, region, branch, address, phone,
	// email, legal_rep; the keys are these feature names, never data), how
	// far it agreed in [0,1].
	Score    float64            `json:"score"`
	Evidence map[string]float64 `json:"evidence" mask:"public"`
	// Blocks names the kinds of block that found the pair (core, phone …).
	Blocks []string `json:"blocks,omitempty"`
	Status string   `json:"status"`
	// Run is the xref run that found the pair, Found when.
	Run   string    `json:"run"`
	Found time.Time `json:"found"`
	// DecidedBy (an API key id, or "cli") and DecidedAt are those of the
	// last decision; History lists every decision, oldest first.
	DecidedBy string         `json:"decided_by,omitempty"`
	DecidedAt time.Time      `json:"decided_at,omitzero"`
	History   []XrefDecision `json:"history,omitempty"`
}

// XrefDecision is one decision on a pair.
type XrefDecision struct {
	Decision string    `json:"decision"` // confirm, reject or undo
	Status   string    `json:"status"`   // the status it led to
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// XrefQuery selects pairs: those with Status (all when empty), ordered by
// score descending then id, after the pair (AfterScore, AfterID) when
// AfterID is set, at most Limit.
type XrefQuery struct {
	Status     string
	AfterScore float64
	AfterID    string
	Limit      int
}

// XrefStore keeps the pairs of xref runs, their decisions, and the runs.
type XrefStore interface {
	// AddXrefPairs inserts, as candidates, the pairs whose ID is not yet
	// stored, and returns how many it inserted. A stored pair is left as it
	// is, whatever its status: a re-run never duplicates a pair nor reopens
	// a decided one.
	AddXrefPairs(ctx context.Context, pairs []XrefPair) (int, error)
	// XrefPair returns the pair with the given id, or ErrNotFound.
	XrefPair(ctx context.Context, id string) (XrefPair, error)
	// XrefPairs lists pairs as q selects them.
	XrefPairs(ctx context.Context, q XrefQuery) ([]XrefPair, error)
	// DecideXrefPair applies d (Decision, By, At; Status is set here) to
	// the pair: ErrNotFound for an unknown id, ErrConflict when its status
	// does not admit the decision (NextXrefStatus). Confirming makes the
	// SAME_AS link, undoing a confirmation removes it. Every decision
	// advances the data generation, so cached answers are not served again.
	DecideXrefPair(ctx context.Context, id string, d XrefDecision) (XrefPair, error)
	// SameAs returns the confirmed pairs (their SAME_AS links), by id.
	SameAs(ctx context.Context) ([]XrefPair, error)
	// SaveXrefRun inserts or replaces an xref run's record; XrefRun
	// returns it, or ErrNotFound. Xref runs are not engine runs: they are
	// kept apart from RunStore's history.
	SaveXrefRun(ctx context.Context, r Run) error
	XrefRun(ctx context.Context, id string) (Run, error)
}

// XrefPairID is the id of the pair of keys a and b (in either order).
func XrefPairID(a, b string) string {
	if a > b {
		a, b = b, a
	}
	h := sha256.Sum256([]byte(a + "\x00" + b))
	return "xp-" + hex.EncodeToString(h[:8])
}

// NextXrefStatus returns the status decision leads to from status:
// confirm and reject from candidate or undone, undo from confirmed or
// rejected. Anything else is ErrConflict (ErrInvalid for an unknown
// decision), with a message saying what the pair admits.
func NextXrefStatus(status, decision string) (string, error) {
	switch decision {
	case DecideConfirm, DecideReject:
		if status == XrefCandidate || status == XrefUndone {
			if decision == DecideConfirm {
				return XrefConfirmed, nil
			}
			return XrefRejected, nil
		}
		return "", fmt.Errorf("%w: the pair is %s; undo that decision first", ErrConflict, status)
	case DecideUndo:
		if status == XrefConfirmed || status == XrefRejected {
			return XrefUndone, nil
		}
		return "", fmt.Errorf("%w: the pair is %s; only a confirmed or rejected pair can be undone", ErrConflict, status)
	}
	return "", fmt.Errorf("%w: decision %q: use confirm, reject or undo", ErrInvalid, decision)
}

// Validate checks a pair before it is added.
func (p *XrefPair) Validate() error {
	switch {
	case p.A == "" || p.B == "" || p.A >= p.B:
		return fmt.Errorf("%w: xref pair %q/%q: two different enterprise keys, a before b", ErrInvalid, p.A, p.B)
	case p.ID != XrefPairID(p.A, p.B):
		return fmt.Errorf("%w: xref pair %s/%s: id %q is not XrefPairID", ErrInvalid, p.A, p.B, p.ID)
	case p.Run == "":
		return fmt.Errorf("%w: xref pair %s: no run", ErrInvalid, p.ID)
	}
	return nil
}

// SameAsEdge renders a confirmed pair as a subgraph edge, A to B.
func SameAsEdge(p XrefPair) Edge {
	props := map[string]any{"pair": p.ID, "score": p.Score}
	if p.DecidedBy != "" {
		props["decided_by"] = p.DecidedBy
	}
	if !p.DecidedAt.IsZero() {
		props["at"] = p.DecidedAt.UTC().Format(time.RFC3339)
	}
	return Edge{From: models.EnterpriseRef(p.A), To: models.EnterpriseRef(p.B), Type: models.RelSameAs, Props: props}
}

// SameAsSets groups the keys of confirmed pairs into sets (the connected
// components of the SAME_AS links), each sorted, the sets by first key.
func SameAsSets(pairs []XrefPair) [][]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(k string) string {
		p, ok := parent[k]
		if !ok {
			parent[k] = k
			return k
		}
		if p == k {
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	for _, p := range pairs {
		ra, rb := find(p.A), find(p.B)
		if ra != rb {
			if ra > rb {
				ra, rb = rb, ra
			}
			parent[rb] = ra
		}
	}
	bySet := map[string][]string{}
	for k := range parent {
		r := find(k)
		bySet[r] = append(bySet[r], k)
	}
	out := make([][]string, 0, len(bySet))
	for _, ks := range bySet {
		slices.Sort(ks)
		out = append(out, ks)
	}
	slices.SortFunc(out, func(x, y []string) int { return strings.Compare(x[0], y[0]) })
	return out
}

// SortXrefPairs orders pairs as XrefPairs lists them: score descending,
// then id.
func SortXrefPairs(ps []XrefPair) {
	slices.SortFunc(ps, func(x, y XrefPair) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), strings.Compare(x.ID, y.ID))
	})
}

// Selects reports whether q selects p, cursor included (not the limit).
func (q *XrefQuery) Selects(p *XrefPair) bool {
	if q.Status != "" && p.Status != q.Status {
		return false
	}
	if q.AfterID == "" {
		return true
	}
	return p.Score < q.AfterScore || (p.Score == q.AfterScore && p.ID > q.AfterID)
}
