package neo4j

// The neighbourhood (store.Reader.Neighbourhood, the API's /network) in one
// statement. store.WalkNeighbourhood defines the answer: a walk that asks
// its reader for the root, then one Expand per ring and per SAME_AS round,
// six to eight questions for depth 2. Asked of Neo4j one by one, each is a
// round trip (docs/storage.md "Depth-2 network from Neo4j"). Instead,
// network.cypher reads everything such a walk of depth 1 or 2 can ask for —
// a superset: rings are read before the walk cuts them at the limit — and
// the walk runs over that answer in memory (type network below). The answer
// is then the walk's by construction, and the conformance suite compares it
// with the walk over Expand.
//
// The read knows which questions it can answer: the relationships over the
// rings' types of the nodes it expanded (ring 0 and, at depth 2, ring 1 with
// its SAME_AS sets), and the SAME_AS links of every node it read. Any other
// question (a walk that went further than the read, a SAME_AS chain longer
// than the closure's bound) is errNotRead, and Neighbourhood walks ring by
// ring over the store instead. So do depth 3, a first ring larger than the
// limit at depth 2 (the walk expands at most limit nodes, the read would
// expand them all), and a root given by a USCC that is not its key.

import (
	"context"
	"errors"
	"fmt"
	"slices"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/models"
	"riskgraph/store"
)

// errNotRead: the walk asked the one-statement read for something it did
// not read.
var errNotRead = errors.New("neo4j network: the walk asked for what the statement did not read")

// Neighbourhood returns store.WalkNeighbourhood's answer (store.Reader):
// depth 1 and 2 from one statement, in one round trip; depth 3 and the
// cases network.go's comment lists by the walk over Expand.
func (s *Store) Neighbourhood(ctx context.Context, root models.Ref, depth int, types []models.RelType, limit int) (store.Graph, error) {
	if err := store.CheckNeighbourhood(depth, limit); err != nil {
		return store.Graph{}, err
	}
	if depth > 2 || (root.Kind != models.KindEnterprise && root.Kind != models.KindPerson) {
		return store.WalkNeighbourhood(ctx, s, root, depth, types, limit)
	}
	net, err := s.readNetwork(ctx, root, depth, types, limit)
	if err != nil {
		return store.Graph{}, err
	}
	if net == nil {
		return store.WalkNeighbourhood(ctx, s, root, depth, types, limit)
	}
	g, err := store.WalkNeighbourhood(ctx, net, root, depth, types, limit)
	if errors.Is(err, errNotRead) {
		return store.WalkNeighbourhood(ctx, s, root, depth, types, limit)
	}
	return g, err
}

// networkParams are network.cypher's parameters.
type networkParams struct {
	Kind  models.NodeKind
	Key   string
	Types []models.RelType // empty: every type
	Depth int
	Limit int
}

func (p networkParams) params() map[string]any {
	types := p.Types
	if len(types) == 0 {
		types = models.RelTypes
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	return map[string]any{"kind": string(p.Kind), "key": p.Key, "types": names, "depth": int64(p.Depth), "limit": int64(p.Limit)}
}

// readNetwork runs network.cypher. It returns nil (and no error) when the
// walk must go ring by ring instead: a first ring too large to expand, or
// an enterprise named by a USCC other than its key. An unknown root is
// store.ErrNotFound, worded as Enterprise and Person word it.
func (s *Store) readNetwork(ctx context.Context, root models.Ref, depth int, types []models.RelType, limit int) (*network, error) {
	p := networkParams{Kind: root.Kind, Key: root.Key, Types: types, Depth: depth, Limit: limit}
	var rec *driver.Record
	err := s.readOnce(ctx, "network", qNetwork, p.params(), func(r *driver.Record) error { rec = r; return nil })
	if err != nil {
		return nil, err
	}
	if rec == nil {
		if root.Kind == models.KindPerson {
			return nil, fmt.Errorf("person %q: %w", root.Key, store.ErrNotFound)
		}
		return nil, fmt.Errorf("enterprise %q: %w", root.Key, store.ErrNotFound)
	}
	return networkOf(rec, root, depth, types)
}

// networkOf reads network.cypher's row (its comment gives the lists'
// layout).
func networkOf(rec *driver.Record, root models.Ref, depth int, types []models.RelType) (*network, error) {
	rootProps, _ := rec.Values[0].(map[string]any)
	nodes, _ := rec.Values[1].([]any)
	rels, _ := rec.Values[2].([]any)
	expanded, _ := rec.Values[3].([]any)
	sameRead, _ := rec.Values[4].([]any)
	deep, _ := rec.Values[5].(bool)
	if depth >= 2 && !deep {
		return nil, nil
	}
	// The root by a USCC other than its key: the walk expands nothing.
	rootKey := str(rootProps, "key")
	if root.Kind == models.KindPerson {
		rootKey = str(rootProps, "pid")
	}
	if rootKey != root.Key {
		return nil, nil
	}
	n := &network{
		root:      root,
		rootProps: rootProps,
		types:     types,
		nodes:     make(map[models.Ref]store.Node, len(nodes)),
		typed:     make(map[models.Ref][]store.Edge, len(nodes)),
		same:      map[models.Ref][]store.Edge{},
		expanded:  make(map[models.Ref]bool, len(expanded)),
		sameRead:  make(map[models.Ref]bool, len(sameRead)),
	}
	// Nodes by internal id; those of other labels are known but have no ref.
	refs := make(map[int64]models.Ref, len(nodes))
	others := map[int64]bool{}
	for _, v := range nodes {
		row, _ := v.([]any)
		id, node, ok := networkNode(row)
		switch {
		case ok:
			refs[id] = node.Ref
			n.nodes[node.Ref] = node
		case len(row) == 3 && row[0] == int64(3):
			others[id] = true
		default:
			return nil, fmt.Errorf("neo4j network: a node row of %d values, not of network.cypher's layouts", len(row))
		}
	}
	for _, v := range expanded {
		if ref, ok := refs[idOf(v)]; ok {
			n.expanded[ref] = true
		}
	}
	for _, v := range sameRead {
		if ref, ok := refs[idOf(v)]; ok {
			n.sameRead[ref] = true
		}
	}
	followed := types
	if len(followed) == 0 {
		followed = models.RelTypes
	}
	seen := make(map[int64]bool, len(rels))
	for _, v := range rels {
		row, _ := v.([]any)
		if len(row) != 5 {
			return nil, fmt.Errorf("neo4j network: a relationship row of %d values, want 5", len(row))
		}
		typ, _ := row[1].(string)
		id, start, end := idOf(row[0]), idOf(row[2]), idOf(row[3])
		props, _ := row[4].(map[string]any)
		if seen[id] {
			continue
		}
		seen[id] = true
		from, okFrom := refs[start]
		to, okTo := refs[end]
		if !okFrom || !okTo {
			// An endpoint the read did not return (past the SAME_AS
			// bound) leaves the other end's links incomplete; one of
			// another label is skipped, as Expand skips it.
			if !others[start] && !others[end] {
				for _, ref := range []models.Ref{from, to} {
					delete(n.expanded, ref)
					delete(n.sameRead, ref)
				}
			}
			continue
		}
		e, ok := edgeOf(typ, props, from, to)
		if !ok {
			continue
		}
		ends := []models.Ref{from}
		if to != from {
			ends = append(ends, to)
		}
		for _, end := range ends {
			if slices.Contains(followed, e.Type) {
				n.typed[end] = append(n.typed[end], e)
			}
			if e.Type == models.RelSameAs {
				n.same[end] = append(n.same[end], e)
			}
		}
	}
	return n, nil
}

// networkNode reads a node row of network.cypher, [label, id, properties]:
// its internal id and the subgraph node, rendered as Expand renders one.
// ok is false for a node of another label (label 3) and for a row that is
// not of that layout.
func networkNode(row []any) (id int64, node store.Node, ok bool) {
	if len(row) != 3 {
		return 0, store.Node{}, false
	}
	id = idOf(row[1])
	p, _ := row[2].(map[string]any)
	switch label, _ := row[0].(int64); label {
	case 0:
		return id, store.EnterpriseNode(enterpriseOf(p)), true
	case 1:
		return id, store.PersonNode(personOf(p)), true
	case 2:
		return id, store.RecordNode(recordOf(p, models.Ref{})), true
	}
	return id, store.Node{}, false
}

// idOf reads an internal id; anything else reads as -1, no node's id.
func idOf(v any) int64 {
	if id, ok := v.(int64); ok {
		return id
	}
	return -1
}

// network is what network.cypher read, answering a walk (store.Expander)
// as the store would, or with errNotRead.
type network struct {
	root      models.Ref
	rootProps map[string]any   // every property of the root
	types     []models.RelType // the rings' types as the walk passes them
	nodes     map[models.Ref]store.Node
	typed     map[models.Ref][]store.Edge // a node's links over the rings' types
	same      map[models.Ref][]store.Edge // a node's SAME_AS links
	expanded  map[models.Ref]bool         // typed is complete for these
	sameRead  map[models.Ref]bool         // same is complete for these
}

func (n *network) Enterprise(_ context.Context, keyOrUSCC string) (models.Enterprise, error) {
	if n.root != models.EnterpriseRef(keyOrUSCC) {
		return models.Enterprise{}, errNotRead
	}
	return enterpriseOf(n.rootProps), nil
}

func (n *network) Person(_ context.Context, pid string) (models.Person, error) {
	if n.root != models.PersonRef(pid) {
		return models.Person{}, errNotRead
	}
	return personOf(n.rootProps), nil
}

// Expand answers from the read: the rings' types for expanded nodes,
// SAME_AS for any node read.
func (n *network) Expand(_ context.Context, nodes []models.Ref, types []models.RelType) ([]store.Edge, map[models.Ref]store.Node, error) {
	var adj map[models.Ref][]store.Edge
	var complete map[models.Ref]bool
	switch {
	case len(types) == 1 && types[0] == models.RelSameAs:
		adj, complete = n.same, n.sameRead
	case slices.Equal(types, n.types):
		adj, complete = n.typed, n.expanded
	default:
		return nil, nil, errNotRead
	}
	var edges []store.Edge
	known := map[models.Ref]store.Node{}
	for _, ref := range nodes {
		if !complete[ref] {
			return nil, nil, errNotRead
		}
		for _, e := range adj[ref] {
			edges = append(edges, e)
			known[e.From] = n.nodes[e.From]
			known[e.To] = n.nodes[e.To]
		}
	}
	return edges, known, nil
}
