package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"riskgraph/models"
)

// Traversal limits shared by both backends and the API.
const (
	MaxNeighbourhoodDepth = 3
	MaxNeighbourhoodLimit = 5000
	MaxPathDepth          = 8
	// MaxVisited bounds the nodes a path search may touch.
	MaxVisited = 200_000
)

// Graph is a subgraph: nodes, the relationships among them, and whether a
// node limit cut it short.
type Graph struct {
	Nodes     []Node `json:"nodes"`
	Edges     []Edge `json:"edges"`
	Truncated bool   `json:"truncated"`
}

// Expander is the part of a Reader the shared walks read: the root's node
// and the relationships of a set of nodes. A backend that fetches a
// walk's data in one go answers the walk from it through this interface
// (store/neo4j network.go).
type Expander interface {
	Enterprise(ctx context.Context, keyOrUSCC string) (models.Enterprise, error)
	Person(ctx context.Context, pid string) (models.Person, error)
	Expand(ctx context.Context, nodes []models.Ref, types []models.RelType) ([]Edge, map[models.Ref]Node, error)
}

// Neighbourhood returns the nodes within depth hops of root over the given
// relationship types (all when empty), breadth first. When more than limit
// nodes are reachable, nearer nodes win and, within one hop distance, nodes
// in (kind, key) order; Truncated is then set. The result is the same on
// every backend for the same data: WalkNeighbourhood defines it, and the
// conformance suite holds each backend's Reader.Neighbourhood to it.
// Neighbourhood checks depth and limit, then asks r.
func Neighbourhood(ctx context.Context, r Reader, root models.Ref, depth int, types []models.RelType, limit int) (Graph, error) {
	if err := CheckNeighbourhood(depth, limit); err != nil {
		return Graph{}, err
	}
	return r.Neighbourhood(ctx, root, depth, types, limit)
}

// CheckNeighbourhood checks a neighbourhood's depth and node limit; the
// error wraps ErrInvalid and names the range.
func CheckNeighbourhood(depth, limit int) error {
	if depth < 1 || depth > MaxNeighbourhoodDepth {
		return fmt.Errorf("%w: depth %d out of range, use 1 to %d", ErrInvalid, depth, MaxNeighbourhoodDepth)
	}
	if limit < 1 || limit > MaxNeighbourhoodLimit {
		return fmt.Errorf("%w: limit %d out of range, use 1 to %d", ErrInvalid, limit, MaxNeighbourhoodLimit)
	}
	return nil
}

// WalkNeighbourhood is Neighbourhood computed by a breadth-first walk over
// r, one Expand per ring and per SAME_AS round: the definition every
// backend's Reader.Neighbourhood returns. The memory store answers with
// it directly; the Neo4j store reads the data the walk needs in one
// statement and walks that.
func WalkNeighbourhood(ctx context.Context, r Expander, root models.Ref, depth int, types []models.RelType, limit int) (Graph, error) {
	if err := CheckNeighbourhood(depth, limit); err != nil {
		return Graph{}, err
	}
	rootNode, err := nodeOf(ctx, r, root)
	if err != nil {
		return Graph{}, err
	}
	nodes := map[models.Ref]Node{root: rootNode}
	edges := map[string]Edge{}
	inNodes := func(n models.Ref) bool { _, in := nodes[n]; return in }
	// The root's SAME_AS partners are the root (distance 0).
	hops, same, met, err := sameAsClosure(ctx, r, []models.Ref{root}, inNodes)
	if err != nil {
		return Graph{}, err
	}
	frontier := []models.Ref{root}
	g := Graph{}
	for _, m := range members(hops) {
		if len(nodes) >= limit {
			g.Truncated = true
			break
		}
		nodes[m] = met[m]
		frontier = append(frontier, m)
	}
	for d := 0; d < depth && len(frontier) > 0; d++ {
		found, known, err := r.Expand(ctx, frontier, types)
		if err != nil {
			return Graph{}, err
		}
		var fresh []models.Ref
		seen := map[models.Ref]bool{}
		for _, e := range found {
			for _, end := range []models.Ref{e.From, e.To} {
				if _, in := nodes[end]; !in && !seen[end] {
					seen[end] = true
					fresh = append(fresh, end)
				}
			}
		}
		// The fresh nodes' SAME_AS partners are at the same distance.
		hops, more, met, err := sameAsClosure(ctx, r, fresh, func(n models.Ref) bool { return inNodes(n) || seen[n] })
		if err != nil {
			return Graph{}, err
		}
		same = append(same, more...)
		for _, m := range members(hops) {
			seen[m] = true
			fresh = append(fresh, m)
			known[m] = met[m]
		}
		sortRefs(fresh)
		if room := limit - len(nodes); len(fresh) > room {
			fresh, g.Truncated = fresh[:room], true
		}
		for _, n := range fresh {
			nodes[n] = known[n]
		}
		for _, e := range found {
			_, a := nodes[e.From]
			_, b := nodes[e.To]
			if a && b {
				edges[e.ID()] = e
			}
		}
		frontier = fresh
	}
	for _, e := range same {
		_, a := nodes[e.From]
		_, b := nodes[e.To]
		if a && b {
			edges[e.ID()] = e
		}
	}
	for _, n := range nodes {
		g.Nodes = append(g.Nodes, n)
	}
	sort.Slice(g.Nodes, func(i, j int) bool { return g.Nodes[i].Ref.Less(g.Nodes[j].Ref) })
	// The map's keys are the edges' IDs: sort by them.
	keyed := make([]keyedEdge, 0, len(edges))
	for id, e := range edges {
		keyed = append(keyed, keyedEdge{id, e})
	}
	if len(keyed) > 0 {
		g.Edges = make([]Edge, len(keyed))
		sortKeyedEdges(g.Edges, keyed)
	}
	return g, nil
}

// nodeOf returns the node for ref, or ErrNotFound.
func nodeOf(ctx context.Context, r Expander, ref models.Ref) (Node, error) {
	switch ref.Kind {
	case models.KindEnterprise:
		e, err := r.Enterprise(ctx, ref.Key)
		if err != nil {
			return Node{}, err
		}
		return EnterpriseNode(e), nil
	case models.KindPerson:
		p, err := r.Person(ctx, ref.Key)
		if err != nil {
			return Node{}, err
		}
		return PersonNode(p), nil
	}
	return Node{}, fmt.Errorf("%w: traversal must start at an enterprise or a person, not %q", ErrInvalid, ref.Kind)
}

// Path is one path between two nodes: Nodes[i] and Nodes[i+1] are joined by Edges[i].
type Path struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// ShortestPaths returns up to limit shortest paths between from and to, no
// longer than maxDepth hops, ignoring direction, over the given relationship
// types (all when empty). It searches from both ends at once. No path within
// maxDepth is an empty result, not an error.
func ShortestPaths(ctx context.Context, r Reader, from, to models.Ref, maxDepth int, types []models.RelType, limit int) ([]Path, error) {
	if maxDepth < 1 || maxDepth > MaxPathDepth {
		return nil, fmt.Errorf("%w: max_depth %d out of range, use 1 to %d", ErrInvalid, maxDepth, MaxPathDepth)
	}
	fromNode, err := nodeOf(ctx, r, from)
	if err != nil {
		return nil, err
	}
	toNode, err := nodeOf(ctx, r, to)
	if err != nil {
		return nil, err
	}
	if from == to {
		return []Path{{Nodes: []Node{fromNode}}}, nil
	}
	fw := newSide(from, fromNode)
	bw := newSide(to, toNode)
	// Each end's SAME_AS partners are that end (depth 0); the ends may be
	// one entity, found by the first closure.
	if err := fw.closeSameAs(ctx, r); err != nil {
		return nil, err
	}
	if paths := meetPaths(fw, bw, fw, bw, limit); paths != nil {
		return paths, nil
	}
	if err := bw.closeSameAs(ctx, r); err != nil {
		return nil, err
	}
	for fw.depth+bw.depth < maxDepth {
		grow, other := fw, bw
		if len(bw.frontier) < len(fw.frontier) {
			grow, other = bw, fw
		}
		if len(grow.frontier) == 0 {
			return nil, nil
		}
		if err := grow.step(ctx, r, types); err != nil {
			return nil, err
		}
		if err := grow.closeSameAs(ctx, r); err != nil {
			return nil, err
		}
		if len(fw.dist)+len(bw.dist) > MaxVisited {
			return nil, fmt.Errorf("%w: more than %d nodes within reach; lower max_depth or restrict types", ErrTooLarge, MaxVisited)
		}
		if paths := meetPaths(fw, bw, grow, other, limit); paths != nil {
			return paths, nil
		}
	}
	return nil, nil
}

// meetPaths returns up to limit paths through the nodes of grow's frontier
// that other has reached, or nil when there are none.
func meetPaths(fw, bw, grow, other *side, limit int) []Path {
	var meet []models.Ref
	for _, n := range grow.frontier {
		if _, ok := other.dist[n]; ok {
			meet = append(meet, n)
		}
	}
	if len(meet) == 0 {
		return nil
	}
	sortRefs(meet)
	paths := []Path{}
	// A path through a SAME_AS link between two meeting nodes is found
	// from both: keep it once.
	seen := map[string]bool{}
	for _, m := range meet {
		for _, head := range fw.pathsTo(m, limit) {
			for _, tail := range bw.pathsTo(m, limit) {
				if len(paths) == limit {
					return paths
				}
				p := join(head, tail)
				sig := ""
				for _, e := range p.Edges {
					sig += e.ID() + "|"
				}
				if !seen[sig] {
					seen[sig] = true
					paths = append(paths, p)
				}
			}
		}
	}
	return paths
}

type hop struct {
	prev models.Ref
	edge Edge
}

// side is one end of a bidirectional breadth-first search.
type side struct {
	dist     map[models.Ref]int
	pred     map[models.Ref][]hop
	nodes    map[models.Ref]Node
	frontier []models.Ref
	depth    int
}

func newSide(start models.Ref, n Node) *side {
	return &side{
		dist:     map[models.Ref]int{start: 0},
		pred:     map[models.Ref][]hop{},
		nodes:    map[models.Ref]Node{start: n},
		frontier: []models.Ref{start},
	}
}

func (s *side) step(ctx context.Context, r Reader, types []models.RelType) error {
	edges, known, err := r.Expand(ctx, s.frontier, types)
	if err != nil {
		return err
	}
	sortEdges(edges)
	s.depth++
	var next []models.Ref
	for _, e := range edges {
		for _, u := range []models.Ref{e.From, e.To} {
			if du, ok := s.dist[u]; !ok || du != s.depth-1 {
				continue
			}
			v := e.Other(u)
			dv, seen := s.dist[v]
			if !seen {
				s.dist[v] = s.depth
				s.nodes[v] = known[v]
				next = append(next, v)
				dv = s.depth
			}
			if dv == s.depth {
				s.pred[v] = append(s.pred[v], hop{u, e})
			}
		}
	}
	sortRefs(next)
	s.frontier = next
	return nil
}

// closeSameAs adds the SAME_AS partners of the frontier to it, at the
// same depth, each with the links that reached it.
func (s *side) closeSameAs(ctx context.Context, r Reader) error {
	hops, _, met, err := sameAsClosure(ctx, r, s.frontier, func(n models.Ref) bool { _, ok := s.dist[n]; return ok })
	if err != nil {
		return err
	}
	for _, h := range hops {
		if _, ok := s.dist[h.member]; !ok {
			s.dist[h.member] = s.depth
			s.nodes[h.member] = met[h.member]
			s.frontier = append(s.frontier, h.member)
		}
		s.pred[h.member] = append(s.pred[h.member], hop{h.from, h.edge})
	}
	sortRefs(s.frontier)
	return nil
}

// pathsTo lists up to limit paths from the side's start to n, each as the
// node sequence start…n with its edges. Only the start has no
// predecessor (its SAME_AS partners, at depth 0 too, have one).
func (s *side) pathsTo(n models.Ref, limit int) []Path {
	if len(s.pred[n]) == 0 {
		return []Path{{Nodes: []Node{s.nodes[n]}}}
	}
	var out []Path
	for _, h := range s.pred[n] {
		for _, p := range s.pathsTo(h.prev, limit-len(out)) {
			p.Nodes = append(p.Nodes, s.nodes[n])
			p.Edges = append(p.Edges, h.edge)
			out = append(out, p)
			if len(out) == limit {
				return out
			}
		}
	}
	return out
}

// join glues head (from…m) and tail (to…m) into from…m…to.
func join(head, tail Path) Path {
	p := Path{Nodes: slices.Clone(head.Nodes), Edges: slices.Clone(head.Edges)}
	for i := len(tail.Nodes) - 2; i >= 0; i-- {
		p.Nodes = append(p.Nodes, tail.Nodes[i])
	}
	for i := len(tail.Edges) - 1; i >= 0; i-- {
		p.Edges = append(p.Edges, tail.Edges[i])
	}
	return p
}

func sortRefs(rs []models.Ref) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Less(rs[j]) })
}

// sortEdges orders edges by ID, each ID computed once (an ID is built
// from strings, so computing it in the comparison cost n log n of them).
func sortEdges(es []Edge) {
	keyed := make([]keyedEdge, len(es))
	for i, e := range es {
		keyed[i] = keyedEdge{e.ID(), e}
	}
	sortKeyedEdges(es, keyed)
}

// keyedEdge is an edge with its ID.
type keyedEdge struct {
	id string
	e  Edge
}

// sortKeyedEdges writes keyed's edges into es (as long) in ID order.
func sortKeyedEdges(es []Edge, keyed []keyedEdge) {
	slices.SortStableFunc(keyed, func(a, b keyedEdge) int { return strings.Compare(a.id, b.id) })
	for i, k := range keyed {
		es[i] = k.e
	}
}
