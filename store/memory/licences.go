package memory

import (
	"context"
	"fmt"
	"slices"

	"riskgraph/models"
	"riskgraph/store"
)

var (
	_ store.LicenceReader     = (*Store)(nil)
	_ store.CreditReportStore = (*Store)(nil)
)

// licences holds administrative licences by id, and the ids of each
// enterprise's licences. They arrive in batches (entry.Batch.Licences) and
// are compacted as batches; nothing joins them to the graph's adjacency,
// so scans and the engine do not see them.
type licences struct {
	byID  map[string]*models.Licence
	byEnt map[string][]string
}

// put upserts l; a licence whose enterprise changed moves to the new one.
func (ls *licences) put(l models.Licence) {
	if ls.byID == nil {
		ls.byID, ls.byEnt = map[string]*models.Licence{}, map[string][]string{}
	}
	if old, ok := ls.byID[l.ID]; ok {
		if old.Enterprise != l.Enterprise {
			ids := slices.DeleteFunc(ls.byEnt[old.Enterprise], func(id string) bool { return id == l.ID })
			if len(ids) == 0 {
				delete(ls.byEnt, old.Enterprise)
			} else {
				ls.byEnt[old.Enterprise] = ids
			}
			ls.byEnt[l.Enterprise] = append(ls.byEnt[l.Enterprise], l.ID)
		}
	} else {
		ls.byEnt[l.Enterprise] = append(ls.byEnt[l.Enterprise], l.ID)
	}
	ls.byID[l.ID] = &l
}

// putLicences applies a batch's licences: each one's enterprise exists
// afterwards (a placeholder when it did not).
func (g *graph) putLicences(ls []models.Licence) {
	for _, l := range ls {
		g.ensureEnterprise(l.Enterprise)
		g.licences.put(l)
	}
}

// snapshot emits every licence, compactRows to a batch. Replaying a batch
// advances the generation, which the compacted journal restores after the
// data (graph.snapshot).
func (ls *licences) snapshot(emit func(*entry) error) error {
	ids := make([]string, 0, len(ls.byID))
	for id := range ls.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for lo := 0; lo < len(ids); lo += compactRows {
		b := &store.Batch{}
		for _, id := range ids[lo:min(lo+compactRows, len(ids))] {
			b.Licences = append(b.Licences, *ls.byID[id])
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
	for _, id := range s.g.licences.byEnt[enterprise] {
		out = append(out, *s.g.licences.byID[id])
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
