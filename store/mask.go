package store

import "riskgraph/models"

// How the store's answer types are masked for roles that must not see
// persons' names (the convention is in models/mask.go).

// Masked returns the node as a masked role sees it: a person's label (the
// name) masked. Props hold registration facts (status, region, code,
// record kind, dates, authority), never a name.
func (n Node) Masked() Node {
	if n.Ref.Kind == models.KindPerson {
		n.Label = models.MaskName(n.Label)
	}
	return n
}

// Masked returns the edge unchanged: an edge is two node references, a
// type and the relationship's properties (ratio, amount, dates, title),
// never a name.
func (e Edge) Masked() Edge { return e }

// Masked returns the hit with a person's name masked.
func (h Hit) Masked() Hit {
	if h.Ref.Kind == models.KindPerson {
		h.Name = models.MaskName(h.Name)
	}
	return h
}

// Masked returns the tree node with a person's name masked (its children
// are masked as nodes of their own).
func (n OwnNode) Masked() OwnNode {
	if n.Ref.Kind == models.KindPerson {
		n.Name = models.MaskName(n.Name)
	}
	return n
}

// Masked returns the run unchanged: its params are the engine's settings
// and its summary counts and durations, never a name.
func (r Run) Masked() Run { return r }
