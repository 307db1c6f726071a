package memory

import (
	"context"
	"fmt"
	"slices"

	"riskgraph/store"
)

var _ store.CaseStore = (*Store)(nil)

// Case files (store.CaseStore): each write journals the whole case as
// stored (a "case" entry), so replaying keeps the last one of each id;
// Compact writes each case once.

// cases holds case files by id.
type cases struct {
	byID map[string]*store.Case
}

func (c *cases) apply(x *store.Case) {
	if x == nil {
		return
	}
	if c.byID == nil {
		c.byID = map[string]*store.Case{}
	}
	v := *x
	c.byID[v.ID] = &v
}

// snapshot emits every case, one entry each, by id.
func (c *cases) snapshot(emit func(*entry) error) error {
	ids := make([]string, 0, len(c.byID))
	for id := range c.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := emit(&entry{Case: c.byID[id]}); err != nil {
			return err
		}
	}
	return nil
}

// CreateCase journals a new case.
func (s *Store) CreateCase(ctx context.Context, c store.Case) error {
	if err := store.ValidateCase(c); err != nil {
		return err
	}
	if c.Version != 1 {
		return fmt.Errorf("%w: case %s: a new case has version 1", store.ErrInvalid, c.ID)
	}
	s.caseMu.Lock()
	defer s.caseMu.Unlock()
	s.mu.RLock()
	_, dup := s.g.cases.byID[c.ID]
	s.mu.RUnlock()
	if dup {
		return fmt.Errorf("%w: case %s exists already", store.ErrInvalid, c.ID)
	}
	c.Nodes = len(c.View.Nodes)
	return s.commit(ctx, &entry{Case: &c})
}

// Case returns one case with its view.
func (s *Store) Case(_ context.Context, id string) (store.Case, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.Case{}, err
	}
	c, ok := s.g.cases.byID[id]
	if !ok {
		return store.Case{}, fmt.Errorf("case %q: %w", id, store.ErrNotFound)
	}
	return *c, nil // the view is never changed in place: writes replace it
}

// Cases returns a page of cases without views.
func (s *Store) Cases(_ context.Context, q store.CaseQuery) ([]store.Case, int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, 0, err
	}
	var all []store.Case
	for _, c := range s.g.cases.byID {
		if store.MatchCase(c, q) {
			x := *c
			x.View = nil
			all = append(all, x)
		}
	}
	store.SortCases(all)
	return slices.Clone(store.PageCases(all, q)), len(all), nil
}

// UpdateCase replaces a case whose stored version is c.Version.
func (s *Store) UpdateCase(ctx context.Context, c store.Case) (store.Case, error) {
	s.caseMu.Lock()
	defer s.caseMu.Unlock()
	s.mu.RLock()
	old, ok := s.g.cases.byID[c.ID]
	s.mu.RUnlock()
	if !ok {
		return store.Case{}, fmt.Errorf("case %q: %w", c.ID, store.ErrNotFound)
	}
	if old.Version != c.Version {
		return store.Case{}, fmt.Errorf("case %s is at version %d, not %d: %w", c.ID, old.Version, c.Version, store.ErrStale)
	}
	c.Version++
	c.Created, c.CreatedBy = old.Created, old.CreatedBy
	if err := store.ValidateCase(c); err != nil {
		return store.Case{}, err
	}
	c.Nodes = len(c.View.Nodes)
	if err := s.commit(ctx, &entry{Case: &c}); err != nil {
		return store.Case{}, err
	}
	return c, nil
}
