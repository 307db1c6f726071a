package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"riskgraph/models"
)

// Case files (docs/ui.md, "Case files"): an inspector's saved
// investigation — a title, notes, the entities it is about and the
// explorer's state (the nodes on the canvas with their places, pins,
// hidden nodes, groups, filters and viewport) — kept so that it can be
// reopened, shared by a URL and exported. A case is changed by replacing
// it whole under optimistic concurrency: the caller sends the version it
// read, and a case changed meanwhile is ErrStale. Cases are never
// deleted: archiving (an update that sets Archived) takes one out of the
// default listing and makes it read-only; it stays readable and
// exportable, as the record of an investigation should.

// Bounds of a case file, checked by ValidateCase (and so by both
// backends and the API).
const (
	MaxCaseTitle    = 200    // characters
	MaxCaseNotes    = 20_000 // characters
	MaxCaseEntities = 5000
	MaxCaseNodes    = 5000
	MaxCaseEdges    = 20_000
	MaxCaseGroups   = 2000
)

// ErrStale: the case was changed since the version the caller read. It is
// an ErrConflict: read the case again and reapply the change.
var ErrStale = fmt.Errorf("stale version: %w", ErrConflict)

// Case is one case file.
type Case struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Notes string `json:"notes"`
	// Entities are the enterprises ("enterprise:<key>") and persons
	// ("person:<pid>", the pid being the keyed hash, never an identity
	// number) the case is about: those on the canvas and any named
	// besides.
	Entities []string `json:"entities"`
	// View is the explorer's state; Cases (the listing) leaves it nil.
	View *CaseView `json:"view,omitempty"`
	// CreatedBy and UpdatedBy are API key ids.
	CreatedBy string    `json:"created_by"`
	UpdatedBy string    `json:"updated_by"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	// Version counts the case's writes from 1; an update names the version
	// it replaces.
	Version int `json:"version"`
	// Archived is when the case was archived (nil while it is open).
	Archived *time.Time `json:"archived,omitempty"`
	// Nodes is the number of nodes in View (for listings, which leave
	// View out).
	Nodes int `json:"nodes"`
}

// CaseView is the explorer's state as the UI holds it (web/src/explorer.js).
type CaseView struct {
	// Mode is the view: network, path, ownership or investments.
	Mode string `json:"mode"`
	// Root is the node the network (or tree) was drawn around; From and To
	// the end points of a path search. Node ids are "kind:key".
	Root string `json:"root,omitempty"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Depth, Limit and Types are the toolbar's settings; ExpandBy what the
	// Expand button adds (all, down, up, officers).
	Depth    int      `json:"depth,omitempty"`
	Limit    int      `json:"limit,omitempty"`
	Types    []string `json:"types,omitempty"`
	ExpandBy string   `json:"expand_by,omitempty"`
	// Group: leaves of one kind are grouped; the filters in the graph.
	Group        bool     `json:"group"`
	HiddenGrades []string `json:"hidden_grades,omitempty"`
	HiddenKinds  []string `json:"hidden_kinds,omitempty"`
	// AsOf is the date slider's day (YYYY-MM-DD; empty for today).
	AsOf     string `json:"as_of,omitempty"`
	Selected string `json:"selected,omitempty"`
	// Zoom and Pan are the viewport.
	Zoom float64   `json:"zoom,omitempty"`
	Pan  CasePoint `json:"pan"`
	// Nodes are every node of the canvas, those inside a group included;
	// Edges the relationships drawn between them; Groups the group nodes.
	Nodes  []CaseNode  `json:"nodes"`
	Edges  []CaseEdge  `json:"edges"`
	Groups []CaseGroup `json:"groups,omitempty"`
}

// CasePoint is a place on the canvas (model coordinates).
type CasePoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// CaseNode is one node of a saved view.
type CaseNode struct {
	// ID is "enterprise:<key>", "person:<pid>" or "record:<id>".
	ID string  `json:"id"`
	X  float64 `json:"x"`
	Y  float64 `json:"y"`
	// Pinned nodes keep their place and pass the filters; hidden ones are
	// out of the view until shown again.
	Pinned bool `json:"pinned,omitempty"`
	Hidden bool `json:"hidden,omitempty"`
	// Owner marks a beneficial owner in the ownership view.
	Owner bool `json:"owner,omitempty"`
	// Group is the id of the group node the node is collapsed into.
	Group string `json:"group,omitempty"`
}

// CaseEdge is one relationship drawn, by its end points and type.
type CaseEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Type string `json:"type"`
}

// CaseGroup is a group node: the leaves of one kind on one node, drawn
// as one ("37 行政处罚"). Its id is the UI's.
type CaseGroup struct {
	ID string  `json:"id"`
	X  float64 `json:"x"`
	Y  float64 `json:"y"`
}

// CaseQuery selects a page of cases for Cases.
type CaseQuery struct {
	Offset, Limit int
	// Archived includes archived cases.
	Archived bool
	// CreatedBy keeps the cases of one API key id ("" for all).
	CreatedBy string
}

// CaseStore keeps case files; part of Store.
type CaseStore interface {
	// CreateCase stores a new case (ValidateCase; version 1). An id that
	// exists is ErrInvalid.
	CreateCase(ctx context.Context, c Case) error
	// Case returns one case with its view, or ErrNotFound.
	Case(ctx context.Context, id string) (Case, error)
	// Cases returns a page of cases without their views, most recently
	// updated first, then by id, and the number of cases q selects.
	Cases(ctx context.Context, q CaseQuery) ([]Case, int, error)
	// UpdateCase replaces the case c.ID, whose stored version must be
	// c.Version (the one the caller read), with c at version c.Version+1,
	// keeping the stored Created and CreatedBy; it returns the case as
	// stored. An unknown id is ErrNotFound, another stored version
	// ErrStale.
	UpdateCase(ctx context.Context, c Case) (Case, error)
}

// CaseProblem is an invalid case: Field names the member
// ("view.nodes[3].id") and Msg what to change. It is an ErrInvalid.
type CaseProblem struct {
	Field, Msg string
}

func (p *CaseProblem) Error() string { return p.Field + ": " + p.Msg }

// Unwrap makes a CaseProblem an ErrInvalid.
func (p *CaseProblem) Unwrap() error { return ErrInvalid }

func caseProblem(field, format string, args ...any) error {
	return &CaseProblem{Field: field, Msg: fmt.Sprintf(format, args...)}
}

var (
	pidPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	dayPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	caseModes  = []string{"network", "path", "ownership", "investments"}
)

// CaseEntity checks one entity reference: "enterprise:<key>" or
// "person:<pid>" (32 lower-case hex digits). The message never repeats the
// value, which might be an identity number sent by mistake.
func CaseEntity(id string) error {
	kind, key, _ := strings.Cut(id, ":")
	switch {
	case kind == string(models.KindEnterprise) && key != "" && len(key) <= 200 && strings.TrimSpace(key) == key:
		return nil
	case kind == string(models.KindPerson) && pidPattern.MatchString(key):
		return nil
	case kind == string(models.KindPerson):
		return errors.New("a person is person:<pid>, the 32-hex-digit pid the API gives (never an identity number)")
	}
	return errors.New(`give "enterprise:<key>" or "person:<pid>"`)
}

// caseNodeID checks a node id: an entity, or "record:<id>".
func caseNodeID(id string) error {
	if key, ok := strings.CutPrefix(id, string(models.KindRecord)+":"); ok {
		if key == "" || len(key) > 200 {
			return errors.New("a record is record:<id>")
		}
		return nil
	}
	if err := CaseEntity(id); err != nil {
		return errors.New(`give "enterprise:<key>", "person:<pid>" or "record:<id>"`)
	}
	return nil
}

// ValidateCase checks a case before it is stored; the error is a
// *CaseProblem naming the field.
func ValidateCase(c Case) error {
	switch {
	case c.ID == "" || len(c.ID) > 64:
		return caseProblem("id", "give 1 to 64 characters")
	case strings.TrimSpace(c.Title) == "" || utf8.RuneCountInString(c.Title) > MaxCaseTitle:
		return caseProblem("title", "give 1 to %d characters", MaxCaseTitle)
	case utf8.RuneCountInString(c.Notes) > MaxCaseNotes:
		return caseProblem("notes", "at most %d characters", MaxCaseNotes)
	case len(c.Entities) > MaxCaseEntities:
		return caseProblem("entities", "at most %d entities", MaxCaseEntities)
	case c.Version < 1:
		return caseProblem("version", "versions count from 1")
	case c.Created.IsZero() || c.Updated.IsZero():
		return caseProblem("created", "a case has its creation and update times")
	case c.View == nil:
		return caseProblem("view", "a case holds the explorer's view")
	}
	for i, e := range c.Entities {
		if err := CaseEntity(e); err != nil {
			return caseProblem(fmt.Sprintf("entities[%d]", i), "%v", err)
		}
	}
	return ValidateCaseView(c.View)
}

// ValidateCaseView checks a view; the error is a *CaseProblem naming the
// field.
func ValidateCaseView(v *CaseView) error {
	switch {
	case !slices.Contains(caseModes, v.Mode):
		return caseProblem("view.mode", "use %s", strings.Join(caseModes, ", "))
	case len(v.Nodes) > MaxCaseNodes:
		return caseProblem("view.nodes", "at most %d nodes", MaxCaseNodes)
	case len(v.Edges) > MaxCaseEdges:
		return caseProblem("view.edges", "at most %d edges", MaxCaseEdges)
	case len(v.Groups) > MaxCaseGroups:
		return caseProblem("view.groups", "at most %d groups", MaxCaseGroups)
	case v.AsOf != "" && !dayPattern.MatchString(v.AsOf):
		return caseProblem("view.as_of", "a day YYYY-MM-DD, or empty for today")
	case v.Zoom < 0 || v.Zoom > 100:
		return caseProblem("view.zoom", "between 0 and 100")
	}
	groups := make(map[string]bool, len(v.Groups))
	for i, g := range v.Groups {
		if !strings.HasPrefix(g.ID, "group:") || len(g.ID) > 300 {
			return caseProblem(fmt.Sprintf("view.groups[%d].id", i), "a group id starts with group: (at most 300 characters)")
		}
		groups[g.ID] = true
	}
	nodes := make(map[string]bool, len(v.Nodes))
	for i, n := range v.Nodes {
		if err := caseNodeID(n.ID); err != nil {
			return caseProblem(fmt.Sprintf("view.nodes[%d].id", i), "%v", err)
		}
		if nodes[n.ID] {
			return caseProblem(fmt.Sprintf("view.nodes[%d].id", i), "the node is given twice")
		}
		if n.Group != "" && !groups[n.Group] {
			return caseProblem(fmt.Sprintf("view.nodes[%d].group", i), "names no group of view.groups")
		}
		nodes[n.ID] = true
	}
	for name, id := range map[string]string{"view.root": v.Root, "view.from": v.From, "view.to": v.To} {
		if id != "" && !nodes[id] {
			return caseProblem(name, "names no node of view.nodes")
		}
	}
	for i, e := range v.Edges {
		if !nodes[e.From] || !nodes[e.To] {
			return caseProblem(fmt.Sprintf("view.edges[%d]", i), "both ends must be nodes of view.nodes")
		}
		if !slices.Contains(models.RelTypes, models.RelType(e.Type)) {
			return caseProblem(fmt.Sprintf("view.edges[%d].type", i), "not a relationship type")
		}
	}
	return nil
}

// Refs returns the nodes of the view as references.
func (v *CaseView) Refs() []models.Ref {
	out := make([]models.Ref, 0, len(v.Nodes))
	for _, n := range v.Nodes {
		kind, key, _ := strings.Cut(n.ID, ":")
		out = append(out, models.Ref{Kind: models.NodeKind(kind), Key: key})
	}
	return out
}

// MatchCase reports whether q selects c.
func MatchCase(c *Case, q CaseQuery) bool {
	return (q.Archived || c.Archived == nil) && (q.CreatedBy == "" || c.CreatedBy == q.CreatedBy)
}

// SortCases orders cases most recently updated first, then by id.
func SortCases(cs []Case) {
	slices.SortFunc(cs, func(a, b Case) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// PageCases returns the page of sorted cases q asks for.
func PageCases(cs []Case, q CaseQuery) []Case {
	lo := min(max(q.Offset, 0), len(cs))
	hi := len(cs)
	if q.Limit > 0 {
		hi = min(lo+q.Limit, len(cs))
	}
	return cs[lo:hi]
}

// Induced returns the subgraph of refs: the nodes among them that exist,
// as they stand now, and every relationship between two of them; missing
// lists the refs that exist no more (or never did). It reads the
// relationships of all refs at once (Reader.Expand).
func Induced(ctx context.Context, r Reader, refs []models.Ref) (g Graph, missing []models.Ref, err error) {
	want := make(map[models.Ref]bool, len(refs))
	for _, ref := range refs {
		want[ref] = true
	}
	edges, known, err := r.Expand(ctx, refs, nil)
	if err != nil {
		return Graph{}, nil, err
	}
	seen := map[string]bool{}
	g.Edges = []Edge{}
	for _, e := range edges {
		if want[e.From] && want[e.To] && !seen[e.ID()] {
			seen[e.ID()] = true
			g.Edges = append(g.Edges, e)
		}
	}
	g.Nodes = make([]Node, 0, len(refs))
	done := make(map[models.Ref]bool, len(refs))
	for _, ref := range refs {
		if done[ref] {
			continue
		}
		done[ref] = true
		n, ok := known[ref]
		if !ok {
			if ref.Kind == models.KindRecord {
				missing = append(missing, ref)
				continue
			}
			if n, err = nodeOf(ctx, r, ref); errors.Is(err, ErrNotFound) {
				missing = append(missing, ref)
				continue
			} else if err != nil {
				return Graph{}, nil, err
			}
		}
		g.Nodes = append(g.Nodes, n)
	}
	slices.SortFunc(g.Edges, func(a, b Edge) int { return strings.Compare(a.ID(), b.ID()) })
	return g, missing, nil
}
