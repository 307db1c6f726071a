package engine

import (
	"context"
	"fmt"
	"slices"

	"riskgraph/models"
	"riskgraph/store"
)

// SAME_AS sets in the projection (docs/risk-model.md "SAME_AS"). The
// enterprises an inspector confirmed to be one company are projected as
// one node: the set's representative — its member keyed by a USCC (the
// smallest such key), else its smallest key. Every row that names another
// member (its enterprise row, its relationships, its records) lands on the
// representative's node:
//
//   - the node's attributes are the representative's row (another
//     member's only while the representative's is not yet read);
//   - the relationships and records are the union of the members'; a
//     relationship between two members is dropped, and parallel
//     relationships to one node (the same holding recorded by two data
//     sets) are kept once, a holding with the larger ratio;
//   - a shared address, phone or e-mail links the node once.
//
// Every member then gets the node's result: Graph.Lookup finds the node by
// any member's key, and Result.Results writes the result under every key.
// Undoing a confirmation separates them again at the next run.

// SameAsSource is where a scoring run reads the confirmed SAME_AS links.
type SameAsSource interface {
	SameAs(ctx context.Context) ([]store.XrefPair, error)
}

// SameAsSets reads the confirmed pairs of src and groups them into sets.
func SameAsSets(ctx context.Context, src SameAsSource) ([][]string, error) {
	ps, err := src.SameAs(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: SAME_AS links: %w", err)
	}
	return store.SameAsSets(ps), nil
}

// Representative returns the member of a SAME_AS set that stands for it:
// the smallest key that is a valid USCC, else the smallest key.
func Representative(set []string) string {
	best := ""
	for _, k := range set {
		if _, err := models.ParseUSCC(k); err == nil && (best == "" || k < best) {
			best = k
		}
	}
	if best != "" {
		return best
	}
	return slices.Min(set)
}

// aliasesOf maps every member of the sets but the representative to the
// representative's key; nil when there are no sets.
func aliasesOf(sets [][]string) map[string]string {
	if len(sets) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, set := range sets {
		rep := Representative(set)
		for _, k := range set {
			if k != rep {
				m[k] = rep
			}
		}
	}
	return m
}

// canon returns the key of the node that stands for enterprise key.
func (b *builder) canon(key string) string {
	if b.alias != nil {
		if r, ok := b.alias[key]; ok {
			return r
		}
	}
	return key
}

// mergedRow handles an enterprise row of a SAME_AS member: it returns the
// representative's node id and whether the row's attributes should be set
// (the representative's own row, or the first member's while it is
// unread).
func (b *builder) mergedRow(e *models.Enterprise, rep string) (int32, bool) {
	id := b.enterpriseHashed(rep, b.g.entIndex.hash(rep))
	if b.merged == nil {
		b.merged = map[int32]*mergedNode{}
	}
	m := b.merged[id]
	if m == nil {
		m = &mergedNode{vals: map[string]bool{}}
		b.merged[id] = m
	}
	own := e.Key == rep
	set := own || (!m.own && !m.attrs && !e.Placeholder)
	m.own = m.own || own
	m.attrs = m.attrs || set
	return id, set
}

// mergedNode is what the projection tracks of a representative's node.
type mergedNode struct {
	own   bool            // its own row was read
	attrs bool            // some member's attributes were set
	vals  map[string]bool // shared values ("field:value") already linked
}

// edgeKey identifies parallel relationships.
type edgeKey struct {
	from, to int32
	typ      EdgeType
	title    uint8
}

// dedupeMerged drops, among the relationships that touch a merged node,
// the parallel ones (keeping the first, with the largest ratio). The order
// of the others is kept.
func (b *builder) dedupeMerged() {
	if len(b.merged) == 0 {
		return
	}
	g := b.g
	seen := map[edgeKey]int{}
	out := g.Edges[:0]
	for _, e := range g.Edges {
		if b.merged[e.From] != nil || b.merged[e.To] != nil {
			k := edgeKey{e.From, e.To, e.Type, e.Title}
			if j, ok := seen[k]; ok {
				out[j].Ratio = max(out[j].Ratio, e.Ratio)
				continue
			}
			seen[k] = len(out)
		}
		out = append(out, e)
	}
	g.Edges = out
}

// SameAsAliases returns the projection's SAME_AS members that are not
// their set's representative, each with its representative's key.
func (g *Graph) SameAsAliases() map[string]string { return g.sameAs }
