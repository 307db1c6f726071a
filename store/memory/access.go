package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"riskgraph/store"
)

// revocation is the journal record of a revoked key.
type revocation struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// access holds API keys. The audit trail is in the audit log (audit.go).
type access struct {
	keys   map[string]*store.APIKey // by id
	byHash map[string]string        // hash → id
}

func (a *access) apply(e *entry) {
	if a.keys == nil {
		a.keys, a.byHash = map[string]*store.APIKey{}, map[string]string{}
	}
	if k := e.Key; k != nil {
		c := *k
		a.keys[c.ID] = &c
		a.byHash[c.Hash] = c.ID
	}
	if r := e.Revoke; r != nil {
		if k := a.keys[r.ID]; k != nil && k.Revoked.IsZero() {
			k.Revoked = r.At
		}
	}
}

// SaveKey inserts a new API key.
func (s *Store) SaveKey(ctx context.Context, k store.APIKey) error {
	if k.ID == "" || k.Hash == "" || k.Role == "" {
		return fmt.Errorf("%w: an API key needs an id, a hash and a role", store.ErrInvalid)
	}
	s.mu.RLock()
	_, dupID := s.g.access.keys[k.ID]
	_, dupHash := s.g.access.byHash[k.Hash]
	s.mu.RUnlock()
	if dupID || dupHash {
		return fmt.Errorf("%w: API key %q exists already", store.ErrInvalid, k.ID)
	}
	return s.commit(ctx, &entry{Key: &k})
}

// KeyByHash returns the key with the given hash.
func (s *Store) KeyByHash(_ context.Context, hash string) (store.APIKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.APIKey{}, err
	}
	id, ok := s.g.access.byHash[hash]
	if !ok {
		return store.APIKey{}, fmt.Errorf("API key: %w", store.ErrNotFound)
	}
	return *s.g.access.keys[id], nil
}

// Keys lists every key, oldest first.
func (s *Store) Keys(_ context.Context) ([]store.APIKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	out := make([]store.APIKey, 0, len(s.g.access.keys))
	for _, k := range s.g.access.keys {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b store.APIKey) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// RevokeKey marks a key revoked.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	s.mu.RLock()
	_, ok := s.g.access.keys[id]
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("API key %q: %w", id, store.ErrNotFound)
	}
	return s.commit(ctx, &entry{Revoke: &revocation{ID: id, At: at.UTC()}})
}
