package snapshot

import (
	"cmp"
	"slices"

	"riskgraph/models"
	"riskgraph/store"
)

// Applied counts what Apply changed.
type Applied struct {
	Updated, Added int // rows replaced in place, rows added
}

// Apply brings the rows up to date with b, the store's changes since the
// rows' generation (store.ChangeFeed.Changes): each row of b replaces the
// row with its identity or is added. Nodes and records stay sorted (new
// ones are merged in, and the numbers of the records and relationships
// follow), a changed relationship keeps its place and a new one is
// appended. An endpoint no row names becomes a placeholder node, as the
// store makes it. Controls and licences are not part of the projection
// and are ignored; so is an entity's stored result (the rows keep the
// one they were saved with).
func (r *Rows) Apply(b *store.Batch) Applied {
	var a Applied
	// Nodes: replace in place, collect the new ones (the last row of a
	// key wins), and the endpoints that no row names.
	newEnts := map[string]ent{}
	newPers := map[string]per{}
	for i := range b.Enterprises {
		e := &b.Enterprises[i]
		if n := r.number(models.EnterpriseRef(e.Key)); n >= 0 {
			r.ents[n] = r.entOf(e, r.ents[n].risk)
			a.Updated++
		} else {
			newEnts[e.Key] = r.entOf(e, risk{})
		}
	}
	for i := range b.Persons {
		x := &b.Persons[i]
		if n := r.number(models.PersonRef(x.PID)); n >= 0 {
			p := &r.pers[int(n)-len(r.ents)]
			p.placeholder = x.Placeholder
			a.Updated++
		} else {
			newPers[x.PID] = per{pid: x.PID, placeholder: x.Placeholder}
		}
	}
	need := func(ref models.Ref) {
		if r.number(ref) >= 0 {
			return
		}
		switch ref.Kind {
		case models.KindEnterprise:
			if _, ok := newEnts[ref.Key]; !ok {
				newEnts[ref.Key] = ent{key: ref.Key, placeholder: true, established: noDay}
			}
		case models.KindPerson:
			if _, ok := newPers[ref.Key]; !ok {
				newPers[ref.Key] = per{pid: ref.Key, placeholder: true}
			}
		}
	}
	for _, x := range b.Records {
		need(x.Subject)
	}
	for _, x := range b.Shareholdings {
		need(x.Holder)
		need(models.EnterpriseRef(x.Enterprise))
	}
	for _, x := range b.Roles {
		need(models.PersonRef(x.Person))
		need(models.EnterpriseRef(x.Enterprise))
	}
	for _, x := range b.Branches {
		need(models.EnterpriseRef(x.Branch))
		need(models.EnterpriseRef(x.Parent))
	}
	for _, x := range b.Relations {
		c := x.Canonical()
		need(models.PersonRef(c.A))
		need(models.PersonRef(c.B))
	}
	a.Added += len(newEnts) + len(newPers)
	r.addNodes(newEnts, newPers)

	// Records: replace or merge in.
	var added []rec
	for i := range b.Records {
		x := &b.Records[i]
		row := rec{id: x.ID, kind: string(x.Kind), subject: r.number(x.Subject), severity: x.Severity,
			decided: dayOf(x.Decided), remove: dayOf(x.Removed)}
		if i, ok := slices.BinarySearchFunc(r.recs, x.ID, func(y rec, id string) int { return cmp.Compare(y.id, id) }); ok {
			r.recs[i] = row
			a.Updated++
		} else {
			added = append(added, row)
		}
	}
	if len(added) > 0 {
		slices.SortStableFunc(added, func(x, y rec) int { return cmp.Compare(x.id, y.id) })
		added = slices.CompactFunc(added, func(x, y rec) bool { return x.id == y.id })
		a.Added += len(added)
		r.recs = mergeSorted(r.recs, added, func(x, y rec) int { return cmp.Compare(x.id, y.id) })
	}

	// Relationships: by identity — type, endpoints and, for appointments
	// and relations, the title or kind.
	type identity struct {
		typ      uint8
		from, to int32
		title    string
	}
	changed := map[identity]rel{}
	var order []identity // first appearance, for the rows to append
	put := func(x rel) {
		k := identity{x.typ, x.from, x.to, ""}
		if x.typ == relLegalRep || x.typ == relOfficer || x.typ == relRelated {
			k.title = x.title
		}
		if _, ok := changed[k]; !ok {
			order = append(order, k)
		}
		changed[k] = x
	}
	for _, x := range b.Shareholdings {
		put(rel{typ: relHolds, from: r.number(x.Holder), to: r.number(models.EnterpriseRef(x.Enterprise)),
			ratio: x.Ratio, since: dayOf(x.Since), until: noDay})
	}
	for _, x := range b.Roles {
		typ := relLegalRep
		if x.Kind == models.RoleOfficer {
			typ = relOfficer
		}
		put(rel{typ: typ, from: r.number(models.PersonRef(x.Person)), to: r.number(models.EnterpriseRef(x.Enterprise)),
			since: dayOf(x.Since), until: dayOf(x.Until), title: x.Title})
	}
	for _, x := range b.Branches {
		put(rel{typ: relBranch, from: r.number(models.EnterpriseRef(x.Branch)), to: r.number(models.EnterpriseRef(x.Parent)),
			since: noDay, until: noDay})
	}
	for _, x := range b.Relations {
		c := x.Canonical()
		put(rel{typ: relRelated, from: r.number(models.PersonRef(c.A)), to: r.number(models.PersonRef(c.B)),
			since: dayOf(c.Since), until: noDay, title: string(c.Kind)})
	}
	if len(changed) == 0 {
		return a
	}
	// One pass over the relationships; only rows that start at a node a
	// change starts at are looked up.
	starts := make([]uint64, (len(r.ents)+len(r.pers)+63)/64)
	for k := range changed {
		starts[k.from/64] |= 1 << (k.from % 64)
	}
	for i := range r.rels {
		x := &r.rels[i]
		if starts[x.from/64]&(1<<(x.from%64)) == 0 {
			continue
		}
		k := identity{x.typ, x.from, x.to, ""}
		if x.typ == relLegalRep || x.typ == relOfficer || x.typ == relRelated {
			k.title = x.title
		}
		if y, ok := changed[k]; ok {
			*x = y
			delete(changed, k)
			a.Updated++
		}
	}
	for _, k := range order {
		if y, ok := changed[k]; ok {
			r.rels = append(r.rels, y)
			a.Added++
		}
	}
	return a
}

// addNodes merges new enterprises and persons into the sorted node rows
// and renumbers the records and relationships.
func (r *Rows) addNodes(newEnts map[string]ent, newPers map[string]per) {
	if len(newEnts)+len(newPers) == 0 {
		return
	}
	es := make([]ent, 0, len(newEnts))
	for _, e := range newEnts {
		es = append(es, e)
	}
	slices.SortFunc(es, func(x, y ent) int { return cmp.Compare(x.key, y.key) })
	ps := make([]per, 0, len(newPers))
	for _, p := range newPers {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(x, y per) int { return cmp.Compare(x.pid, y.pid) })
	// remap[old number] = new number.
	oldEnt, oldPer := len(r.ents), len(r.pers)
	remap := make([]int32, oldEnt+oldPer)
	r.ents = mergeInto(r.ents, es, func(x, y ent) int { return cmp.Compare(x.key, y.key) }, remap[:oldEnt], 0)
	r.pers = mergeInto(r.pers, ps, func(x, y per) int { return cmp.Compare(x.pid, y.pid) }, remap[oldEnt:], int32(len(r.ents)))
	for i := range r.recs {
		if s := r.recs[i].subject; s >= 0 {
			r.recs[i].subject = remap[s]
		}
	}
	for i := range r.rels {
		r.rels[i].from, r.rels[i].to = remap[r.rels[i].from], remap[r.rels[i].to]
	}
}

// mergeInto merges the sorted rows add into the sorted rows old and writes
// each old row's new position (plus base) into remap.
func mergeInto[T any](old, add []T, compare func(x, y T) int, remap []int32, base int32) []T {
	out := make([]T, 0, len(old)+len(add))
	i, j := 0, 0
	for i < len(old) || j < len(add) {
		if j == len(add) || (i < len(old) && compare(old[i], add[j]) <= 0) {
			remap[i] = base + int32(len(out))
			out = append(out, old[i])
			i++
		} else {
			out = append(out, add[j])
			j++
		}
	}
	return out
}

// mergeSorted merges the sorted rows add into the sorted rows old.
func mergeSorted[T any](old, add []T, compare func(x, y T) int) []T {
	return mergeInto(old, add, compare, make([]int32, len(old)), 0)
}
