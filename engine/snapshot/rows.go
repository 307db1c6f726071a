// Package snapshot keeps the engine's projection input between runs: the
// rows a projection scan hands the engine (enterprises, persons, records
// and relationships with the fields store.ProjectionScanner lists), saved
// as a versioned, checksummed file (file.go) together with the store's
// lineage and generation they reflect and the run whose results they
// carry. The next run loads it, applies the store's changes since that
// generation (store.ChangeFeed) and projects from it instead of scanning
// the store: Rows is a store.ProjectionScanner.
//
// Enterprises, persons and records are kept sorted by key (Go string
// order), so that a change is found by binary search and a new node goes
// where a scan in key order puts it; relationships keep the order they
// were scanned in, a changed one is replaced in place and a new one
// appended. Node numbers are positions: enterprise i is i, person j is
// (enterprises) + j.
package snapshot

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"riskgraph/models"
	"riskgraph/store"
)

// Relationship types as the rows keep them.
const (
	relHolds uint8 = iota
	relLegalRep
	relOfficer
	relBranch
	relRelated
)

// noDay is the zero date.
const noDay int32 = math.MinInt32

// dayOf converts a date to days since 1970-01-01 (the engine's unit).
func dayOf(d models.Date) int32 {
	if d.IsZero() {
		return noDay
	}
	return int32(d.Unix() / 86400)
}

// dateOf converts back.
func dateOf(n int32) models.Date {
	if n == noDay {
		return models.Date{}
	}
	return models.DateOf(time.Unix(int64(n)*86400, 0))
}

// risk is an entity's stored result as the projection reads it, and the
// score the run that the rows' results come from computed for it (exact:
// SetExact; NaN when not known).
type risk struct {
	has   bool
	score float64
	flags uint32 // bits over Rows.flags
	exact float64
}

type ent struct {
	key, kind, status, region, industry, address, phone, email string
	established                                                int32
	placeholder                                                bool
	risk                                                       risk
}

type per struct {
	pid         string
	placeholder bool
	risk        risk
}

type rec struct {
	id, kind        string
	subject         int32 // node number, -1 when none
	severity        float64
	decided, remove int32
}

type rel struct {
	typ          uint8
	from, to     int32 // node numbers
	ratio        float64
	since, until int32
	title        string // an appointment's title, a relation's kind
}

// Rows is a projection's input, as a scan gave it and as changes since
// then updated it.
type Rows struct {
	Meta
	ents  []ent
	pers  []per
	recs  []rec
	rels  []rel
	flags []string // flag kinds named by the risks' bits (at most 32)
	// exactRun is the run whose computed scores the risks' exact hold
	// (SetExact); "" when none.
	exactRun string
}

// Meta says what the rows reflect.
type Meta struct {
	// Lineage and Generation are the store's (store.ChangeFeed) when the
	// rows were read: every write stamped ≤ Generation is in them.
	Lineage    string `json:"lineage"`
	Generation uint64 `json:"generation"`
	// Run is the run whose results the rows' risks hold (the store's
	// current results when the rows were saved).
	Run     string    `json:"run"`
	Created time.Time `json:"created"`
}

// Counts are the numbers of rows of each kind.
type Counts struct{ Enterprises, Persons, Records, Relationships int }

// Counts returns the numbers of rows.
func (r *Rows) Counts() Counts {
	return Counts{len(r.ents), len(r.pers), len(r.recs), len(r.rels)}
}

// ref returns the reference of node number n.
func (r *Rows) ref(n int32) models.Ref {
	switch {
	case n < 0:
		return models.Ref{}
	case int(n) < len(r.ents):
		return models.EnterpriseRef(r.ents[n].key)
	case int(n) < len(r.ents)+len(r.pers):
		return models.PersonRef(r.pers[int(n)-len(r.ents)].pid)
	}
	return models.Ref{}
}

// number returns the node number of ref, or -1.
func (r *Rows) number(ref models.Ref) int32 {
	switch ref.Kind {
	case models.KindEnterprise:
		if i, ok := slices.BinarySearchFunc(r.ents, ref.Key, func(e ent, k string) int { return cmp.Compare(e.key, k) }); ok {
			return int32(i)
		}
	case models.KindPerson:
		if i, ok := slices.BinarySearchFunc(r.pers, ref.Key, func(p per, k string) int { return cmp.Compare(p.pid, k) }); ok {
			return int32(len(r.ents) + i)
		}
	}
	return -1
}

// flagBits turns flag kinds into bits, adding kinds to the table.
func (r *Rows) flagBits(kinds []string) uint32 {
	var m uint32
	for _, k := range kinds {
		i := slices.Index(r.flags, k)
		if i < 0 {
			if len(r.flags) == 32 {
				continue // more kinds than bits: the projection ignores unknown kinds anyway
			}
			r.flags = append(r.flags, k)
			i = len(r.flags) - 1
		}
		m |= 1 << i
	}
	return m
}

func (r *Rows) riskOf(x *models.Risk) risk {
	if x == nil {
		return risk{exact: math.NaN()}
	}
	return risk{has: true, score: x.Score, flags: r.flagBits(x.Flags), exact: math.NaN()}
}

func (r *Rows) entOf(e *models.Enterprise, keep risk) ent {
	return ent{key: e.Key, kind: string(e.Kind), status: string(e.Status), region: e.Region, industry: e.Industry,
		address: e.Address, phone: e.Phone, email: e.Email, established: dayOf(e.Established),
		placeholder: e.Placeholder, risk: keep}
}

// SetResult records an entity's result of the run the rows are saved
// with (its score and flags; nil: none).
func (r *Rows) SetResult(ref models.Ref, x *models.Risk) {
	n := r.number(ref)
	switch {
	case n < 0:
	case int(n) < len(r.ents):
		r.ents[n].risk = r.riskOf(x)
	default:
		r.pers[int(n)-len(r.ents)].risk = r.riskOf(x)
	}
}

// SetExact records, for every node (enterprise or person) of the rows,
// the score run computed for it: score(n, ref) for node number n (NaN:
// none). The rows must carry run's results when they are saved (Meta.Run);
// Exact gives them back only then.
func (r *Rows) SetExact(run string, score func(n int32, ref models.Ref) float64) {
	for i := range r.ents {
		r.ents[i].risk.exact = score(int32(i), models.EnterpriseRef(r.ents[i].key))
	}
	nEnt := int32(len(r.ents))
	for j := range r.pers {
		r.pers[j].risk.exact = score(nEnt+int32(j), models.PersonRef(r.pers[j].pid))
	}
	r.exactRun = run
}

// Exact returns, by node number, the scores the run whose results the
// rows carry computed (SetExact): NaN for a node without a stored result
// (new since) or without one. Nil when the rows hold no computed scores
// or those of another run than their results' (Meta.Run).
func (r *Rows) Exact() []float64 {
	if r.exactRun == "" || r.exactRun != r.Run {
		return nil
	}
	x := make([]float64, len(r.ents)+len(r.pers))
	for i := range r.ents {
		x[i] = r.ents[i].risk.exactOf()
	}
	nEnt := len(r.ents)
	for j := range r.pers {
		x[nEnt+j] = r.pers[j].risk.exactOf()
	}
	return x
}

// exactOf is the computed score of a node that has a stored result.
func (x risk) exactOf() float64 {
	if !x.has {
		return math.NaN()
	}
	return x.exact
}

// Recorder passes a store's projection scan on and keeps its rows.
type Recorder struct {
	src  store.ProjectionScanner
	rows *Rows
}

// Record returns a store.ProjectionScanner that scans src and keeps what
// it hands out in Rows.
func Record(src store.ProjectionScanner) *Recorder {
	return &Recorder{src: src}
}

// Rows returns the rows of the last scan, sorted; nil before one ended.
func (rc *Recorder) Rows() *Rows { return rc.rows }

// ScanProjection implements store.ProjectionScanner.
func (rc *Recorder) ScanProjection(ctx context.Context, pageSize int, fn func(*store.ProjectionPage) error) error {
	r := &Rows{}
	var (
		byNum  []int32 // the store's node numbers → positions in ents / pers (+1; 0: unknown)
		keyNum map[models.Ref]int32
	)
	note := func(n int32, pos int32) {
		if n < 0 || n >= math.MaxInt32/2 {
			return
		}
		if int(n) >= len(byNum) {
			byNum = slices.Grow(byNum, int(n)+1-len(byNum))[:n+1]
		}
		byNum[n] = pos + 1
	}
	var bare []models.Ref // endpoints no node row listed
	// Node positions are final only after the sort in finish; until then
	// enterprises are numbered i and persons -(j+2) (resolved in finish).
	resolve := func(n int32, ref models.Ref) int32 {
		if n >= 0 && int(n) < len(byNum) && byNum[n] != 0 {
			return byNum[n] - 1
		}
		if keyNum == nil {
			keyNum = map[models.Ref]int32{}
			for i := range r.ents {
				keyNum[models.EnterpriseRef(r.ents[i].key)] = int32(i)
			}
			for j := range r.pers {
				keyNum[models.PersonRef(r.pers[j].pid)] = -int32(j) - 2
			}
		}
		if p, ok := keyNum[ref]; ok {
			return p
		}
		if ref.Kind != models.KindEnterprise && ref.Kind != models.KindPerson {
			return math.MinInt32
		}
		bare = append(bare, ref)
		p := math.MinInt32 + 1 + int32(len(bare)) // resolved in finish
		keyNum[ref] = p
		return p
	}
	err := rc.src.ScanProjection(ctx, pageSize, func(p *store.ProjectionPage) error {
		for i := range p.Enterprises {
			e := &p.Enterprises[i]
			note(store.NumberAt(p.EnterpriseNums, i), int32(len(r.ents)))
			r.ents = append(r.ents, r.entOf(e, r.riskOf(e.Risk)))
		}
		for i := range p.Persons {
			x := &p.Persons[i]
			note(store.NumberAt(p.PersonNums, i), -int32(len(r.pers))-2)
			r.pers = append(r.pers, per{pid: x.PID, placeholder: x.Placeholder, risk: r.riskOf(x.Risk)})
		}
		for i := range p.Records {
			x := &p.Records[i]
			r.recs = append(r.recs, rec{id: x.ID, kind: string(x.Kind), subject: resolve(store.NumberAt(p.RecordSubjects, i), x.Subject),
				severity: x.Severity, decided: dayOf(x.Decided), remove: dayOf(x.Removed)})
		}
		for i := range p.Shareholdings {
			x := &p.Shareholdings[i]
			e := store.EndsAt(p.ShareholdingEnds, i)
			r.rels = append(r.rels, rel{typ: relHolds, from: resolve(e.From, x.Holder), to: resolve(e.To, models.EnterpriseRef(x.Enterprise)),
				ratio: x.Ratio, since: dayOf(x.Since), until: noDay})
		}
		for i := range p.Roles {
			x := &p.Roles[i]
			e := store.EndsAt(p.RoleEnds, i)
			typ := relLegalRep
			if x.Kind == models.RoleOfficer {
				typ = relOfficer
			}
			r.rels = append(r.rels, rel{typ: typ, from: resolve(e.From, models.PersonRef(x.Person)), to: resolve(e.To, models.EnterpriseRef(x.Enterprise)),
				since: dayOf(x.Since), until: dayOf(x.Until), title: x.Title})
		}
		for i := range p.Branches {
			x := &p.Branches[i]
			e := store.EndsAt(p.BranchEnds, i)
			r.rels = append(r.rels, rel{typ: relBranch, from: resolve(e.From, models.EnterpriseRef(x.Branch)), to: resolve(e.To, models.EnterpriseRef(x.Parent)),
				since: noDay, until: noDay})
		}
		for i := range p.Relations {
			x := &p.Relations[i]
			e := store.EndsAt(p.RelationEnds, i)
			r.rels = append(r.rels, rel{typ: relRelated, from: resolve(e.From, models.PersonRef(x.A)), to: resolve(e.To, models.PersonRef(x.B)),
				since: dayOf(x.Since), until: noDay, title: string(x.Kind)})
		}
		return fn(p)
	})
	if err != nil {
		return err
	}
	r.finish(bare)
	rc.rows = r
	return nil
}

// finish turns the recorder's provisional numbers into positions: bare
// endpoints become placeholder nodes, nodes are sorted by key, and the
// records and relationships renumbered. Rows without a valid endpoint are
// dropped (the engine drops them too).
func (r *Rows) finish(bare []models.Ref) {
	bareNum := make([]int32, len(bare))
	for i, ref := range bare {
		if ref.Kind == models.KindEnterprise {
			bareNum[i] = int32(len(r.ents))
			r.ents = append(r.ents, ent{key: ref.Key, placeholder: true, established: noDay})
		} else {
			bareNum[i] = -int32(len(r.pers)) - 2
			r.pers = append(r.pers, per{pid: ref.Key, placeholder: true})
		}
	}
	// Sort and map the provisional numbers to positions.
	entPerm := sortedPerm(len(r.ents), func(a, b int) int { return cmp.Compare(r.ents[a].key, r.ents[b].key) })
	perPerm := sortedPerm(len(r.pers), func(a, b int) int { return cmp.Compare(r.pers[a].pid, r.pers[b].pid) })
	entPos, perPos := inverse(entPerm), inverse(perPerm)
	r.ents, r.pers = permute(r.ents, entPerm), permute(r.pers, perPerm)
	nEnt := int32(len(r.ents))
	final := func(p int32) int32 {
		switch {
		case p == math.MinInt32:
			return -1
		case p < math.MinInt32/2:
			p = bareNum[p-math.MinInt32-2]
		}
		if p >= 0 {
			return entPos[p]
		}
		return nEnt + perPos[-p-2]
	}
	for i := range r.recs {
		r.recs[i].subject = final(r.recs[i].subject)
	}
	r.rels = slices.DeleteFunc(r.rels, func(x rel) bool {
		return x.from == math.MinInt32 || x.to == math.MinInt32
	})
	for i := range r.rels {
		r.rels[i].from, r.rels[i].to = final(r.rels[i].from), final(r.rels[i].to)
	}
	slices.SortStableFunc(r.recs, func(a, b rec) int { return cmp.Compare(a.id, b.id) })
}

// sortedPerm returns the indices 0..n-1 sorted stably by less.
func sortedPerm(n int, compare func(a, b int) int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	sorted := true
	for i := 1; i < n && sorted; i++ {
		sorted = compare(i-1, i) <= 0
	}
	if !sorted {
		slices.SortStableFunc(p, func(a, b int32) int { return compare(int(a), int(b)) })
	}
	return p
}

// inverse returns q with q[p[i]] = i.
func inverse(p []int32) []int32 {
	q := make([]int32, len(p))
	for i, v := range p {
		q[v] = int32(i)
	}
	return q
}

// permute returns xs in the order p gives (xs itself when p is the identity).
func permute[T any](xs []T, p []int32) []T {
	identity := true
	for i, v := range p {
		if int(v) != i {
			identity = false
			break
		}
	}
	if identity {
		return xs
	}
	out := make([]T, len(xs))
	for i, v := range p {
		out[i] = xs[v]
	}
	return out
}

// validate checks the invariants Load relies on: nodes sorted by key
// without duplicates, records by id, and every number in range.
func (r *Rows) validate() error {
	for i := 1; i < len(r.ents); i++ {
		if r.ents[i-1].key >= r.ents[i].key {
			return fmt.Errorf("enterprises out of order at %d", i)
		}
	}
	for i := 1; i < len(r.pers); i++ {
		if r.pers[i-1].pid >= r.pers[i].pid {
			return fmt.Errorf("persons out of order at %d", i)
		}
	}
	for i := 1; i < len(r.recs); i++ {
		if r.recs[i-1].id >= r.recs[i].id {
			return fmt.Errorf("records out of order at %d", i)
		}
	}
	n := int32(len(r.ents) + len(r.pers))
	for i := range r.recs {
		if s := r.recs[i].subject; s < -1 || s >= n {
			return fmt.Errorf("record %d: subject %d out of range", i, s)
		}
	}
	for i := range r.rels {
		x := &r.rels[i]
		if x.from < 0 || x.from >= n || x.to < 0 || x.to >= n || x.typ > relRelated {
			return fmt.Errorf("relationship %d: %d→%d type %d out of range", i, x.from, x.to, x.typ)
		}
	}
	if len(r.flags) > 32 {
		return fmt.Errorf("%d flag kinds, at most 32", len(r.flags))
	}
	return nil
}
