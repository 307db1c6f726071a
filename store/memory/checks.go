package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"riskgraph/store"
)

var _ store.CheckStore = (*Store)(nil)

// checkRow is the journal form of one credit check: its fields and its
// body (the answer's JSON, kept as it is).
type checkRow struct {
	store.CreditCheck
	Body json.RawMessage `json:"body"`
}

// checks holds credit checks by id.
type checks struct {
	byID map[string]*store.CreditCheck
}

func (c *checks) apply(rows []checkRow) {
	if len(rows) == 0 {
		return
	}
	if c.byID == nil {
		c.byID = make(map[string]*store.CreditCheck, len(rows))
	}
	for _, r := range rows {
		x := r.CreditCheck
		x.Body = r.Body
		c.byID[x.ID] = &x
	}
}

// snapshot emits every check, compactRows at a time.
func (c *checks) snapshot(emit func(*entry) error) error {
	ids := make([]string, 0, len(c.byID))
	for id := range c.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for lo := 0; lo < len(ids); lo += compactRows {
		var rows []checkRow
		for _, id := range ids[lo:min(lo+compactRows, len(ids))] {
			x := c.byID[id]
			rows = append(rows, checkRow{CreditCheck: *x, Body: x.Body})
		}
		if err := emit(&entry{Checks: rows}); err != nil {
			return err
		}
	}
	return nil
}

// SaveChecks journals new checks in one record.
func (s *Store) SaveChecks(ctx context.Context, cs []store.CreditCheck) error {
	if len(cs) == 0 {
		return nil
	}
	if err := store.ValidateChecks(cs); err != nil {
		return err
	}
	rows := make([]checkRow, len(cs))
	s.mu.RLock()
	for i, c := range cs {
		if _, dup := s.g.checks.byID[c.ID]; dup {
			s.mu.RUnlock()
			return fmt.Errorf("%w: check %q exists already; a check is never replaced", store.ErrInvalid, c.ID)
		}
		body := c.Body
		c.Body = nil
		rows[i] = checkRow{CreditCheck: c, Body: slices.Clone(body)}
	}
	s.mu.RUnlock()
	return s.commit(ctx, &entry{Checks: rows})
}

// Check returns one check with its body.
func (s *Store) Check(_ context.Context, id string) (store.CreditCheck, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.CreditCheck{}, err
	}
	c, ok := s.g.checks.byID[id]
	if !ok {
		return store.CreditCheck{}, fmt.Errorf("credit check %q: %w", id, store.ErrNotFound)
	}
	out := *c
	out.Body = slices.Clone(c.Body)
	return out, nil
}

// CheckCounts counts checks by scenario and verdict.
func (s *Store) CheckCounts(_ context.Context, q store.CheckQuery) ([]store.CheckCount, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	type sv struct{ scenario, verdict string }
	n := map[sv]int{}
	for _, c := range s.g.checks.byID {
		if store.MatchCheck(*c, q) {
			n[sv{c.Scenario, c.Verdict}]++
		}
	}
	out := make([]store.CheckCount, 0, len(n))
	for k, v := range n {
		out = append(out, store.CheckCount{Scenario: k.scenario, Verdict: k.verdict, Count: v})
	}
	store.SortCheckCounts(out)
	return out, nil
}
