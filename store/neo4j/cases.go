package neo4j

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/store"
)

var _ store.CaseStore = (*Store)(nil)

// Statements for case files: (:Case {id, title, notes, entities, view,
// nodes, created_by, updated_by, created, updated, version, archived}),
// joined to nothing; view is the explorer's state as JSON.
const (
	qSchemaCaseID = "schema_case_id"
	qCaseCreate   = "case_create"
	qCaseGet      = "case_get"
	qCaseUpdate   = "case_update"
	qCasesList    = "cases_list"
)

// caseParams are the statement parameters of c.
func caseParams(c store.Case) (map[string]any, error) {
	view, err := json.Marshal(c.View)
	if err != nil {
		return nil, err
	}
	entities := make([]any, len(c.Entities))
	for i, e := range c.Entities {
		entities[i] = e
	}
	var archived any
	if c.Archived != nil {
		archived = c.Archived.UTC()
	}
	return map[string]any{"id": c.ID, "title": c.Title, "notes": c.Notes, "entities": entities, "view": string(view),
		"nodes": len(c.View.Nodes), "created_by": c.CreatedBy, "updated_by": c.UpdatedBy, "created": c.Created.UTC(),
		"updated": c.Updated.UTC(), "version": c.Version, "archived": archived}, nil
}

// caseOf reads a case from its properties (the view when it has one).
func caseOf(p map[string]any) (store.Case, error) {
	c := store.Case{ID: str(p, "id"), Title: str(p, "title"), Notes: str(p, "notes"), Entities: []string{},
		CreatedBy: str(p, "created_by"), UpdatedBy: str(p, "updated_by"), Created: timeOf(p["created"]),
		Updated: timeOf(p["updated"]), Version: int(num(p, "version")), Nodes: int(num(p, "nodes"))}
	if xs, ok := p["entities"].([]any); ok {
		for _, x := range xs {
			if s, ok := x.(string); ok {
				c.Entities = append(c.Entities, s)
			}
		}
	}
	if t := timeOf(p["archived"]); !t.IsZero() {
		c.Archived = &t
	}
	if v := str(p, "view"); v != "" {
		c.View = &store.CaseView{}
		if err := json.Unmarshal([]byte(v), c.View); err != nil {
			return store.Case{}, fmt.Errorf("case %s: stored view: %w", c.ID, err)
		}
	}
	return c, nil
}

// CreateCase creates a case at version 1.
func (s *Store) CreateCase(ctx context.Context, c store.Case) error {
	if err := store.ValidateCase(c); err != nil {
		return err
	}
	if c.Version != 1 {
		return fmt.Errorf("%w: case %s: a new case has version 1", store.ErrInvalid, c.ID)
	}
	if _, err := s.Case(ctx, c.ID); err == nil {
		return fmt.Errorf("%w: case %s exists already", store.ErrInvalid, c.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	params, err := caseParams(c)
	if err != nil {
		return err
	}
	return s.write(ctx, "create case", func(tx driver.ManagedTransaction) error {
		_, err := runIn(ctx, tx, qCaseCreate, params)
		return err
	})
}

// Case returns one case with its view.
func (s *Store) Case(ctx context.Context, id string) (store.Case, error) {
	var out store.Case
	found := false
	err := s.collect(ctx, "read case", qCaseGet, map[string]any{"id": id},
		func() { found = false },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			c, err := caseOf(p)
			out, found = c, err == nil
			return err
		})
	if err != nil {
		return store.Case{}, err
	}
	if !found {
		return store.Case{}, fmt.Errorf("case %q: %w", id, store.ErrNotFound)
	}
	return out, nil
}

// Cases returns a page of cases without views.
func (s *Store) Cases(ctx context.Context, q store.CaseQuery) ([]store.Case, int, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = math.MaxInt32 // no limit
	}
	var out []store.Case
	total := 0
	err := s.collect(ctx, "list cases", qCasesList,
		map[string]any{"archived": q.Archived, "created_by": q.CreatedBy, "offset": max(q.Offset, 0), "limit": limit},
		func() { out, total = nil, 0 },
		func(rec *driver.Record) error {
			total = int(numOf(rec.Values[0]))
			page, _ := rec.Values[1].([]any)
			for _, x := range page {
				p, _ := x.(map[string]any)
				c, err := caseOf(p)
				if err != nil {
					return err
				}
				out = append(out, c)
			}
			return nil
		})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// UpdateCase replaces a case whose stored version is c.Version, in one
// statement that holds the node's write lock while it compares.
func (s *Store) UpdateCase(ctx context.Context, c store.Case) (store.Case, error) {
	old, err := s.Case(ctx, c.ID)
	if err != nil {
		return store.Case{}, err
	}
	next := c
	next.Version++
	next.Created, next.CreatedBy = old.Created, old.CreatedBy
	if err := store.ValidateCase(next); err != nil {
		return store.Case{}, err
	}
	params, err := caseParams(next)
	if err != nil {
		return store.Case{}, err
	}
	params["version"] = c.Version
	var stored store.Case
	replaced := false
	err = s.write(ctx, "update case", func(tx driver.ManagedTransaction) error {
		replaced = false
		res, err := tx.Run(ctx, stmt(qCaseUpdate), params)
		if err != nil {
			return err
		}
		if res.Next(ctx) {
			p, _ := res.Record().Values[0].(map[string]any)
			if stored, err = caseOf(p); err != nil {
				return err
			}
			replaced = true
		}
		_, err = res.Consume(ctx)
		return err
	})
	if err != nil {
		return store.Case{}, err
	}
	if !replaced {
		if now, err := s.Case(ctx, c.ID); err == nil {
			return store.Case{}, fmt.Errorf("case %s is at version %d, not %d: %w", c.ID, now.Version, c.Version, store.ErrStale)
		}
		return store.Case{}, fmt.Errorf("case %s changed while it was updated: %w", c.ID, store.ErrStale)
	}
	return stored, nil
}
