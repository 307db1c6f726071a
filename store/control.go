package store

import (
	"context"
	"slices"
	"strings"

	"riskgraph/models"
)

// ControlRule is the one definition of control that joins entities into a
// control group, used by the engine's groups (engine.ControlGroups) and the
// API's /group alike: a holding of more than Threshold of an enterprise
// (the engine's ownership.control_threshold, 0.5 by default: a majority),
// in force on Today, every branch-to-parent link, and every SAME_AS link
// (one company's two records). See docs/risk-model.md.
type ControlRule struct {
	Threshold float64
	// Today: holdings whose "since" is later are not yet in force (zero:
	// every holding counts).
	Today models.Date
}

// Controls reports whether a relationship of type t with holding ratio
// ratio is a control link under threshold; dates are the caller's (see
// ControlRule.Joins).
func Controls(t models.RelType, ratio, threshold float64) bool {
	return t == models.RelBranchOf || t == models.RelSameAs || (t == models.RelHoldsShares && ratio > threshold)
}

// Joins reports whether edge e links its ends into one control group.
func (r ControlRule) Joins(e Edge) bool {
	ratio, _ := e.Props["ratio"].(float64)
	if !Controls(e.Type, ratio, r.Threshold) {
		return false
	}
	if s, ok := e.Props["since"].(string); ok && !r.Today.IsZero() {
		if since, err := models.ParseDate(s); err == nil && since.After(r.Today.Time) {
			return false
		}
	}
	return true
}

// ControlGroup is the control group of an enterprise: the weakly connected
// component around it of the relationships rule joins.
type ControlGroup struct {
	Root    models.Ref `json:"root"`
	Members []Node     `json:"members"` // by id
	Edges   []Edge     `json:"edges"`   // by id
	// Truncated: the group has more than the limit of members.
	Truncated bool `json:"truncated"`
}

// ControlGroupOf walks the control group of root breadth first, keeping at
// most limit members.
func ControlGroupOf(ctx context.Context, r Reader, root Node, rule ControlRule, limit int) (ControlGroup, error) {
	members := map[models.Ref]Node{root.Ref: root}
	links := map[string]Edge{}
	frontier := []models.Ref{root.Ref}
	truncated := false
	for len(frontier) > 0 && !truncated {
		edges, nodes, err := r.Expand(ctx, frontier, []models.RelType{models.RelHoldsShares, models.RelBranchOf, models.RelSameAs})
		if err != nil {
			return ControlGroup{}, err
		}
		sortEdges(edges)
		var next []models.Ref
		for _, ed := range edges {
			if !rule.Joins(ed) {
				continue
			}
			for _, end := range []models.Ref{ed.From, ed.To} {
				if _, in := members[end]; !in {
					if len(members) >= limit {
						truncated = true
						continue
					}
					members[end] = nodes[end]
					next = append(next, end)
				}
			}
			_, a := members[ed.From]
			_, b := members[ed.To]
			if a && b {
				links[ed.ID()] = ed
			}
		}
		frontier = next
	}
	g := ControlGroup{Root: root.Ref, Members: make([]Node, 0, len(members)), Edges: make([]Edge, 0, len(links)), Truncated: truncated}
	for _, n := range members {
		g.Members = append(g.Members, n)
	}
	slices.SortFunc(g.Members, func(x, y Node) int { return strings.Compare(x.ID, y.ID) })
	for _, l := range links {
		g.Edges = append(g.Edges, l)
	}
	sortEdges(g.Edges)
	return g, nil
}

// OwnNode is a node of an ownership (penetration) tree.
type OwnNode struct {
	Ref      models.Ref   `json:"ref"`
	Name     string       `json:"name"`
	Ratio    float64      `json:"ratio,omitempty"` // of the holding joining it to its parent
	Risk     *models.Risk `json:"risk,omitempty"`
	Children []*OwnNode   `json:"children,omitempty"`
	// Cycle marks a node already on the path from the root (circular holding).
	Cycle bool `json:"cycle,omitempty"`
	// SameAs lists the enterprises joined to this one by SAME_AS links:
	// their holdings are shown as this node's.
	SameAs []models.Ref `json:"same_as,omitempty"`
}

// OwnershipTree is the penetration tree of an enterprise over holdings.
type OwnershipTree struct {
	Root *OwnNode `json:"root"`
	// Nodes is the number of nodes in the tree; Truncated says the limit cut it.
	Nodes     int  `json:"nodes"`
	Truncated bool `json:"truncated"`
}

// Ownership builds the tree breadth first from root: up follows holders,
// down follows holdings, to depth levels and at most limit nodes. A node
// already on its path from the root is marked Cycle and not expanded. A
// node stands for its SAME_AS set: its partners' holdings are its own
// (a holder of two members appears once, with the larger ratio), and
// holdings among the members are left out.
func Ownership(ctx context.Context, r Reader, root Node, up bool, depth, limit int) (OwnershipTree, error) {
	top := &OwnNode{Ref: root.Ref, Name: root.Label, Risk: root.Risk}
	type item struct {
		n    *OwnNode
		path map[models.Ref]bool
	}
	level := []item{{top, map[models.Ref]bool{top.Ref: true}}}
	t := OwnershipTree{Root: top, Nodes: 1}
	for d := 0; d < depth && len(level) > 0 && !t.Truncated; d++ {
		var refs []models.Ref
		owner := map[models.Ref]models.Ref{}
		for _, it := range level {
			refs = append(refs, it.n.Ref)
			owner[it.n.Ref] = it.n.Ref
		}
		hops, _, _, err := sameAsClosure(ctx, r, refs, func(models.Ref) bool { return false })
		if err != nil {
			return OwnershipTree{}, err
		}
		all := slices.Clone(refs)
		for _, h := range hops {
			if _, ok := owner[h.member]; !ok {
				owner[h.member] = owner[h.from]
				all = append(all, h.member)
			}
		}
		edges, nodes, err := r.Expand(ctx, all, []models.RelType{models.RelHoldsShares})
		if err != nil {
			return OwnershipTree{}, err
		}
		sortEdges(edges)
		var next []item
		for _, it := range level {
			self := it.n.Ref
			var partners []models.Ref
			for _, m := range all {
				if m != self && owner[m] == self {
					partners = append(partners, m)
					it.path[m] = true
				}
			}
			sortRefs(partners)
			it.n.SameAs = partners
			mine := func(x models.Ref) bool { o, ok := owner[x]; return ok && o == self }
			byOther := map[models.Ref]*OwnNode{}
			for _, ed := range edges {
				var other models.Ref
				switch {
				case up && mine(ed.To):
					other = ed.From
				case !up && mine(ed.From):
					other = ed.To
				default:
					continue
				}
				if mine(other) {
					continue // a holding inside the SAME_AS set
				}
				ratio, _ := ed.Props["ratio"].(float64)
				if c := byOther[other]; c != nil {
					c.Ratio = max(c.Ratio, ratio)
					continue
				}
				if t.Nodes >= limit {
					t.Truncated = true
					break
				}
				nd := nodes[other]
				child := &OwnNode{Ref: other, Name: nd.Label, Ratio: ratio, Risk: nd.Risk, Cycle: it.path[other]}
				byOther[other] = child
				it.n.Children = append(it.n.Children, child)
				t.Nodes++
				if !child.Cycle {
					p := make(map[models.Ref]bool, len(it.path)+1)
					for k := range it.path {
						p[k] = true
					}
					p[other] = true
					next = append(next, item{child, p})
				}
			}
		}
		level = next
	}
	return t, nil
}
