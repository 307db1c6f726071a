package neo4j

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/store"
)

var _ store.XrefStore = (*Store)(nil)

// Xref pairs are (:XrefPair {id, a, b, score, evidence, blocks, status, run,
// found, decided_by, decided_at, history}) nodes: evidence is a JSON
// object, history a list of JSON decisions. A confirmed pair is also a
// (:Enterprise {key: a})-[:SAME_AS {pair, score, decided_by, at}]->
// (:Enterprise {key: b}) relationship, which Expand returns like any
// other. Xref runs are (:XrefRun) nodes shaped like (:Run).
const (
	qSchemaXrefPairID     = "schema_xref_pair_id"
	qSchemaXrefPairStatus = "schema_xref_pair_status"
	qSchemaXrefRunID      = "schema_xref_run_id"
	qXrefPairsAdd         = "xref_pairs_add"
	qXrefPairGet          = "xref_pair_get"
	qXrefPairsList        = "xref_pairs_list"
	qXrefPairLock         = "xref_pair_lock"
	qXrefPairDecide       = "xref_pair_decide"
	qXrefSameAs           = "xref_same_as"
	qXrefRunSave          = "xref_run_save"
	qXrefRunGet           = "xref_run_get"
)

// xrefRowsPerStatement bounds the pairs one statement inserts.
const xrefRowsPerStatement = 5000

// AddXrefPairs inserts the pairs whose id is new, as candidates.
func (s *Store) AddXrefPairs(ctx context.Context, pairs []store.XrefPair) (int, error) {
	rows := make([]any, 0, len(pairs))
	for i := range pairs {
		p := &pairs[i]
		if err := p.Validate(); err != nil {
			return 0, err
		}
		ev, err := json.Marshal(p.Evidence)
		if err != nil {
			return 0, err
		}
		blocks := p.Blocks
		if blocks == nil {
			blocks = []string{}
		}
		rows = append(rows, map[string]any{"id": p.ID, "a": p.A, "b": p.B, "score": p.Score, "evidence": string(ev),
			"blocks": blocks, "status": store.XrefCandidate, "run": p.Run, "found": p.Found.UTC()})
	}
	added := 0
	for lo := 0; lo < len(rows); lo += xrefRowsPerStatement {
		chunk := rows[lo:min(lo+xrefRowsPerStatement, len(rows))]
		var n int64
		err := s.write(ctx, "add xref pairs", func(tx driver.ManagedTransaction) error {
			res, err := tx.Run(ctx, stmt(qXrefPairsAdd), map[string]any{"rows": chunk})
			if err != nil {
				return err
			}
			if res.Next(ctx) {
				n, _ = res.Record().Values[0].(int64)
			}
			_, err = res.Consume(ctx)
			return err
		})
		if err != nil {
			return added, err
		}
		added += int(n)
	}
	return added, nil
}

// XrefPair returns one pair.
func (s *Store) XrefPair(ctx context.Context, id string) (store.XrefPair, error) {
	ps, err := s.xrefPairs(ctx, qXrefPairGet, map[string]any{"id": id})
	if err != nil {
		return store.XrefPair{}, err
	}
	if len(ps) == 0 {
		return store.XrefPair{}, fmt.Errorf("xref pair %q: %w", id, store.ErrNotFound)
	}
	return ps[0], nil
}

// XrefPairs lists pairs by score, then id.
func (s *Store) XrefPairs(ctx context.Context, q store.XrefQuery) ([]store.XrefPair, error) {
	if q.Limit < 1 {
		return []store.XrefPair{}, nil
	}
	ps, err := s.xrefPairs(ctx, qXrefPairsList, map[string]any{"status": q.Status, "after": q.AfterID,
		"score": q.AfterScore, "limit": int64(q.Limit)})
	if ps == nil {
		ps = []store.XrefPair{}
	}
	return ps, err
}

// DecideXrefPair applies a decision inside one transaction that holds the
// pair's lock.
func (s *Store) DecideXrefPair(ctx context.Context, id string, d store.XrefDecision) (store.XrefPair, error) {
	d.At = d.At.UTC().Truncate(time.Millisecond)
	var out store.XrefPair
	err := s.write(ctx, "decide xref pair", func(tx driver.ManagedTransaction) error {
		res, err := tx.Run(ctx, stmt(qXrefPairLock), map[string]any{"id": id})
		if err != nil {
			return err
		}
		if !res.Next(ctx) {
			if err := res.Err(); err != nil {
				return err
			}
			return fmt.Errorf("xref pair %q: %w", id, store.ErrNotFound)
		}
		status, _ := res.Record().Values[0].(string)
		if _, err := res.Consume(ctx); err != nil {
			return err
		}
		dd := d
		if dd.Status, err = store.NextXrefStatus(status, d.Decision); err != nil {
			return fmt.Errorf("xref pair %s: %w", id, err)
		}
		entry, err := json.Marshal(dd)
		if err != nil {
			return err
		}
		res, err = tx.Run(ctx, stmt(qXrefPairDecide), map[string]any{"id": id, "status": dd.Status, "by": dd.By,
			"at": dd.At, "atText": dd.At.Format(time.RFC3339), "entry": string(entry)})
		if err != nil {
			return err
		}
		if res.Next(ctx) {
			p, _ := res.Record().Values[0].(map[string]any)
			out = pairOf(p)
		}
		if _, err := res.Consume(ctx); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	return out, err
}

// SameAs returns the confirmed pairs by id.
func (s *Store) SameAs(ctx context.Context) ([]store.XrefPair, error) {
	ps, err := s.xrefPairs(ctx, qXrefSameAs, nil)
	if ps == nil {
		ps = []store.XrefPair{}
	}
	return ps, err
}

func (s *Store) xrefPairs(ctx context.Context, name string, params map[string]any) ([]store.XrefPair, error) {
	var out []store.XrefPair
	err := s.collect(ctx, "read xref pairs", name, params,
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			out = append(out, pairOf(p))
			return nil
		})
	return out, err
}

// pairOf reads a pair's properties.
func pairOf(p map[string]any) store.XrefPair {
	x := store.XrefPair{ID: str(p, "id"), A: str(p, "a"), B: str(p, "b"), Score: num(p, "score"), Status: str(p, "status"),
		Run: str(p, "run"), Found: timeOf(p["found"]).UTC(), DecidedBy: str(p, "decided_by")}
	if t := timeOf(p["decided_at"]); !t.IsZero() {
		x.DecidedAt = t.UTC()
	}
	if v := str(p, "evidence"); v != "" {
		_ = json.Unmarshal([]byte(v), &x.Evidence)
	}
	if bs, ok := p["blocks"].([]any); ok {
		for _, b := range bs {
			if s, ok := b.(string); ok {
				x.Blocks = append(x.Blocks, s)
			}
		}
	}
	if hs, ok := p["history"].([]any); ok {
		for _, h := range hs {
			var d store.XrefDecision
			if s, ok := h.(string); ok && json.Unmarshal([]byte(s), &d) == nil {
				d.At = d.At.UTC()
				x.History = append(x.History, d)
			}
		}
	}
	return x
}

// SaveXrefRun inserts or replaces an xref run's record.
func (s *Store) SaveXrefRun(ctx context.Context, r store.Run) error {
	if r.ID == "" {
		return fmt.Errorf("%w: empty xref run id", store.ErrInvalid)
	}
	params := map[string]any{
		"id": r.ID, "started": optTime(r.Started), "finished": optTime(r.Finished), "status": r.Status,
		"generation": int64(r.Generation), "params": optJSON(r.Params), "summary": optJSON(r.Summary),
		"error": optString(r.Error),
	}
	_, err := s.writeOne(ctx, "save xref run", qXrefRunSave, params)
	return err
}

// XrefRun returns an xref run's record.
func (s *Store) XrefRun(ctx context.Context, id string) (store.Run, error) {
	runs, err := s.runs(ctx, qXrefRunGet, map[string]any{"id": id})
	if err != nil {
		return store.Run{}, err
	}
	if len(runs) == 0 {
		return store.Run{}, fmt.Errorf("xref run %q: %w", id, store.ErrNotFound)
	}
	return runs[0], nil
}
