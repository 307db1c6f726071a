package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"riskgraph/models"
	"riskgraph/store"
)

// Scan streams the graph in pages of at most pageSize rows: enterprises,
// persons and records in key order, then the relationships, enterprise by
// enterprise. It reads in chunks with keyset pagination (key > last key,
// ordered by the unique index), each chunk in its own short transaction, and
// calls fn outside any transaction. A scan is not a snapshot: writes made
// while it runs may or may not be seen.
func (s *Store) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	if pageSize < 1 {
		return fmt.Errorf("%w: page size %d", store.ErrInvalid, pageSize)
	}
	p := store.NewPager(ctx, pageSize, fn)
	chunk := min(max(pageSize, 1000), 20000)

	if err := s.scanNodes(ctx, qScanEnterprises, chunk, func(n dbtype.Node, _ *driver.Record) (string, error) {
		e := enterpriseOf(n.Props)
		return e.Key, p.Add(func(b *store.Batch) { b.Enterprises = append(b.Enterprises, e) })
	}); err != nil {
		return err
	}
	if err := s.scanNodes(ctx, qScanPersons, chunk, func(n dbtype.Node, _ *driver.Record) (string, error) {
		x := personOf(n.Props)
		return x.PID, p.Add(func(b *store.Batch) { b.Persons = append(b.Persons, x) })
	}); err != nil {
		return err
	}
	if err := s.scanNodes(ctx, qScanRecords, chunk, func(n dbtype.Node, r *driver.Record) (string, error) {
		var subject models.Ref
		if m, ok := r.Values[1].(map[string]any); ok {
			subject = models.EnterpriseRef(str(m, "key"))
			if flag(m, "person") {
				subject = models.PersonRef(str(m, "key"))
			}
		}
		x := recordOf(n.Props, subject)
		return x.ID, p.Add(func(b *store.Batch) { b.Records = append(b.Records, x) })
	}); err != nil {
		return err
	}
	if err := s.scanRelationships(ctx, chunk, p); err != nil {
		return err
	}
	return p.Flush()
}

// scanNodes pages through one node label. Each record's first value is the
// node; put adds it to the output and returns its key.
func (s *Store) scanNodes(ctx context.Context, name string, chunk int, put func(dbtype.Node, *driver.Record) (string, error)) error {
	after := ""
	for {
		var rows []*driver.Record
		err := s.collect(ctx, "scan", name, map[string]any{"after": after, "limit": chunk},
			func() { rows = rows[:0] },
			func(r *driver.Record) error { rows = append(rows, r); return nil })
		if err != nil {
			return err
		}
		for _, r := range rows {
			n, ok := r.Values[0].(dbtype.Node)
			if !ok {
				continue
			}
			key, err := put(n, r)
			if err != nil {
				return err
			}
			after = key
		}
		if len(rows) < chunk {
			return nil
		}
	}
}

// relChunk is what one enterprise contributes to the relationship scan.
type relChunk struct {
	shares   []models.Shareholding
	roles    []models.Role
	branches []models.Branch
}

func (s *Store) scanRelationships(ctx context.Context, chunk int, p *store.Pager) error {
	after := ""
	for {
		var (
			rows []relChunk
			last string
		)
		err := s.collect(ctx, "scan", qScanRelationships, map[string]any{"after": after, "limit": chunk},
			func() { rows, last = rows[:0], after },
			func(r *driver.Record) error {
				key, _ := r.Values[0].(string)
				last = key
				rows = append(rows, relsOf(key, r.Values[1], r.Values[2], r.Values[3]))
				return nil
			})
		if err != nil {
			return err
		}
		for _, c := range rows {
			for _, x := range c.shares {
				if err := p.Add(func(b *store.Batch) { b.Shareholdings = append(b.Shareholdings, x) }); err != nil {
					return err
				}
			}
			for _, x := range c.roles {
				if err := p.Add(func(b *store.Batch) { b.Roles = append(b.Roles, x) }); err != nil {
					return err
				}
			}
			for _, x := range c.branches {
				if err := p.Add(func(b *store.Batch) { b.Branches = append(b.Branches, x) }); err != nil {
					return err
				}
			}
		}
		if len(rows) < chunk {
			return nil
		}
		after = last
	}
}

// relsOf decodes one row of scan_relationships, in a stable order.
func relsOf(key string, shares, roles, parents any) relChunk {
	var c relChunk
	for _, v := range asList(shares) {
		m, _ := v.(map[string]any)
		holder := str(m, "holder")
		if holder == "" {
			continue
		}
		ref := models.EnterpriseRef(holder)
		if flag(m, "person") {
			ref = models.PersonRef(holder)
		}
		props, _ := m["props"].(map[string]any)
		c.shares = append(c.shares, shareholdingOf(props, ref, key))
	}
	slices.SortFunc(c.shares, func(a, b models.Shareholding) int {
		return strings.Compare(a.Holder.String(), b.Holder.String())
	})
	for _, v := range asList(roles) {
		m, _ := v.(map[string]any)
		props, _ := m["props"].(map[string]any)
		c.roles = append(c.roles, roleOf(str(m, "type"), props, str(m, "person"), key))
	}
	slices.SortFunc(c.roles, func(a, b models.Role) int {
		return strings.Compare(store.RoleEdge(a).ID(), store.RoleEdge(b).ID())
	})
	for _, v := range asList(parents) {
		if parent, ok := v.(string); ok {
			c.branches = append(c.branches, models.Branch{Branch: key, Parent: parent})
		}
	}
	slices.SortFunc(c.branches, func(a, b models.Branch) int { return strings.Compare(a.Parent, b.Parent) })
	return c
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
