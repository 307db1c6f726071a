package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"riskgraph/models"
	"riskgraph/store"
)

var (
	_ store.LicenceReader     = (*Store)(nil)
	_ store.CreditReportStore = (*Store)(nil)
)

// licences holds administrative licences: rows in a slice, with their
// strings in the text blocks (text.go), authority interned, dates as day
// numbers and the enterprise as its node id; a key index by id, and each
// enterprise's licences chained through the rows from a head per
// enterprise. They arrive in batches (entry.Batch.Licences) and are
// compacted as batches; nothing joins them to the graph's adjacency, so
// scans and the engine do not see them. (Until issue 19 §2 each was a
// *models.Licence in a map, with strings that kept the file rows they were
// read from: ≈ 490 B per licence, against ≈ 150 B and the text now.)
type licences struct {
	rows []licRow
	byID keyIndex         // by id; its seed is made on first use
	head map[nodeID]int32 // an enterprise's first row
}

// licRow is one licence; next is the row of the enterprise's next
// licence, -1 after its last.
type licRow struct {
	id, number, name, docNo, content string
	score                            float64 // the matcher's score, 0 when named by key
	ent                              nodeID
	authority                        uint32 // interned
	decided, validFrom, validTo      day
	next                             int32
}

// licOf returns the row of licence id.
func (g *graph) licOf(id string) (int32, bool) {
	ls := &g.licences
	return ls.byID.get(id, func(i int32) string { return ls.rows[i].id })
}

// putLicence upserts l; a licence whose enterprise changed moves to the new
// one's chain.
func (g *graph) putLicence(l *models.Licence) {
	ls := &g.licences
	if ls.head == nil {
		ls.byID, ls.head = newKeyIndex(), map[nodeID]int32{}
	}
	ent := g.ensureEnterprise(l.Enterprise)
	i, ok := g.licOf(l.ID)
	var was licRow
	if ok {
		was = ls.rows[i]
	}
	row := licRow{id: was.id, number: g.text.keepAs(was.number, l.Number), name: g.text.keepAs(was.name, l.Name),
		docNo: g.text.keepAs(was.docNo, l.DocNo), content: g.text.keepAs(was.content, l.Content), score: l.MatchScore,
		ent: ent, authority: g.strs.code(l.Authority), decided: g.dates.put(l.Decided), validFrom: g.dates.put(l.ValidFrom),
		validTo: g.dates.put(l.ValidTo), next: was.next}
	if !ok {
		row.id = g.text.keep(l.ID)
		i = int32(len(ls.rows))
		ls.rows = append(ls.rows, row)
		ls.byID.put(row.id, i)
		ls.link(i, ent)
		return
	}
	ls.rows[i] = row
	if was.ent != ent {
		ls.unlink(i, was.ent)
		ls.link(i, ent)
	}
}

// link puts row i at the head of enterprise ent's chain.
func (ls *licences) link(i int32, ent nodeID) {
	next, ok := ls.head[ent]
	if !ok {
		next = -1
	}
	ls.rows[i].next, ls.head[ent] = next, i
}

// unlink takes row i out of enterprise ent's chain.
func (ls *licences) unlink(i int32, ent nodeID) {
	at := ls.head[ent]
	if at == i {
		if n := ls.rows[i].next; n >= 0 {
			ls.head[ent] = n
		} else {
			delete(ls.head, ent)
		}
		return
	}
	for ls.rows[at].next != i {
		at = ls.rows[at].next
	}
	ls.rows[at].next = ls.rows[i].next
}

// licence materialises licence row i.
func (g *graph) licence(i int32) models.Licence {
	r := &g.licences.rows[i]
	return models.Licence{ID: r.id, Enterprise: g.nodeKey(r.ent), Number: r.number, Name: r.name, DocNo: r.docNo,
		Content: r.content, Authority: g.strs.str(r.authority), Decided: g.dates.get(r.decided),
		ValidFrom: g.dates.get(r.validFrom), ValidTo: g.dates.get(r.validTo), MatchScore: r.score}
}

// putLicences applies a batch's licences: each one's enterprise exists
// afterwards (a placeholder when it did not).
func (g *graph) putLicences(ls []models.Licence) {
	for i := range ls {
		g.putLicence(&ls[i])
	}
}

// snapshotLicences emits every licence, by id, compactRows to a batch.
// Replaying a batch advances the generation, which the compacted journal
// restores after the data (graph.snapshot).
func (g *graph) snapshotLicences(emit func(*entry) error) error {
	rows := g.licences.rows
	order := make([]int32, len(rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(rows[a].id, rows[b].id) })
	for lo := 0; lo < len(order); lo += compactRows {
		b := &store.Batch{}
		for _, i := range order[lo:min(lo+compactRows, len(order))] {
			b.Licences = append(b.Licences, g.licence(i))
		}
		if err := emit(&entry{Batch: b}); err != nil {
			return err
		}
	}
	return nil
}

// Licences returns an enterprise's licences, newest decision first.
func (s *Store) Licences(_ context.Context, enterprise string) ([]models.Licence, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	var out []models.Licence
	if ent, ok := s.g.entOf(enterprise); ok && s.g.licences.head != nil {
		if i, ok := s.g.licences.head[ent]; ok {
			for ; i >= 0; i = s.g.licences.rows[i].next {
				out = append(out, s.g.licence(i))
			}
		}
	}
	store.SortLicences(out)
	return out, nil
}

// creditReportRow is the journal form of one issued credit report.
type creditReportRow struct {
	store.CreditReport
	Body []byte `json:"body"`
}

// creditReports holds issued credit reports by number.
type creditReports struct {
	byNumber map[string]*store.CreditReport
}

func (c *creditReports) apply(r *creditReportRow) {
	if r == nil {
		return
	}
	if c.byNumber == nil {
		c.byNumber = map[string]*store.CreditReport{}
	}
	x := r.CreditReport
	x.Body = r.Body
	c.byNumber[x.Number] = &x
}

// snapshot emits every report, one entry each (a report is some tens of
// kilobytes).
func (c *creditReports) snapshot(emit func(*entry) error) error {
	nums := make([]string, 0, len(c.byNumber))
	for n := range c.byNumber {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for _, n := range nums {
		x := c.byNumber[n]
		if err := emit(&entry{CreditReport: &creditReportRow{CreditReport: *x, Body: x.Body}}); err != nil {
			return err
		}
	}
	return nil
}

// SaveCreditReport journals a new credit report.
func (s *Store) SaveCreditReport(ctx context.Context, r store.CreditReport) error {
	if err := store.ValidateCreditReport(r); err != nil {
		return err
	}
	s.mu.RLock()
	_, dup := s.g.creditReports.byNumber[r.Number]
	s.mu.RUnlock()
	if dup {
		return fmt.Errorf("%w: credit report %q exists already; an issued report is never replaced", store.ErrInvalid, r.Number)
	}
	body := slices.Clone(r.Body)
	r.Body = nil
	return s.commit(ctx, &entry{CreditReport: &creditReportRow{CreditReport: r, Body: body}})
}

// CreditReport returns one issued report with its body.
func (s *Store) CreditReport(_ context.Context, number string) (store.CreditReport, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.CreditReport{}, err
	}
	r, ok := s.g.creditReports.byNumber[number]
	if !ok {
		return store.CreditReport{}, fmt.Errorf("credit report %q: %w", number, store.ErrNotFound)
	}
	out := *r
	out.Body = slices.Clone(r.Body)
	return out, nil
}
