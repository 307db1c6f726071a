package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"riskgraph/models"
	"riskgraph/store"
)

// Relations of related parties to the subject, nearest first.
var relationZh = []struct{ id, zh string }{
	{"shareholder", "股东"},
	{"investment", "对外投资企业"},
	{"legal_rep", "法定代表人"},
	{"officer", "董事、监事、高级管理人员"},
	{"parent", "总公司"},
	{"branch", "分支机构"},
	{"same_as", "同一主体的其他登记"},
	{"via_person", "通过人员关联的企业"},
}

func relationRank(id string) int {
	return slices.IndexFunc(relationZh, func(r struct{ id, zh string }) bool { return r.id == id })
}

// relationOf names edge e's relation to the subject s (e is one of s's).
func relationOf(e store.Edge, s models.Ref) string {
	in := e.To == s
	switch e.Type {
	case models.RelHoldsShares:
		if in {
			return "shareholder"
		}
		return "investment"
	case models.RelLegalRepOf:
		return "legal_rep"
	case models.RelOfficerOf:
		return "officer"
	case models.RelBranchOf:
		if in {
			return "branch"
		}
		return "parent"
	case models.RelSameAs:
		return "same_as"
	}
	return ""
}

// relatedParty is one related party as the builder collects it.
type relatedParty struct {
	ref      models.Ref
	relation string
	node     store.Node
	records  []models.Record
}

// related: the related-party summary (counts by relation, the related
// parties with records) and the network picture of the nearest ones.
// It reads the subject's relationships, then the enterprises its persons
// (legal representatives, officers, shareholders) are tied to, at most
// maxRelated parties.
func (b *creditBuilder) related(d *CreditReport) error {
	self := b.ent.Ref()
	types := []models.RelType{models.RelHoldsShares, models.RelLegalRepOf, models.RelOfficerOf, models.RelBranchOf, models.RelSameAs}
	edges, nodes, err := b.in.Store.Expand(b.ctx, []models.Ref{self}, types)
	if err != nil {
		return err
	}
	sortEdgesByID(edges)
	parties := map[models.Ref]*relatedParty{}
	var order []models.Ref
	truncated := false
	add := func(ref models.Ref, rel string, n store.Node) {
		if ref == self {
			return
		}
		if p, ok := parties[ref]; ok {
			if relationRank(rel) < relationRank(p.relation) {
				p.relation = rel
			}
			return
		}
		if len(order) >= maxRelated {
			truncated = true
			return
		}
		parties[ref] = &relatedParty{ref: ref, relation: rel, node: n}
		order = append(order, ref)
		b.names[ref] = n.Label
	}
	var subjectEdges []store.Edge
	for _, e := range edges {
		if e.From != self && e.To != self {
			continue
		}
		other := e.Other(self)
		add(other, relationOf(e, self), nodes[other])
		subjectEdges = append(subjectEdges, e)
	}
	var persons []models.Ref
	for _, r := range order {
		if r.Kind == models.KindPerson {
			persons = append(persons, r)
		}
	}
	if len(persons) > 0 {
		pe, pn, err := b.in.Store.Expand(b.ctx, persons, []models.RelType{models.RelHoldsShares, models.RelLegalRepOf, models.RelOfficerOf})
		if err != nil {
			return err
		}
		sortEdgesByID(pe)
		for _, e := range pe {
			if e.To.Kind == models.KindEnterprise {
				add(e.To, "via_person", pn[e.To])
			}
		}
	}
	s := RelatedSection{Counts: []RelationCount{}, WithRecords: []RelatedWithRecords{}, Truncated: truncated}
	counts := map[string]int{}
	for _, r := range order {
		p := parties[r]
		counts[p.relation]++
		recs, err := b.in.Store.Records(b.ctx, r)
		if err != nil {
			return err
		}
		p.records = recs
		if len(recs) == 0 {
			continue
		}
		w := RelatedWithRecords{Party: b.party(r), Relation: p.relation, Records: len(recs), Kinds: []string{}}
		for _, rec := range recs {
			if rec.Removed.IsZero() || rec.Removed.After(b.today.Time) {
				w.InForce++
			}
			if !slices.Contains(w.Kinds, string(rec.Kind)) {
				w.Kinds = append(w.Kinds, string(rec.Kind))
			}
		}
		slices.Sort(w.Kinds)
		s.WithRecords = append(s.WithRecords, w)
	}
	for _, rz := range relationZh {
		if n := counts[rz.id]; n > 0 {
			s.Counts = append(s.Counts, RelationCount{Relation: rz.id, RelationLabel: rz.zh, Count: n})
		}
	}
	slices.SortStableFunc(s.WithRecords, func(x, y RelatedWithRecords) int {
		if c := y.InForce - x.InForce; c != 0 {
			return c
		}
		if c := relationRank(x.Relation) - relationRank(y.Relation); c != 0 {
			return c
		}
		return strings.Compare(x.Party.Ref, y.Party.Ref)
	})
	d.Related = s
	d.Network = b.picture(subjectEdges, parties)
	return nil
}

// picture places the subject in the middle of a 600×400 box and its
// nearest related parties on an ellipse around it: parties with records
// first, then by relation, then by id; at most maxPictureNodes.
func (b *creditBuilder) picture(edges []store.Edge, parties map[models.Ref]*relatedParty) NetworkPicture {
	const w, h = 600.0, 400.0
	self := b.ent.Ref()
	pic := NetworkPicture{Width: w, Height: h, Nodes: []NetworkNode{}, Edges: []NetworkEdge{}}
	subject := NetworkNode{Party: b.party(self), Records: len(b.recs) > 0, X: w / 2, Y: h / 2}
	if b.v >= 0 {
		subject.Grade = b.in.Result.Grade[b.v].String()
	}
	pic.Nodes = append(pic.Nodes, subject)
	var near []*relatedParty
	seen := map[models.Ref]bool{}
	for _, e := range edges {
		o := e.Other(self)
		if !seen[o] {
			seen[o] = true
			near = append(near, parties[o])
		}
	}
	slices.SortStableFunc(near, func(x, y *relatedParty) int {
		if c := boolRank(len(y.records) > 0) - boolRank(len(x.records) > 0); c != 0 {
			return c
		}
		if c := relationRank(x.relation) - relationRank(y.relation); c != 0 {
			return c
		}
		return strings.Compare(x.ref.String(), y.ref.String())
	})
	if len(near) > maxPictureNodes {
		pic.Omitted = len(near) - maxPictureNodes
		near = near[:maxPictureNodes]
	}
	index := map[models.Ref]int{self: 0}
	for i, p := range near {
		angle := -math.Pi/2 + 2*math.Pi*float64(i)/float64(len(near))
		n := NetworkNode{Party: b.party(p.ref), Records: len(p.records) > 0,
			X: math.Round((w/2+230*math.Cos(angle))*10) / 10, Y: math.Round((h/2+155*math.Sin(angle))*10) / 10}
		if p.node.Risk != nil {
			n.Grade = p.node.Risk.Grade
		}
		index[p.ref] = len(pic.Nodes)
		pic.Nodes = append(pic.Nodes, n)
	}
	for _, e := range edges {
		from, okf := index[e.From]
		to, okt := index[e.To]
		if !okf || !okt {
			continue
		}
		ne := NetworkEdge{From: from, To: to, Type: string(e.Type)}
		if r, ok := e.Props["ratio"].(float64); ok && e.Type == models.RelHoldsShares {
			ne.Text = fmt.Sprintf("%.4g%%", r*100)
		} else if t, ok := e.Props["title"].(string); ok {
			ne.Text = t
		}
		pic.Edges = append(pic.Edges, ne)
	}
	return pic
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
