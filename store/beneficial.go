package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"riskgraph/models"
)

// Beneficial owners under the 2024 rules (受益所有人信息管理办法, PBoC and
// SAMR order 〔2024〕 No. 3; docs/beneficial-owners.md has the articles and
// every decision). BeneficialOwners is the one definition: the API's
// /owners, the credit report and the BODS export all call it.
//
// It walks up from the enterprise through holdings and controls (a SAME_AS
// set counts as one enterprise), then on that upstream network computes
// for every natural person the integrated equity, voting and income
// shares (the sum over every holding walk of the product of the ratios,
// through chains and cross-holding cycles: O = D·(I − W)⁻¹, as the engine
// does), the actual controller through chains of majority control,
// control agreements, general partners and acting-in-concert groups, and
// applies Art. 6's criteria in their order, the day-to-day manager when
// nobody qualifies, and the scope and exemption of Art. 2 and 3.

// Criterion is why a person is a beneficial owner.
type Criterion string

// Criteria, in the order of Art. 6.
const (
	// CriterionEquity: ≥ 25 % of the equity, shares or partnership
	// interest, directly or indirectly (Art. 6 (1)).
	CriterionEquity Criterion = "equity"
	// CriterionIncome: ≥ 25 % of the income rights (Art. 6 (2)).
	CriterionIncome Criterion = "income"
	// CriterionVoting: ≥ 25 % of the voting rights (Art. 6 (2)).
	CriterionVoting Criterion = "voting"
	// CriterionControl: actual control, alone or jointly (Art. 6 (3)).
	CriterionControl Criterion = "control"
	// CriterionBranchExecutive: the senior executive (person in charge) of
	// a foreign company's branch, reported beside the head office's
	// beneficial owners (Art. 8).
	CriterionBranchExecutive Criterion = "branch_executive"
	// CriterionSeniorManager: nobody meets the above; the person in charge
	// of day-to-day management is reported (Art. 6, last paragraph).
	CriterionSeniorManager Criterion = "senior_manager"
)

// OwnerRules are the numbers of the rules; DefaultOwnerRules gives the
// regulation's.
type OwnerRules struct {
	// Threshold is the share that makes a beneficial owner (0.25: "25%以上",
	// inclusive).
	Threshold float64 `json:"threshold"`
	// ControlThreshold: a party with more than this share of the votes
	// controls the enterprise (0.5, a majority; the engine's
	// ownership.control_threshold).
	ControlThreshold float64 `json:"control_threshold"`
	// ExemptCapital is Art. 3's limit of registered capital, in yuan.
	ExemptCapital float64 `json:"exempt_capital"`
	// Today: holdings, controls and offices not in force on Today are left
	// out (zero: everything counts).
	Today models.Date `json:"today"`
	// MaxDepth bounds the levels walked up; MaxNodes the network's size
	// (the result says Truncated when a bound cut it); MaxChains the
	// chains listed per owner.
	MaxDepth  int `json:"max_depth"`
	MaxNodes  int `json:"max_nodes"`
	MaxChains int `json:"max_chains"`
}

// DefaultOwnerRules are the regulation's numbers with the engine's bounds.
func DefaultOwnerRules(today models.Date) OwnerRules {
	return OwnerRules{Threshold: 0.25, ControlThreshold: 0.5, ExemptCapital: 10_000_000, Today: today,
		MaxDepth: 12, MaxNodes: 5000, MaxChains: 5}
}

// Owners is the answer for one enterprise.
type Owners struct {
	Enterprise models.Ref `json:"enterprise"`
	// Filing says whether the enterprise files its beneficial owners
	// (Art. 2 and 3).
	Filing Filing `json:"filing"`
	// Owners are the beneficial owners: the persons meeting a criterion of
	// Art. 6, largest equity first; or, when nobody does, the day-to-day
	// managers (Fallback).
	Owners   []Owner `json:"owners"`
	Fallback bool    `json:"fallback"`
	// Controller is the actual controller (a person, persons jointly, or
	// an enterprise nobody controls), nil when control is dispersed.
	Controller *Controller `json:"controller"`
	// Truncated: the network was cut by MaxDepth or MaxNodes.
	Truncated bool `json:"truncated"`
	// HeadOffice is set for a branch of a foreign company (Art. 8): its
	// owners are the head office's beneficial owners under Art. 6, their
	// chains running on through the head office to the branch, and the
	// branch's senior executives (criterion branch_executive).
	HeadOffice *models.Ref `json:"head_office,omitempty"`
	// Network is the upstream network the answer was computed on, SAME_AS
	// sets merged (for the BODS export); not part of the API's body.
	Network OwnerNetwork `json:"-"`
}

// Filing statuses.
const (
	FilingRequired      = "required"
	FilingExempt        = "exempt_on_commitment"
	FilingNotRequired   = "not_required"
	FilingNotApplicable = "not_applicable"
)

// Filing is whether and why an enterprise files its beneficial owners.
type Filing struct {
	Status  string `json:"status"`
	Article string `json:"article"`
	Reason  string `json:"reason"`
}

// Owner is one beneficial owner.
type Owner struct {
	Person string `json:"person"` // pid
	Name   string `json:"name,omitempty" mask:"name"`
	// Criterion is the first criterion of Art. 6 the person meets;
	// Criteria lists every one met.
	Criterion Criterion   `json:"criterion"`
	Criteria  []Criterion `json:"criteria"`
	// Equity, Voting and Income are the person's integrated shares (0 to 1).
	Equity float64 `json:"equity"`
	Voting float64 `json:"voting"`
	Income float64 `json:"income"`
	// Control says how the person controls (criterion control).
	Control *Control `json:"control,omitempty"`
	// Title is the office of a day-to-day manager (criterion
	// senior_manager) or of a branch's senior executive (branch_executive).
	Title string `json:"title,omitempty"`
	// Chains are the holding walks from the person to the enterprise,
	// largest equity first (at most MaxChains); ChainsTotal counts them all
	// (simple paths, up to 10 000 looked at).
	Chains      []OwnerChain `json:"chains"`
	ChainsTotal int          `json:"chains_total"`
}

// Control is how a person or an enterprise controls the enterprise.
type Control struct {
	// Basis: majority (more than half of the votes), agreement,
	// general_partner, executive_partner, acting_in_concert or other.
	Basis string `json:"basis"`
	// Jointly: the control is shared with With (an acting-in-concert
	// group, several general partners or parties to agreements).
	Jointly bool     `json:"jointly"`
	With    []string `json:"with,omitempty"` // the other parties, "kind:key"
	Group   string   `json:"group,omitempty"`
	// Chain is the control chain from the controller down to the
	// enterprise, "kind:key".
	Chain []string `json:"chain"`
}

// Controller is the actual controller.
type Controller struct {
	Ref  models.Ref `json:"ref"`
	Name string     `json:"name,omitempty"` // a person's or an enterprise's (Masked)
	Control
}

// Masked masks the controller's name when it is a person.
func (c Controller) Masked() Controller {
	if c.Ref.Kind == models.KindPerson {
		c.Name = models.MaskName(c.Name)
	}
	return c
}

// OwnerChain is one holding walk, owner first.
type OwnerChain struct {
	Path   []string `json:"path"` // "kind:key", the owner first, the enterprise last
	Equity float64  `json:"equity"`
	Voting float64  `json:"voting"`
	Income float64  `json:"income"`
}

// OwnerNetwork is the upstream network of an enterprise: its nodes (each
// SAME_AS set by its representative) and its holdings, controls and
// offices in force, endpoints by representative.
type OwnerNetwork struct {
	Root  models.Ref
	Nodes map[models.Ref]Node
	Edges []Edge
	// Members maps each representative to the SAME_AS members it stands for.
	Members map[models.Ref][]models.Ref
}

// BeneficialOwners computes the beneficial owners of the enterprise
// keyOrUSCC (ErrNotFound when there is none).
func BeneficialOwners(ctx context.Context, r Reader, keyOrUSCC string, rules OwnerRules) (Owners, error) {
	if rules.Threshold <= 0 || rules.ControlThreshold <= 0 || rules.MaxDepth <= 0 || rules.MaxNodes <= 0 {
		return Owners{}, fmt.Errorf("%w: owner rules %+v: give a threshold, a control threshold and positive bounds", ErrInvalid, rules)
	}
	e, err := r.Enterprise(ctx, keyOrUSCC)
	if err != nil {
		return Owners{}, err
	}
	net, truncated, err := upstream(ctx, r, e.Ref(), rules)
	if err != nil {
		return Owners{}, err
	}
	kinds := map[models.Ref]models.EnterpriseKind{}
	c := newOwnerCalc(net, rules)
	c.kinds = func(x models.Ref) models.EnterpriseKind {
		if x == net.Root {
			return e.Kind
		}
		if x.Kind != models.KindEnterprise {
			return ""
		}
		k, ok := kinds[x]
		if !ok {
			if ent, err := r.Enterprise(ctx, x.Key); err == nil {
				k = ent.Kind
			}
			kinds[x] = k
		}
		return k
	}
	out := Owners{Enterprise: e.Ref(), Truncated: truncated, Network: net}
	out.Owners, out.Controller = c.owners()
	if head, ok := c.foreignHeadOffice(e); ok {
		if err := c.headOffice(ctx, r, &out, head); err != nil {
			return Owners{}, err
		}
	}
	if len(out.Owners) == 0 {
		out.Owners, out.Fallback = c.dayToDay(e), true
	}
	out.Filing = c.filing(e, out)
	return out, nil
}

// upstream loads the network above root level by level, one Reader.Upward
// a level: the holdings and controls ending at the enterprises reached,
// their offices, and their SAME_AS partners (merged into one node).
func upstream(ctx context.Context, r Reader, root models.Ref, rules OwnerRules) (OwnerNetwork, bool, error) {
	rep := map[models.Ref]models.Ref{root: root}
	find := func(x models.Ref) models.Ref {
		for {
			p, ok := rep[x]
			if !ok || p == x {
				return x
			}
			x = p
		}
	}
	nodes := map[models.Ref]Node{}
	edges := map[string]Edge{}
	frontier := []models.Ref{root}
	expanded := map[models.Ref]bool{}
	truncated := false
	for depth := 0; len(frontier) > 0; depth++ {
		if depth > rules.MaxDepth {
			truncated = true
			break
		}
		for _, f := range frontier {
			expanded[f] = true
		}
		keys := make([]string, len(frontier))
		for i, f := range frontier {
			keys[i] = f.Key
		}
		// Only what leads up from the frontier: its holders, controllers and
		// offices, SAME_AS partners and head office (never a holding
		// company's subsidiaries).
		es, ns, err := r.Upward(ctx, keys)
		if err != nil {
			return OwnerNetwork{}, false, err
		}
		sortEdgesOnce(es)
		var next []models.Ref
		add := func(x models.Ref) {
			if x.Kind != models.KindEnterprise || expanded[x] || slices.Contains(next, x) {
				return
			}
			if len(nodes) >= rules.MaxNodes {
				truncated = true
				return
			}
			next = append(next, x)
		}
		for _, ed := range es {
			for _, end := range []models.Ref{ed.From, ed.To} {
				if _, ok := nodes[end]; !ok {
					if n, ok := ns[end]; ok {
						nodes[end] = n
					} else {
						nodes[end] = Node{ID: end.String(), Ref: end}
					}
				}
			}
			switch ed.Type {
			case models.RelSameAs:
				a, b := find(ed.From), find(ed.To)
				if a != b {
					if b == find(root) || b.Key < a.Key && a != find(root) {
						a, b = b, a
					}
					rep[b] = a
				}
				add(ed.From)
				add(ed.To)
			case models.RelBranchOf:
				// The head office of the root (scope of Art. 2), not walked.
				if expanded[ed.From] && find(ed.From) == find(root) {
					edges[ed.ID()] = ed
				}
			default:
				if !expanded[ed.To] || !inForce(ed, rules.Today) {
					continue
				}
				edges[ed.ID()] = ed
				if ed.Type != models.RelOfficerOf && ed.Type != models.RelLegalRepOf {
					add(ed.From)
				}
			}
		}
		frontier = next
	}
	net := OwnerNetwork{Root: find(root), Nodes: map[models.Ref]Node{}, Members: map[models.Ref][]models.Ref{}}
	for ref, n := range nodes {
		k := find(ref)
		net.Members[k] = append(net.Members[k], ref)
		if k == ref {
			net.Nodes[k] = n
		}
	}
	for k := range net.Members {
		sortRefs(net.Members[k])
		if _, ok := net.Nodes[k]; !ok {
			net.Nodes[k] = nodes[k]
		}
	}
	// Holdings into a SAME_AS set from one holder count once, with the
	// larger ratio (as store.Ownership shows them); links inside a set go.
	merged := map[string]Edge{}
	for _, ed := range edges {
		if ed.Type != models.RelBranchOf && ed.Type != models.RelOfficerOf && ed.Type != models.RelLegalRepOf {
			ed.From = find(ed.From)
		}
		ed.To = find(ed.To)
		if ed.From == ed.To {
			continue
		}
		id := ed.ID()
		if old, ok := merged[id]; ok && ed.Type == models.RelHoldsShares && ratioProp(old.Props, "ratio") >= ratioProp(ed.Props, "ratio") {
			continue
		}
		merged[id] = ed
	}
	for _, ed := range merged {
		net.Edges = append(net.Edges, ed)
	}
	sortEdgesOnce(net.Edges)
	return net, truncated, nil
}

// inForce reports whether a holding, control or office is in force on today.
func inForce(e Edge, today models.Date) bool {
	if today.IsZero() {
		return true
	}
	if s, _ := e.Props["since"].(string); s != "" {
		if d, err := models.ParseDate(s); err == nil && d.After(today.Time) {
			return false
		}
	}
	if s, _ := e.Props["until"].(string); s != "" {
		if d, err := models.ParseDate(s); err == nil && d.Before(today.Time) {
			return false
		}
	}
	return true
}

func ratioProp(p map[string]any, k string) float64 {
	f, _ := p[k].(float64)
	return f
}

// holding is a holding of the network with its three ratios.
type holding struct {
	from, to               models.Ref
	equity, voting, income float64
	explicit               bool // voting or income differs from equity by the source
}

// ownerCalc computes on one network.
type ownerCalc struct {
	net   OwnerNetwork
	rules OwnerRules
	in    map[models.Ref][]holding // holdings by the enterprise held
	ctl   map[models.Ref][]Edge    // controls by the enterprise controlled
	offs  map[models.Ref][]Edge    // offices by enterprise
	memo  map[models.Ref]*ctrlOf
	busy  map[models.Ref]bool
	// kinds returns an enterprise's legal form (looked up when needed).
	kinds func(models.Ref) models.EnterpriseKind
}

func newOwnerCalc(net OwnerNetwork, rules OwnerRules) *ownerCalc {
	c := &ownerCalc{net: net, rules: rules, in: map[models.Ref][]holding{}, ctl: map[models.Ref][]Edge{},
		offs: map[models.Ref][]Edge{}, memo: map[models.Ref]*ctrlOf{}, busy: map[models.Ref]bool{}}
	for _, e := range net.Edges {
		switch e.Type {
		case models.RelHoldsShares:
			h := holding{from: e.From, to: e.To, equity: ratioProp(e.Props, "ratio")}
			h.voting, h.income = h.equity, h.equity
			if v, ok := e.Props["voting_ratio"].(float64); ok {
				h.voting, h.explicit = v, true
			}
			if v, ok := e.Props["income_ratio"].(float64); ok {
				h.income, h.explicit = v, true
			}
			c.in[e.To] = append(c.in[e.To], h)
		case models.RelControls:
			c.ctl[e.To] = append(c.ctl[e.To], e)
		case models.RelOfficerOf, models.RelLegalRepOf:
			c.offs[e.To] = append(c.offs[e.To], e)
		}
	}
	return c
}

// reach returns, for every node, the sum over its holding walks to the
// root of the products of the ratios that pick chooses: reach(root) = 1,
// reach(x) = Σ ratio(x→y)·reach(y). Iterated until no value moves by
// 1e-13 (exact for chains after their length in rounds; geometric through
// cycles, as the engine's solveCycle).
func (c *ownerCalc) reach(pick func(holding) float64) map[models.Ref]float64 {
	r := map[models.Ref]float64{c.net.Root: 1}
	for it := 0; it < 100_000; it++ {
		next := map[models.Ref]float64{c.net.Root: 1}
		for to, hs := range c.in {
			rt := r[to]
			if rt == 0 {
				continue
			}
			for _, h := range hs {
				next[h.from] += pick(h) * rt
			}
		}
		change := 0.0
		for k, v := range next {
			change = math.Max(change, math.Abs(v-r[k]))
		}
		for k, v := range r {
			if _, ok := next[k]; !ok {
				change = math.Max(change, v)
			}
		}
		r = next
		if change < 1e-13 {
			break
		}
	}
	return r
}

// owners applies Art. 6 (1)–(3).
func (c *ownerCalc) owners() ([]Owner, *Controller) {
	eq := c.reach(func(h holding) float64 { return h.equity })
	vo := c.reach(func(h holding) float64 { return h.voting })
	inc := c.reach(func(h holding) float64 { return h.income })
	byPerson := map[string]*Owner{}
	get := func(pid string) *Owner {
		if o := byPerson[pid]; o != nil {
			return o
		}
		o := &Owner{Person: pid, Name: c.net.Nodes[models.PersonRef(pid)].Label}
		byPerson[pid] = o
		return o
	}
	t := c.rules.Threshold - 1e-12
	for ref := range c.net.Nodes {
		if ref.Kind != models.KindPerson {
			continue
		}
		e, v, i := eq[ref], vo[ref], inc[ref]
		var met []Criterion
		if e >= t {
			met = append(met, CriterionEquity)
		}
		if i >= t {
			met = append(met, CriterionIncome)
		}
		if v >= t {
			met = append(met, CriterionVoting)
		}
		if len(met) > 0 {
			o := get(ref.Key)
			o.Criteria, o.Equity, o.Voting, o.Income = met, e, v, i
		}
	}
	var ctrl *Controller
	if co := c.control(c.net.Root); co != nil {
		ctrl = &Controller{Control: co.Control}
		if len(co.parties) == 1 {
			ctrl.Ref = co.parties[0]
			ctrl.Name = c.net.Nodes[ctrl.Ref].Label
		} else {
			ctrl.Ref = co.parties[0]
			ctrl.Name = c.net.Nodes[ctrl.Ref].Label
		}
		for _, p := range co.parties {
			if p.Kind != models.KindPerson {
				continue
			}
			o := get(p.Key)
			o.Criteria = append(o.Criteria, CriterionControl)
			cc := co.Control
			cc.With = nil
			for _, q := range co.parties {
				if q != p {
					cc.With = append(cc.With, q.String())
				}
			}
			cc.Jointly = len(co.parties) > 1
			o.Control = &cc
			o.Equity, o.Voting, o.Income = eq[p], vo[p], inc[p]
		}
		ctrl.Jointly = len(co.parties) > 1
		if ctrl.Jointly {
			ctrl.With = nil
			for _, q := range co.parties[1:] {
				ctrl.With = append(ctrl.With, q.String())
			}
		}
	}
	out := make([]Owner, 0, len(byPerson))
	for _, o := range byPerson {
		o.Criterion = o.Criteria[0]
		o.Chains, o.ChainsTotal = c.chains(models.PersonRef(o.Person))
		out = append(out, *o)
	}
	sortOwners(out)
	return out, ctrl
}

func criterionRank(c Criterion) int {
	return slices.Index([]Criterion{CriterionEquity, CriterionIncome, CriterionVoting, CriterionControl,
		CriterionBranchExecutive, CriterionSeniorManager}, c)
}

func sortOwners(os []Owner) {
	slices.SortFunc(os, func(a, b Owner) int {
		return cmp.Or(cmp.Compare(criterionRank(a.Criterion), criterionRank(b.Criterion)),
			cmp.Compare(b.Equity, a.Equity), strings.Compare(a.Person, b.Person))
	})
}

// ctrlOf is who controls an enterprise: its ultimate parties (persons, or
// enterprises nobody controls) and how.
type ctrlOf struct {
	parties []models.Ref
	Control
}

// ultimate returns who stands behind holder x: x's controllers when x is
// a controlled enterprise, else x itself, with the chain from them to x.
func (c *ownerCalc) ultimate(x models.Ref) ([]models.Ref, []string) {
	if x.Kind == models.KindEnterprise {
		if co := c.control(x); co != nil {
			return co.parties, co.Chain
		}
	}
	return []models.Ref{x}, []string{x.String()}
}

// control finds who controls enterprise x (memoised; an enterprise met
// again on its own control path is taken as controlled by nobody).
func (c *ownerCalc) control(x models.Ref) *ctrlOf {
	if co, ok := c.memo[x]; ok {
		return co
	}
	if c.busy[x] {
		return nil
	}
	c.busy[x] = true
	co := c.controlOnce(x)
	delete(c.busy, x)
	c.memo[x] = co
	return co
}

func (c *ownerCalc) controlOnce(x models.Ref) *ctrlOf {
	// Control by agreement, as general partner or otherwise stated comes
	// first: it overrides the votes.
	var direct []models.Ref
	basis := ""
	var aic []Edge
	for _, e := range c.ctl[x] {
		switch b := models.ControlBasis(propString(e.Props, "basis")); b {
		case models.ControlActingInConcert:
			aic = append(aic, e)
		default:
			if !slices.Contains(direct, e.From) {
				direct = append(direct, e.From)
			}
			if basis == "" || basis == string(b) {
				basis = string(b)
			} else {
				basis = "mixed"
			}
		}
	}
	if len(direct) == 0 && c.kindOf(x) == models.EnterprisePartnership {
		for _, e := range c.offs[x] {
			if t, _ := e.Props["title"].(string); t == "executive_partner" && !slices.Contains(direct, e.From) {
				direct = append(direct, e.From)
				basis = "executive_partner"
			}
		}
	}
	if len(direct) > 0 {
		return c.through(direct, basis, x, "")
	}
	// Votes, pooled by ultimate party and by acting-in-concert group.
	groupOf := map[models.Ref]string{}
	for _, e := range aic {
		groupOf[e.From] = propString(e.Props, "group")
	}
	type bucket struct {
		votes   float64
		parties []models.Ref // the direct holders
		group   string
	}
	buckets := map[string]*bucket{}
	var order []string
	for _, h := range c.in[x] {
		key := ""
		if g, ok := groupOf[h.from]; ok {
			key = "group:" + g
		} else {
			us, _ := c.ultimate(h.from)
			for _, u := range us {
				if g, ok := groupOf[u]; ok {
					key = "group:" + g
				}
			}
			if key == "" {
				key = refsKey(us)
			}
		}
		b := buckets[key]
		if b == nil {
			b = &bucket{}
			if strings.HasPrefix(key, "group:") {
				b.group = strings.TrimPrefix(key, "group:")
			}
			buckets[key] = b
			order = append(order, key)
		}
		b.votes += h.voting
		b.parties = append(b.parties, h.from)
	}
	slices.Sort(order)
	for _, k := range order {
		b := buckets[k]
		if b.votes <= c.rules.ControlThreshold+1e-12 {
			continue
		}
		if b.group != "" {
			// Every party of the group, holder or not, controls jointly.
			var members []models.Ref
			for _, e := range aic {
				if propString(e.Props, "group") == b.group && !slices.Contains(members, e.From) {
					members = append(members, e.From)
				}
			}
			return c.through(members, string(models.ControlActingInConcert), x, b.group)
		}
		// One ultimate party: through the holder with the most votes.
		best := b.parties[0]
		for _, h := range c.in[x] {
			if slices.Contains(b.parties, h.from) && h.voting > c.votesOf(x, best) {
				best = h.from
			}
		}
		return c.through([]models.Ref{best}, "majority", x, "")
	}
	return nil
}

// through resolves the parties controlling x to their ultimate parties.
func (c *ownerCalc) through(parties []models.Ref, basis string, x models.Ref, group string) *ctrlOf {
	co := &ctrlOf{Control: Control{Basis: basis, Group: group}}
	for _, p := range parties {
		us, chain := c.ultimate(p)
		for _, u := range us {
			if !slices.Contains(co.parties, u) {
				co.parties = append(co.parties, u)
			}
		}
		if len(co.Chain) == 0 || len(parties) == 1 {
			co.Chain = append(slices.Clone(chain), x.String())
		}
	}
	slices.SortFunc(co.parties, func(a, b models.Ref) int { return strings.Compare(a.String(), b.String()) })
	co.Jointly = len(co.parties) > 1
	return co
}

func (c *ownerCalc) votesOf(x, holder models.Ref) float64 {
	for _, h := range c.in[x] {
		if h.from == holder {
			return h.voting
		}
	}
	return 0
}

func (c *ownerCalc) kindOf(x models.Ref) models.EnterpriseKind {
	if c.kinds == nil {
		return ""
	}
	return c.kinds(x)
}

func refsKey(rs []models.Ref) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.String())
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// chains lists the simple holding walks from p to the root, largest
// equity first, at most MaxChains, and how many there are (the first
// 10 000 walks are looked at).
func (c *ownerCalc) chains(p models.Ref) ([]OwnerChain, int) {
	var out []OwnerChain
	budget := 10_000
	var walk func(x models.Ref, path []models.Ref, eq, vo, in float64)
	walk = func(x models.Ref, path []models.Ref, eq, vo, in float64) {
		if budget <= 0 || len(path) > c.rules.MaxDepth+1 {
			return
		}
		budget--
		if x == p {
			ch := OwnerChain{Equity: eq, Voting: vo, Income: in}
			for i := len(path) - 1; i >= 0; i-- {
				ch.Path = append(ch.Path, path[i].String())
			}
			out = append(out, ch)
			return
		}
		for _, h := range c.in[x] {
			if slices.Contains(path, h.from) {
				continue
			}
			if h.from.Kind == models.KindPerson && h.from != p {
				continue
			}
			walk(h.from, append(path, h.from), eq*h.equity, vo*h.voting, in*h.income)
		}
	}
	walk(c.net.Root, []models.Ref{c.net.Root}, 1, 1, 1)
	slices.SortStableFunc(out, func(a, b OwnerChain) int {
		return cmp.Or(cmp.Compare(b.Equity, a.Equity), cmp.Compare(len(a.Path), len(b.Path)))
	})
	total := len(out)
	if len(out) > c.rules.MaxChains {
		out = out[:c.rules.MaxChains]
	}
	if out == nil {
		out = []OwnerChain{}
	}
	return out, total
}

// dayToDay returns the persons in charge of day-to-day management: the
// officers marked so; else the general managers (a compound title
// containing 总经理 counts, 副总经理 does not); else the managers; else,
// for a partnership, the executive partners; else, for a branch, its head.
func (c *ownerCalc) dayToDay(e models.Enterprise) []Owner {
	offs := c.offs[c.net.Root]
	tiers := []func(Edge) bool{
		func(ed Edge) bool { return ed.Props["day_to_day"] == true },
		func(ed Edge) bool {
			t, _ := ed.Props["title"].(string)
			text, _ := ed.Props["title_text"].(string)
			return t == "general_manager" || strings.Contains(strings.ReplaceAll(text, "副总经理", ""), "总经理")
		},
		func(ed Edge) bool { t, _ := ed.Props["title"].(string); return t == "manager" },
		func(ed Edge) bool {
			t, _ := ed.Props["title"].(string)
			return t == "executive_partner" && e.Kind == models.EnterprisePartnership
		},
		func(ed Edge) bool { t, _ := ed.Props["title"].(string); return t == "branch_head" },
	}
	for _, tier := range tiers {
		var out []Owner
		for _, ed := range offs {
			if ed.Type != models.RelOfficerOf || ed.From.Kind != models.KindPerson || !tier(ed) {
				continue
			}
			if slices.ContainsFunc(out, func(o Owner) bool { return o.Person == ed.From.Key }) {
				continue
			}
			title, _ := ed.Props["title"].(string)
			if text, _ := ed.Props["title_text"].(string); text != "" {
				title = text
			}
			out = append(out, Owner{Person: ed.From.Key, Name: c.net.Nodes[ed.From].Label, Criterion: CriterionSeniorManager,
				Criteria: []Criterion{CriterionSeniorManager}, Title: title, Chains: []OwnerChain{}})
		}
		if len(out) > 0 {
			slices.SortFunc(out, func(a, b Owner) int { return strings.Compare(a.Person, b.Person) })
			return out
		}
	}
	return []Owner{}
}

// filing applies Art. 2 (who files) and Art. 3 (exemption on commitment).
func (c *ownerCalc) filing(e models.Enterprise, o Owners) Filing {
	switch e.Kind {
	case models.EnterpriseIndividual:
		return Filing{FilingNotRequired, "Art. 2", "个体工商户无需备案受益所有人信息: individual businesses do not file"}
	case models.EnterpriseSoleProp, models.EnterpriseCooperative:
		return Filing{FilingNotRequired, "Art. 2 (4)", "sole proprietorships and farmers' cooperatives are not filing entities for now (PBoC Q&A on the Measures, 2024-04-30)"}
	case models.EnterpriseForeign:
		return Filing{FilingNotApplicable, "Art. 2", "a foreign company is not registered in China; its Chinese branches file"}
	case models.EnterpriseBranch:
		if _, ok := c.foreignHeadOffice(e); ok {
			return Filing{FilingRequired, "Art. 2 (3), Art. 8", "a branch of a foreign company files its beneficial owners: the head office's and its senior executive (the head office's exemptions abroad do not apply)"}
		}
		return Filing{FilingNotRequired, "Art. 2", "branches of domestic companies and partnerships do not file for now (PBoC Q&A on the Measures, 2024-04-30)"}
	}
	if e.Kind != models.EnterpriseCompany && e.Kind != models.EnterprisePartnership && e.Kind != "" {
		return Filing{FilingNotRequired, "Art. 2", fmt.Sprintf("an entity of kind %s is not a filing entity under Art. 2 (1)–(3)", e.Kind)}
	}
	why := c.notExempt(e)
	if why == "" {
		return Filing{FilingExempt, "Art. 3", fmt.Sprintf("registered capital %.0f yuan ≤ %.0f, every shareholder or partner a natural person, no control or income other than by equity: exempt once it commits", e.Capital, c.rules.ExemptCapital)}
	}
	return Filing{FilingRequired, "Art. 2 (1)–(2)", "files its beneficial owners; not exempt under Art. 3: " + why}
}

// notExempt says why Art. 3's exemption does not apply ("" when it does).
func (c *ownerCalc) notExempt(e models.Enterprise) string {
	switch {
	case e.Capital <= 0:
		return "registered capital unknown"
	case e.Currency != "" && e.Currency != "CNY":
		return fmt.Sprintf("registered capital in %s: the limit is 10 million yuan or the equivalent, and riskgraph holds no exchange rates", e.Currency)
	case e.Capital > c.rules.ExemptCapital:
		return fmt.Sprintf("registered capital %.0f yuan is over %.0f", e.Capital, c.rules.ExemptCapital)
	}
	hs := c.in[c.net.Root]
	if len(hs) == 0 {
		return "no shareholder or partner is known"
	}
	for _, h := range hs {
		if h.from.Kind != models.KindPerson {
			return fmt.Sprintf("shareholder %s is not a natural person", h.from)
		}
		if h.explicit {
			return fmt.Sprintf("the holding of %s carries voting or income rights other than its equity", h.from)
		}
	}
	if len(c.ctl[c.net.Root]) > 0 {
		return "controlled by means other than equity (a control agreement, acting in concert or a general partner)"
	}
	return ""
}

// sortEdgesOnce sorts edges by ID as sortEdges does, computing each ID once.
func sortEdgesOnce(es []Edge) {
	if len(es) < 2 {
		return
	}
	type keyed struct {
		id string
		e  Edge
	}
	ks := make([]keyed, len(es))
	for i, e := range es {
		ks[i] = keyed{e.ID(), e}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.id, b.id) })
	for i := range ks {
		es[i] = ks[i].e
	}
}

// foreignHeadOffice returns the head office of e when e is a branch of a
// foreign company (its BRANCH_OF leads to an enterprise of kind foreign).
func (c *ownerCalc) foreignHeadOffice(e models.Enterprise) (models.Ref, bool) {
	if e.Kind != models.EnterpriseBranch {
		return models.Ref{}, false
	}
	for _, ed := range c.net.Edges {
		if ed.Type == models.RelBranchOf && c.kindOf(ed.To) == models.EnterpriseForeign {
			return ed.To, true
		}
	}
	return models.Ref{}, false
}

// headOffice applies Art. 8 to out, the owners of a branch of the foreign
// company head: the head office's beneficial owners under Art. 6 (1)–(3),
// computed on its own upstream network, with every chain (and control
// chain) running on from the head office to the branch; the head office's
// actual controller when the branch has none of its own; and the
// branch's senior executives (criterion branch_executive). The head
// office's network joins out.Network, so the BODS export can name every
// link of the chains.
func (c *ownerCalc) headOffice(ctx context.Context, r Reader, out *Owners, head models.Ref) error {
	hnet, truncated, err := upstream(ctx, r, head, c.rules)
	if err != nil {
		return err
	}
	hc := newOwnerCalc(hnet, c.rules)
	hc.kinds = c.kinds
	owners, ctrl := hc.owners()
	branch := c.net.Root.String()
	onward := func(path []string) []string {
		if len(path) == 0 {
			return path
		}
		return append(slices.Clone(path), branch)
	}
	have := map[string]int{}
	for i, o := range out.Owners {
		have[o.Person] = i
	}
	for _, o := range owners {
		for i := range o.Chains {
			o.Chains[i].Path = onward(o.Chains[i].Path)
		}
		if o.Control != nil {
			cc := *o.Control
			cc.Chain = onward(cc.Chain)
			o.Control = &cc
		}
		if _, ok := have[o.Person]; ok {
			continue // an owner of the branch itself already
		}
		have[o.Person] = len(out.Owners)
		out.Owners = append(out.Owners, o)
	}
	if out.Controller == nil && ctrl != nil {
		ct := *ctrl
		ct.Chain = onward(ct.Chain)
		out.Controller = &ct
	}
	for _, x := range c.branchExecutives() {
		if i, ok := have[x.Person]; ok {
			o := &out.Owners[i]
			o.Criteria = append(o.Criteria, CriterionBranchExecutive)
			if o.Title == "" {
				o.Title = x.Title
			}
			continue
		}
		have[x.Person] = len(out.Owners)
		out.Owners = append(out.Owners, x)
	}
	sortOwners(out.Owners)
	// The head office's network joins the branch's: its nodes and members
	// (a node both have keeps the branch's), its edges once each.
	for ref, n := range hnet.Nodes {
		if _, ok := out.Network.Nodes[ref]; !ok {
			out.Network.Nodes[ref] = n
		}
	}
	for ref, ms := range hnet.Members {
		if _, ok := out.Network.Members[ref]; !ok {
			out.Network.Members[ref] = ms
		}
	}
	seen := map[string]bool{}
	edges := make([]Edge, 0, len(out.Network.Edges)+len(hnet.Edges))
	for _, ed := range append(slices.Clone(out.Network.Edges), hnet.Edges...) {
		if id := ed.ID(); !seen[id] {
			seen[id] = true
			edges = append(edges, ed)
		}
	}
	sortEdgesOnce(edges)
	out.Network.Edges = edges
	out.HeadOffice = &head
	out.Truncated = out.Truncated || truncated
	return nil
}

// branchExecutives returns the senior executives of a branch (Art. 8), by
// the first tier that names anyone, among its offices in force: officers
// marked day_to_day; else its person in charge (branch_head, 负责人);
// else general managers (as dayToDay reads them); else managers; else its
// legal representative (where a source puts the person in charge in that
// column).
func (c *ownerCalc) branchExecutives() []Owner {
	title := func(ed Edge) string { t, _ := ed.Props["title"].(string); return t }
	officer := func(ok func(Edge) bool) func(Edge) bool {
		return func(ed Edge) bool { return ed.Type == models.RelOfficerOf && ok(ed) }
	}
	tiers := []func(Edge) bool{
		officer(func(ed Edge) bool { return ed.Props["day_to_day"] == true }),
		officer(func(ed Edge) bool { return title(ed) == "branch_head" }),
		officer(func(ed Edge) bool {
			text, _ := ed.Props["title_text"].(string)
			return title(ed) == "general_manager" || strings.Contains(strings.ReplaceAll(text, "副总经理", ""), "总经理")
		}),
		officer(func(ed Edge) bool { return title(ed) == "manager" }),
		func(ed Edge) bool { return ed.Type == models.RelLegalRepOf },
	}
	for _, tier := range tiers {
		var out []Owner
		for _, ed := range c.offs[c.net.Root] {
			if ed.From.Kind != models.KindPerson || !tier(ed) ||
				slices.ContainsFunc(out, func(o Owner) bool { return o.Person == ed.From.Key }) {
				continue
			}
			t := title(ed)
			if text, _ := ed.Props["title_text"].(string); text != "" {
				t = text
			}
			if ed.Type == models.RelLegalRepOf {
				t = "legal_representative"
			}
			out = append(out, Owner{Person: ed.From.Key, Name: c.net.Nodes[ed.From].Label, Criterion: CriterionBranchExecutive,
				Criteria: []Criterion{CriterionBranchExecutive}, Title: t, Chains: []OwnerChain{}})
		}
		if len(out) > 0 {
			slices.SortFunc(out, func(a, b Owner) int { return strings.Compare(a.Person, b.Person) })
			return out
		}
	}
	return nil
}
