package engine

import (
	"time"

	"riskgraph/models"
)

// NodeKind is the kind of a projected node.
type NodeKind uint8

// Node kinds of the projection. Group nodes stand for one normalised
// address, phone or email shared by two or more enterprises: linking each
// enterprise to a group node keeps the graph linear in the number of
// enterprises where a clique would be quadratic.
const (
	NodeEnterprise NodeKind = iota
	NodePerson
	NodeAddress
	NodePhone
	NodeEmail
)

// EdgeType is the type of a projected relationship.
type EdgeType uint8

// Edge types. Edges run in the stored direction: holder → enterprise,
// person → enterprise, branch → head office, enterprise → group node,
// person → person (RELATED_TO, in the canonical order of models.Relation).
const (
	EdgeHolds EdgeType = iota
	EdgeLegalRep
	EdgeOfficer
	EdgeBranch
	EdgeAddress
	EdgePhone
	EdgeEmail
	// EdgeRelated is a person-to-person relation; Edge.Title holds the
	// kind's index in models.RelationKinds. It passes no risk (weight 0):
	// the flags that look for related persons use it (docs/risk-model.md).
	EdgeRelated
	numEdgeTypes
)

var edgeTypeNames = [numEdgeTypes]string{"HOLDS_SHARES", "LEGAL_REP_OF", "OFFICER_OF", "BRANCH_OF", "SHARES_ADDRESS", "SHARES_PHONE", "SHARES_EMAIL", "RELATED_TO"}

// String names the edge type as the API shows it.
func (t EdgeType) String() string {
	if t < numEdgeTypes {
		return edgeTypeNames[t]
	}
	return "UNKNOWN"
}

// Day is a date as days since 1970-01-01 (UTC); NoDay means unknown.
type Day int32

// NoDay is the unknown date.
const NoDay Day = -1 << 31

// DayOf converts a model date.
func DayOf(d models.Date) Day {
	if d.IsZero() {
		return NoDay
	}
	return Day(d.Unix() / 86400)
}

// Date converts back to a model date.
func (d Day) Date() models.Date {
	if d == NoDay {
		return models.Date{}
	}
	return models.DateOf(time.Unix(int64(d)*86400, 0))
}

// Edge is one projected relationship (32 bytes with padding).
type Edge struct {
	From, To int32
	// Ratio is the shareholding ratio (holdings only).
	Ratio float64
	Since Day
	Until Day // NoDay while in force
	Type  EdgeType
	Title uint8 // officer title index into Graph.Titles
}

// Record is one projected credit record.
type Record struct {
	Subject  int32
	Kind     uint16 // index into Graph.RecordKinds
	Severity float32
	Decided  Day
	Removed  Day // NoDay while in force
	// Ended is the first day the record no longer counts at all — its
	// publication period ended, it was repaired or withdrawn (life.go);
	// NoDay while none of that happened.
	Ended Day
}

// Graph is the projected graph in CSR form. Node ids are int32 in scan
// order: enterprises (each group node gets the next id when a second
// enterprise shares its value), then persons, then bare endpoints met only
// in relationships. Edges are sorted by From (the out-CSR); In lists edge
// indices sorted by To (the in-CSR).
type Graph struct {
	Kinds []NodeKind
	// Keys are the nodes' enterprise key, person pid, or the group's
	// normalised value (Keys.At(v)).
	Keys KeyTable

	NumEnterprises, NumPersons int

	// Enterprise attributes, indexed by node id (< NumEnterprises).
	Status      []uint8 // index into statuses
	Established []Day
	Region      []uint16 // index into Regions
	Industry    []uint16 // index into Industries
	EntKind     []uint8  // index into entKinds

	Regions, Industries, Titles, RecordKinds []string

	Edges []Edge
	// Offsets are int32, as edge and record indices are (In, RecIdx): one
	// graph holds fewer than 2³¹ edges and 2³¹ records (Project checks).
	OutOff []int32 // len n+1: edges of node v are Edges[OutOff[v]:OutOff[v+1]]
	InOff  []int32 // len n+1
	In     []int32 // edge indices, grouped by To

	Records   []Record
	RecordIDs KeyTable // the records' ids (RecordIDs.At(i))
	RecOff    []int32  // len n+1: records of node v are RecIdx[RecOff[v]:RecOff[v+1]]
	RecIdx    []int32

	// noRisk marks the record kinds (by index into RecordKinds) that never
	// raise risk nor flags: positive and neutral ones (life.go).
	noRisk []bool
	// commitments are the credit commitments of entities (life.go).
	commitments []commitmentSpan

	// Previous is the stored result of the last run per node; only
	// ProjectPrevious fills it (for incremental updates).
	Previous *Previous

	// entIndex and perIndex find enterprises and persons by key (ids into Keys).
	entIndex, perIndex strIndex
	// sameAs maps the members of SAME_AS sets that are not their set's
	// representative to its key (sameas.go); nil without sets.
	sameAs map[string]string
	// patch is what Patch needs, kept by a projection made for the
	// projection snapshot (persist.go); nil otherwise.
	patch *patchState
}

// statuses and entKinds code the enterprise attributes; code 0 is unknown.
var (
	statuses = []models.Status{"", models.StatusActive, models.StatusRevoked, models.StatusCancelled, models.StatusMovedOut, models.StatusUnknown}
	entKinds = append([]models.EnterpriseKind{""}, models.EnterpriseKinds...)
)

func codeOf[T comparable](table []T, v T) uint8 {
	for i, x := range table {
		if x == v {
			return uint8(i)
		}
	}
	return 0
}

// StatusOf returns the registration status of enterprise v ("" for other nodes).
func (g *Graph) StatusOf(v int32) models.Status { return statuses[g.Status[v]] }

// EnterpriseKindOf returns the legal form of enterprise v.
func (g *Graph) EnterpriseKindOf(v int32) models.EnterpriseKind { return entKinds[g.EntKind[v]] }

// N is the number of nodes.
func (g *Graph) N() int { return len(g.Kinds) }

// Out returns the indices range of v's outgoing edges.
func (g *Graph) Out(v int32) []Edge { return g.Edges[g.OutOff[v]:g.OutOff[v+1]] }

// InEdges returns the indices of v's incoming edges.
func (g *Graph) InEdges(v int32) []int32 { return g.In[g.InOff[v]:g.InOff[v+1]] }

// RecordsOf returns the indices of v's records.
func (g *Graph) RecordsOf(v int32) []int32 { return g.RecIdx[g.RecOff[v]:g.RecOff[v+1]] }

// Lookup returns the node id of a reference (for a member of a SAME_AS
// set, the set's node).
func (g *Graph) Lookup(r models.Ref) (int32, bool) {
	var id int32
	var ok bool
	switch r.Kind {
	case models.KindEnterprise:
		key := r.Key
		if rep, merged := g.sameAs[key]; merged {
			key = rep // a SAME_AS member: its set's node
		}
		id, ok = g.entIndex.get(key, &g.Keys)
	case models.KindPerson:
		id, ok = g.perIndex.get(r.Key, &g.Keys)
	}
	return id, ok
}

// Ref returns the model reference of an enterprise or person node.
func (g *Graph) Ref(v int32) models.Ref {
	switch g.Kinds[v] {
	case NodeEnterprise:
		return models.EnterpriseRef(g.Keys.At(v))
	case NodePerson:
		return models.PersonRef(g.Keys.At(v))
	}
	return models.Ref{Kind: models.NodeKind(g.groupKindName(v)), Key: g.Keys.At(v)}
}

func (g *Graph) groupKindName(v int32) string {
	switch g.Kinds[v] {
	case NodeAddress:
		return "address"
	case NodePhone:
		return "phone"
	case NodeEmail:
		return "email"
	}
	return "node"
}

// IsEntity reports whether v is an enterprise or a person.
func (g *Graph) IsEntity(v int32) bool { return g.Kinds[v] <= NodePerson }

// Active reports whether enterprise v is active (存续).
func (g *Graph) Active(v int32) bool {
	return g.Kinds[v] == NodeEnterprise && g.StatusOf(v) == models.StatusActive
}
