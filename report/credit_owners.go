package report

import (
	"riskgraph/engine"
	"riskgraph/models"
)

// ownersOf is the one place the credit report reads beneficial owners and
// the actual controller from: the same engine results GET /owners serves
// (engine.Ownership: integrated ownership through chains and cycles at
// the beneficial threshold, control by majority chains). When the owners'
// criteria change (the 2024 beneficial-owner rules), this function is the
// one to switch. v is the enterprise in the result's graph, -1 when the
// run does not know it.
func ownersOf(res *engine.Result, v int32, party func(models.Ref) Party) (OwnersSection, error) {
	op := res.Params.Ownership
	s := OwnersSection{Rule: "equity", Threshold: op.BeneficialThreshold, Owners: []Owner{}}
	if v < 0 {
		s.Note = "该主体在最近一次评分之后登记。 Added after the last scoring run."
		return s, nil
	}
	g := res.Graph
	for _, st := range res.Ownership.BeneficialOwners(v) {
		o := Owner{Person: party(g.Ref(st.Person)), Share: round(st.Share), Criterion: "equity", Chains: []Chain{}}
		for _, ch := range engine.OwnershipChains(g, st.Person, v, op.MaxChains, op.MaxChainDepth, res.Today) {
			c := Chain{Share: round(ch.Share)}
			for _, n := range ch.Nodes {
				c.Path = append(c.Path, party(g.Ref(n)))
			}
			o.Chains = append(o.Chains, c)
		}
		s.Owners = append(s.Owners, o)
	}
	if u := res.Ownership.Controller[v]; u >= 0 {
		c := &Controller{Party: party(g.Ref(u)), Chain: []Party{}}
		for _, n := range res.Ownership.MajorityChain(v) {
			c.Chain = append(c.Chain, party(g.Ref(n)))
		}
		s.Controller = c
	}
	if len(s.Owners) == 0 && s.Controller == nil {
		s.Note = "未发现持股达到阈值的自然人或实际控制人。 No natural person reaches the threshold and no controller was found."
	}
	return s, nil
}
