package neo4j

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/store"
)

// SaveRun inserts or replaces a run record (a :Run node).
func (s *Store) SaveRun(ctx context.Context, r store.Run) error {
	if r.ID == "" {
		return fmt.Errorf("%w: empty run id", store.ErrInvalid)
	}
	params := map[string]any{
		"id": r.ID, "started": optTime(r.Started), "finished": optTime(r.Finished), "status": r.Status,
		"generation": int64(r.Generation), "params": optJSON(r.Params), "summary": optJSON(r.Summary),
		"error": optString(r.Error),
	}
	_, err := s.writeOne(ctx, "save run", qRunSave, params)
	return err
}

// Run returns a run record.
func (s *Store) Run(ctx context.Context, id string) (store.Run, error) {
	runs, err := s.runs(ctx, qRunGet, map[string]any{"id": id})
	if err != nil {
		return store.Run{}, err
	}
	if len(runs) == 0 {
		return store.Run{}, fmt.Errorf("run %q: %w", id, store.ErrNotFound)
	}
	return runs[0], nil
}

// Runs returns up to limit runs, newest start first.
func (s *Store) Runs(ctx context.Context, limit int) ([]store.Run, error) {
	if limit < 1 {
		return []store.Run{}, nil
	}
	return s.runs(ctx, qRunsList, map[string]any{"limit": limit})
}

func (s *Store) runs(ctx context.Context, name string, params map[string]any) ([]store.Run, error) {
	var out []store.Run
	err := s.collect(ctx, "read runs", name, params,
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			out = append(out, runOf(p))
			return nil
		})
	return out, err
}

func runOf(p map[string]any) store.Run {
	gen, _ := p["generation"].(int64)
	r := store.Run{ID: str(p, "id"), Status: str(p, "status"), Generation: uint64(gen), Error: str(p, "error"),
		Started: timeOf(p["started"]), Finished: timeOf(p["finished"])}
	if v := str(p, "params"); v != "" {
		r.Params = json.RawMessage(v)
	}
	if v := str(p, "summary"); v != "" {
		r.Summary = json.RawMessage(v)
	}
	return r
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func optJSON(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return string(m)
}

func timeOf(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t
	}
	return time.Time{}
}
