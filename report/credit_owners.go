package report

import (
	"context"
	"strings"

	"riskgraph/models"
	"riskgraph/store"
)

// ownersOf is the one place the credit report reads beneficial owners and
// the actual controller from: store.BeneficialOwners, the 2024 rules
// (受益所有人信息管理办法, docs/beneficial-owners.md) that GET /owners and the
// BODS export serve — equity, income and voting rights of 25 % or more,
// actual control, and the day-to-day manager when nobody qualifies.
func ownersOf(ctx context.Context, r store.Reader, key string, today models.Date, party func(models.Ref) Party) (OwnersSection, error) {
	rules := store.DefaultOwnerRules(today)
	ow, err := store.BeneficialOwners(ctx, r, key, rules)
	if err != nil {
		return OwnersSection{}, err
	}
	s := OwnersSection{Rule: "2024", Threshold: rules.Threshold, Owners: []Owner{}, Filing: ow.Filing.Status, Fallback: ow.Fallback}
	path := func(ids []string) []Party {
		out := []Party{}
		for _, id := range ids {
			out = append(out, party(refOf(id)))
		}
		return out
	}
	for _, o := range ow.Owners {
		ro := Owner{Person: party(models.PersonRef(o.Person)), Share: round(o.Equity), Criterion: string(o.Criterion), Chains: []Chain{}}
		for _, c := range o.Criteria {
			ro.Criteria = append(ro.Criteria, string(c))
		}
		for _, ch := range o.Chains {
			ro.Chains = append(ro.Chains, Chain{Path: path(ch.Path), Share: round(ch.Equity)})
		}
		s.Owners = append(s.Owners, ro)
	}
	if c := ow.Controller; c != nil {
		s.Controller = &Controller{Party: party(c.Ref), Chain: path(c.Chain), Basis: c.Basis}
	}
	switch {
	case ow.HeadOffice != nil:
		s.Note = "外国公司分支机构：受益所有人为其境外总公司按第六条判定的受益所有人及本分支机构的高级管理人员（第八条）。 A foreign company's branch: the head office's beneficial owners and the branch's senior executive are reported (Art. 8)."
	case ow.Fallback:
		s.Note = "无人符合持股、收益、表决权或控制标准，按规定报告日常经营管理负责人。 Nobody meets the equity, income, voting or control criteria; the day-to-day manager is reported."
	case len(s.Owners) == 0 && s.Controller == nil:
		s.Note = "未发现符合标准的受益所有人或实际控制人。 No beneficial owner or actual controller was found."
	}
	return s, nil
}

// refOf reads a node id "kind:key" (the key may hold colons: src:a:b).
func refOf(id string) models.Ref {
	kind, key, _ := strings.Cut(id, ":")
	return models.Ref{Kind: models.NodeKind(kind), Key: key}
}
