package neo4j

import (
	"context"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/models"
	"riskgraph/store"
)

// The change feed (store.ChangeFeed). Every statement that writes a node
// or relationship of the projection sets its `gen` property to the
// batch's generation ($gen, from stamp.go; placeholders only when they
// are created), and one range index per label and relationship type on
// `gen` finds what was written after a generation. Nothing the projection
// reads is deleted (a record that moves is written again); emptying the
// database removes the lineage node, so the next Lineage differs.

// Lineage returns the database's lineage (lineage_get: a random id kept on
// a Meta node, made on first use).
func (s *Store) Lineage(ctx context.Context) (string, error) {
	var l string
	err := s.write(ctx, "lineage", func(tx driver.ManagedTransaction) error {
		res, err := tx.Run(ctx, stmt(qLineageGet), nil)
		if err != nil {
			return err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return err
		}
		l, _ = rec.Values[0].(string)
		return nil
	})
	return l, err
}

// Changes returns the rows stamped after since (store.ChangeFeed), with
// the fields of the projection scan's rows.
func (s *Store) Changes(ctx context.Context, since uint64, limit int) (*store.Batch, error) {
	if limit < 0 {
		return nil, fmt.Errorf("%w: limit %d", store.ErrInvalid, limit)
	}
	params := map[string]any{"since": int64(since), "limit": int64(limit) + 1}
	left := limit
	tooLarge := func() error {
		return fmt.Errorf("%w: more than %d rows changed since generation %d", store.ErrTooLarge, limit, since)
	}
	rowsOf := func(name string) ([]any, error) {
		var rows []any
		err := s.collect(ctx, "changes", name, params, func() { rows = nil }, func(r *driver.Record) error {
			rows, _ = r.Values[0].([]any)
			return nil
		})
		if err == nil && len(rows) > left {
			err = tooLarge()
		}
		left -= len(rows)
		return rows, err
	}
	var ids refsByID
	b := &store.Batch{}
	raw, err := rowsOf(qChangesEnterprises)
	if err != nil {
		return nil, err
	}
	ents, err := nodeDecoder(leanEnterprise)(raw)
	if err != nil {
		return nil, err
	}
	for i := range ents.rows {
		ids.put(ents.ids[i], models.KindEnterprise, ents.rows[i].Key)
	}
	b.Enterprises = ents.rows
	if raw, err = rowsOf(qChangesPersons); err != nil {
		return nil, err
	}
	pers, err := nodeDecoder(leanPerson)(raw)
	if err != nil {
		return nil, err
	}
	for i := range pers.rows {
		ids.put(pers.ids[i], models.KindPerson, pers.rows[i].PID)
	}
	b.Persons = pers.rows
	if raw, err = rowsOf(qChangesRecords); err != nil {
		return nil, err
	}
	recs, err := nodeDecoder(leanRecord)(raw)
	if err != nil {
		return nil, err
	}
	if err := s.resolve(ctx, &ids, recs.others, nil); err != nil {
		return nil, err
	}
	for i := range recs.rows {
		if subject, ok := ids.get(recs.others[i]); ok {
			recs.rows[i].Subject = subject
			b.Records = append(b.Records, recs.rows[i])
		}
	}
	if raw, err = rowsOf(qChangesRelationships); err != nil {
		return nil, err
	}
	rels, err := relDecoder(func(row []any, r *relRow) {
		if r.kind == relRelated {
			relationRel(row, r)
		} else {
			leanRel(row, r)
		}
	})(raw)
	if err != nil {
		return nil, err
	}
	if err := s.resolve(ctx, &ids, nil, rels.rows); err != nil {
		return nil, err
	}
	var rs relModels
	rels.models(&ids, nil, &rs)
	b.Shareholdings, b.Roles, b.Branches = rs.sh, rs.ro, rs.br
	rels.relations(&ids, nil, &rs)
	b.Relations = rs.rel
	return b, nil
}
