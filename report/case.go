package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
)

// The case export (docs/ui.md, "Case files"): a case file rendered as a
// document — title, notes, the data's as-of time, a legend, the network
// picture of the saved view (the same NetworkPicture, SVG template and
// PDF drawing as the credit report) and a table of the entities with
// their grade, score and flags as they stand now. The picture is the
// saved view's nodes at their saved places (hidden nodes left out, a
// group drawn as one node); grades and names are read from the store
// when the export is made.

// CaseInput is what BuildCase reads.
type CaseInput struct {
	Store store.Reader
	// Run is the latest completed engine run (zero when there is none):
	// the scores' as-of time.
	Run        store.Run
	Generation uint64
	// Catalogue names record kinds; nil means the shipped default.
	Catalogue *credit.Catalogue
	Now       time.Time
}

// CaseDocument is a case file's export.
type CaseDocument struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Notes     string    `json:"notes"`
	Version   int       `json:"version"`
	CreatedBy string    `json:"created_by"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	Archived  bool      `json:"archived,omitempty"`
	// AsOf is when the scores shown were computed (the run's finish), Run
	// that run; Exported when the document was made.
	AsOf           time.Time `json:"as_of"`
	Run            string    `json:"run,omitempty"`
	DataGeneration uint64    `json:"data_generation"`
	Exported       time.Time `json:"exported"`
	// Filters describes the view's filters, which the picture does not
	// apply (hidden nodes aside).
	Filters  []string       `json:"filters,omitempty"`
	Network  NetworkPicture `json:"network"`
	Entities []CaseEntity   `json:"entities"`
	Records  []CaseRecord   `json:"records"`
	// Missing lists the case's nodes that are no longer in the data.
	Missing []string `json:"missing,omitempty"`
}

// CaseEntity is one row of the entity table.
type CaseEntity struct {
	Party Party `json:"party"`
	// Kind is enterprise or person; Code the USCC or source key, or the
	// pid's last four digits (…1a2b).
	Kind   string   `json:"kind"`
	Code   string   `json:"code"`
	Status string   `json:"status,omitempty"`
	Grade  string   `json:"grade,omitempty"`
	Score  *float64 `json:"score,omitempty"`
	// Flags are the flags' Chinese labels (their kinds when unlabelled).
	Flags []string `json:"flags,omitempty"`
}

// CaseRecord is one credit record drawn in the view.
type CaseRecord struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	KindLabel string `json:"kind_label,omitempty"`
	Decided   string `json:"decided,omitempty"`
	Authority string `json:"authority,omitempty"`
	Subject   Party  `json:"subject"`
}

// LegendEntry is one line of the legend: a colour (or a ring) and what it
// means, in Chinese and English.
type LegendEntry struct {
	Fill, Ring string
	Zh, En     string
}

// CaseLegend is the picture's legend (the colours of nodeFill).
func CaseLegend() []LegendEntry {
	return []LegendEntry{
		{Fill: gradeFill["A"], Zh: "A 级（低风险）", En: "grade A (low risk)"},
		{Fill: gradeFill["B"], Zh: "B 级", En: "grade B"},
		{Fill: gradeFill["C"], Zh: "C 级", En: "grade C"},
		{Fill: gradeFill["D"], Zh: "D 级（高风险）", En: "grade D (high risk)"},
		{Fill: "#90a4ae", Zh: "无等级（记录、分组）", En: "no grade (records, groups)"},
		{Fill: "#ffffff", Ring: "#b71c1c", Zh: "红圈：连有信用记录", En: "red ring: has records"},
		{Fill: "#90a4ae", Ring: "#263238", Zh: "大圆：中心主体", En: "large: the root entity"},
	}
}

// Picture box: width fixed, height from the view's shape within bounds.
const (
	caseBoxW   = 600.0
	caseBoxMin = 200.0
	caseBoxMax = 700.0
	// casePadX leaves room for a label (14 characters) beside the edge.
	casePadX = 80.0
	casePadY = 40.0
)

// BuildCase builds the export of case c (with its view).
func BuildCase(ctx context.Context, in CaseInput, c store.Case) (*CaseDocument, error) {
	if c.View == nil {
		return nil, fmt.Errorf("case %s has no view", c.ID)
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	cat := in.Catalogue
	if cat == nil {
		cat = credit.Default()
	}
	d := &CaseDocument{ID: c.ID, Title: c.Title, Notes: c.Notes, Version: c.Version, CreatedBy: c.CreatedBy, Created: c.Created,
		Updated: c.Updated, Archived: c.Archived != nil, Run: in.Run.ID, AsOf: in.Run.Finished, DataGeneration: in.Generation,
		Exported: in.Now.UTC(), Entities: []CaseEntity{}, Records: []CaseRecord{}, Filters: caseFilters(c.View)}
	refs := c.View.Refs()
	inView := make(map[models.Ref]bool, len(refs))
	for _, r := range refs {
		inView[r] = true
	}
	for _, e := range c.Entities {
		kind, key, _ := strings.Cut(e, ":")
		if r := (models.Ref{Kind: models.NodeKind(kind), Key: key}); !inView[r] {
			refs = append(refs, r)
		}
	}
	g, missing, err := store.Induced(ctx, in.Store, refs)
	if err != nil {
		return nil, err
	}
	for _, m := range missing {
		d.Missing = append(d.Missing, m.String())
	}
	nodes := make(map[string]store.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		nodes[n.ID] = n
	}
	d.Network = casePicture(c.View, nodes, g.Edges, cat)
	// The entity table: enterprises and persons, riskiest first; the records drawn.
	subjects := map[string]string{}
	for _, e := range g.Edges {
		if e.Type == models.RelHasRecord {
			subjects[e.To.String()] = e.From.String()
		}
	}
	for _, n := range g.Nodes {
		switch n.Ref.Kind {
		case models.KindEnterprise, models.KindPerson:
			d.Entities = append(d.Entities, caseEntity(n))
		case models.KindRecord:
			r := CaseRecord{ID: n.Ref.Key, Kind: fmt.Sprint(n.Props["kind"]), Decided: propString(n.Props, "decided"),
				Authority: propString(n.Props, "authority")}
			if k := cat.Kind(models.RecordKind(r.Kind)); k != nil {
				r.KindLabel = k.Zh
			}
			if s, ok := nodes[subjects[n.ID]]; ok {
				r.Subject = nodeParty(s)
			}
			d.Records = append(d.Records, r)
		}
	}
	slices.SortStableFunc(d.Entities, func(a, b CaseEntity) int {
		sa, sb := -1.0, -1.0
		if a.Score != nil {
			sa = *a.Score
		}
		if b.Score != nil {
			sb = *b.Score
		}
		switch {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return strings.Compare(a.Party.Ref, b.Party.Ref)
	})
	return d, nil
}

// caseFilters describes the view's settings the picture does not apply.
func caseFilters(v *store.CaseView) []string {
	var out []string
	if len(v.HiddenGrades) > 0 {
		out = append(out, "隐藏等级 hidden grades: "+strings.Join(v.HiddenGrades, ", "))
	}
	if len(v.HiddenKinds) > 0 {
		out = append(out, "隐藏类型 hidden kinds: "+strings.Join(v.HiddenKinds, ", "))
	}
	if v.AsOf != "" {
		out = append(out, "时间滑块 date slider: "+v.AsOf)
	}
	if len(v.Types) > 0 {
		out = append(out, "关系类型 relationship types: "+strings.Join(v.Types, ", "))
	}
	return out
}

func propString(p map[string]any, k string) string {
	s, _ := p[k].(string)
	return s
}

// nodeParty is a node as a party: its name (a record: its kind).
func nodeParty(n store.Node) Party { return Party{Ref: n.ID, Name: n.Label} }

func caseEntity(n store.Node) CaseEntity {
	e := CaseEntity{Party: nodeParty(n), Kind: string(n.Ref.Kind), Code: n.Ref.Key, Status: propString(n.Props, "status")}
	if n.Ref.Kind == models.KindPerson {
		e.Code = "pid …" + n.Ref.Key[max(0, len(n.Ref.Key)-4):]
	} else if u := propString(n.Props, "uscc"); u != "" {
		e.Code = u
	}
	if n.Risk != nil && n.Risk.Run != "" {
		score := n.Risk.Score
		e.Grade, e.Score = n.Risk.Grade, &score
		for _, f := range n.Risk.Flags {
			if l := flagZh[f]; l != "" {
				e.Flags = append(e.Flags, l)
			} else {
				e.Flags = append(e.Flags, f)
			}
		}
	}
	return e
}

// casePicture places the view's visible nodes (a group as one node, the
// root first) at their saved places, scaled into the picture box, and
// draws the relationships the view had that still exist.
func casePicture(v *store.CaseView, nodes map[string]store.Node, edges []store.Edge, cat *credit.Catalogue) NetworkPicture {
	pic := NetworkPicture{Width: caseBoxW, Nodes: []NetworkNode{}, Edges: []NetworkEdge{}}
	type place struct {
		node NetworkNode
		x, y float64
	}
	var places []place
	index := map[string]int{} // node or group id → picture node
	members := map[string][]string{}
	for _, n := range v.Nodes {
		if n.Group != "" {
			members[n.Group] = append(members[n.Group], n.ID)
		}
	}
	order := slices.Clone(v.Nodes)
	slices.SortStableFunc(order, func(a, b store.CaseNode) int { return boolRank(b.ID == v.Root) - boolRank(a.ID == v.Root) })
	groupAt := map[string]store.CaseGroup{}
	for _, g := range v.Groups {
		groupAt[g.ID] = g
	}
	for _, n := range order {
		if n.Hidden {
			continue
		}
		if n.Group != "" {
			if _, done := index[n.Group]; done {
				continue
			}
			gp := groupAt[n.Group]
			index[n.Group] = len(places)
			places = append(places, place{NetworkNode{Party: Party{Ref: n.Group, Name: groupLabel(members[n.Group], nodes, cat)}}, gp.X, gp.Y})
			continue
		}
		sn, ok := nodes[n.ID]
		if !ok {
			continue // gone from the data: listed under Missing
		}
		nn := NetworkNode{Party: nodeParty(sn)}
		if sn.Ref.Kind == models.KindRecord {
			if k := cat.Kind(models.RecordKind(propString(sn.Props, "kind"))); k != nil {
				nn.Party.Name = k.Zh
			}
		}
		if sn.Risk != nil {
			nn.Grade = sn.Risk.Grade
		}
		index[n.ID] = len(places)
		places = append(places, place{nn, n.X, n.Y})
	}
	// The picture node of a view node: its own, or its group's.
	groupOf := make(map[string]string, len(v.Nodes))
	for _, n := range v.Nodes {
		if n.Group != "" {
			groupOf[n.ID] = n.Group
		}
	}
	at := func(id string) (int, bool) {
		if g, ok := groupOf[id]; ok {
			id = g
		}
		i, ok := index[id]
		return i, ok
	}
	drawn := map[[3]string]bool{}
	for _, e := range v.Edges {
		drawn[[3]string{e.From, e.To, e.Type}] = true
	}
	pairs := map[[2]int]bool{}
	for _, e := range edges {
		if !drawn[[3]string{e.From.String(), e.To.String(), string(e.Type)}] {
			continue
		}
		from, okf := at(e.From.String())
		to, okt := at(e.To.String())
		if !okf || !okt || from == to || pairs[[2]int{from, to}] {
			continue
		}
		pairs[[2]int{from, to}] = true
		ne := NetworkEdge{From: from, To: to, Type: string(e.Type)}
		if r, ok := e.Props["ratio"].(float64); ok && e.Type == models.RelHoldsShares {
			ne.Text = fmt.Sprintf("%.4g%%", r*100)
		} else if t, ok := e.Props["title"].(string); ok {
			ne.Text = t
		}
		if e.Type == models.RelHasRecord {
			places[from].node.Records = true
		}
		pic.Edges = append(pic.Edges, ne)
	}
	// Scale the saved places into the box, keeping their shape.
	if len(places) == 0 {
		pic.Height = caseBoxMin
		return pic
	}
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range places {
		x0, x1, y0, y1 = min(x0, p.x), max(x1, p.x), min(y0, p.y), max(y1, p.y)
	}
	w, h := max(x1-x0, 1), max(y1-y0, 1)
	s := min((caseBoxW-2*casePadX)/w, (caseBoxMax-2*casePadY)/h)
	pic.Height = max(caseBoxMin, math.Round(h*s+2*casePadY))
	offX := (caseBoxW - w*s) / 2
	offY := (pic.Height - h*s) / 2
	for _, p := range places {
		n := p.node
		n.X = math.Round((offX+(p.x-x0)*s)*10) / 10
		n.Y = math.Round((offY+(p.y-y0)*s)*10) / 10
		pic.Nodes = append(pic.Nodes, n)
	}
	return pic
}

// groupLabel names a group node: its size and what it holds ("37 行政处罚",
// "12 企业").
func groupLabel(ids []string, nodes map[string]store.Node, cat *credit.Catalogue) string {
	kinds, recKinds := map[models.NodeKind]bool{}, map[string]bool{}
	for _, id := range ids {
		kind, _, _ := strings.Cut(id, ":")
		kinds[models.NodeKind(kind)] = true
		if n, ok := nodes[id]; ok && n.Ref.Kind == models.KindRecord {
			recKinds[propString(n.Props, "kind")] = true
		}
	}
	what := "节点"
	if len(kinds) == 1 {
		for k := range kinds {
			what = map[models.NodeKind]string{models.KindEnterprise: "企业", models.KindPerson: "自然人", models.KindRecord: "记录"}[k]
		}
		if len(recKinds) == 1 && kinds[models.KindRecord] {
			for k := range recKinds {
				if rk := cat.Kind(models.RecordKind(k)); rk != nil {
					what = rk.Zh
				}
			}
		}
	}
	return fmt.Sprintf("%d %s", len(ids), what)
}
