package snapshot

import (
	"context"
	"fmt"

	"riskgraph/models"
	"riskgraph/store"
)

// ScanProjection hands the rows out as a projection scan does
// (store.ProjectionScanner): enterprises, persons and records in key
// order, then the relationships, in pages of at most pageSize rows, with
// node numbers that are the rows' positions. Pages are reused.
func (r *Rows) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	if pageSize < 1 {
		return fmt.Errorf("%w: page size %d", store.ErrInvalid, pageSize)
	}
	p := &store.ProjectionPage{Sizes: store.ScanSizes{Enterprises: len(r.ents), Persons: len(r.pers), Relationships: len(r.rels)}}
	risks := make([]models.Risk, 0, pageSize)
	flagSets := map[uint32][]string{}
	riskOf := func(x risk) *models.Risk {
		if !x.has {
			return nil
		}
		fl, ok := flagSets[x.flags]
		if !ok {
			for i, k := range r.flags {
				if x.flags&(1<<i) != 0 {
					fl = append(fl, k)
				}
			}
			flagSets[x.flags] = fl
		}
		risks = append(risks, models.Risk{Score: x.score, Flags: fl})
		return &risks[len(risks)-1]
	}
	flush := func() error {
		if p.Len() == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		sizes := p.Sizes
		*p = store.ProjectionPage{Sizes: sizes, Batch: store.Batch{
			Enterprises: p.Enterprises[:0], Persons: p.Persons[:0], Records: p.Records[:0],
			Shareholdings: p.Shareholdings[:0], Roles: p.Roles[:0], Branches: p.Branches[:0], Relations: p.Relations[:0]},
			EnterpriseNums: p.EnterpriseNums[:0], PersonNums: p.PersonNums[:0], RecordSubjects: p.RecordSubjects[:0],
			ShareholdingEnds: p.ShareholdingEnds[:0], RoleEnds: p.RoleEnds[:0], BranchEnds: p.BranchEnds[:0], RelationEnds: p.RelationEnds[:0]}
		risks = risks[:0]
		return nil
	}
	full := func() error {
		if p.Len() >= pageSize {
			return flush()
		}
		return nil
	}
	for i := range r.ents {
		e := &r.ents[i]
		p.Enterprises = append(p.Enterprises, models.Enterprise{Key: e.key, Kind: models.EnterpriseKind(e.kind),
			Status: models.Status(e.status), Established: dateOf(e.established), Region: e.region, Industry: e.industry,
			Address: e.address, Phone: e.phone, Email: e.email, Placeholder: e.placeholder, Risk: riskOf(e.risk)})
		p.EnterpriseNums = append(p.EnterpriseNums, int32(i))
		if err := full(); err != nil {
			return err
		}
	}
	nEnt := int32(len(r.ents))
	for j := range r.pers {
		x := &r.pers[j]
		p.Persons = append(p.Persons, models.Person{PID: x.pid, Placeholder: x.placeholder, Risk: riskOf(x.risk)})
		p.PersonNums = append(p.PersonNums, nEnt+int32(j))
		if err := full(); err != nil {
			return err
		}
	}
	for i := range r.recs {
		x := &r.recs[i]
		p.Records = append(p.Records, models.Record{ID: x.id, Subject: r.ref(x.subject), Kind: models.RecordKind(x.kind),
			Severity: x.severity, Decided: dateOf(x.decided), Removed: dateOf(x.remove)})
		p.RecordSubjects = append(p.RecordSubjects, x.subject)
		if err := full(); err != nil {
			return err
		}
	}
	for i := range r.rels {
		x := &r.rels[i]
		from, to := r.ref(x.from), r.ref(x.to)
		ends := store.Ends{From: x.from, To: x.to}
		switch x.typ {
		case relHolds:
			p.Shareholdings = append(p.Shareholdings, models.Shareholding{Holder: from, Enterprise: to.Key, Ratio: x.ratio, Since: dateOf(x.since)})
			p.ShareholdingEnds = append(p.ShareholdingEnds, ends)
		case relLegalRep, relOfficer:
			kind := models.RoleLegalRep
			if x.typ == relOfficer {
				kind = models.RoleOfficer
			}
			p.Roles = append(p.Roles, models.Role{Person: from.Key, Enterprise: to.Key, Kind: kind, Title: x.title,
				Since: dateOf(x.since), Until: dateOf(x.until)})
			p.RoleEnds = append(p.RoleEnds, ends)
		case relBranch:
			p.Branches = append(p.Branches, models.Branch{Branch: from.Key, Parent: to.Key})
			p.BranchEnds = append(p.BranchEnds, ends)
		case relRelated:
			p.Relations = append(p.Relations, models.Relation{A: from.Key, B: to.Key, Kind: models.RelationKind(x.title), Since: dateOf(x.since)})
			p.RelationEnds = append(p.RelationEnds, ends)
		}
		if err := full(); err != nil {
			return err
		}
	}
	return flush()
}

// Scan is ScanProjection without the numbers' use (store.Scanner).
func (r *Rows) Scan(ctx context.Context, pageSize int, fn func(*store.Batch) error) error {
	return r.ScanProjection(ctx, pageSize, func(p *store.ProjectionPage) error { return fn(&p.Batch) })
}
