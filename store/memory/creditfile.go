package memory

import (
	"context"
	"fmt"
	"slices"

	"riskgraph/store"
)

var _ store.CreditFileStore = (*Store)(nil)

// The credit file (store.CreditFileStore): commitments, objections and
// repairs. The journal holds each row whole as written — a decided
// objection is written again with its decision and replaces the open one —
// so replaying it, or a compacted journal, rebuilds the table. A record
// written by a request (Write) advances the data generation; a compacted
// one does not (compaction restores the generation itself).

// fileEntry is the journal record of credit-file rows.
type fileEntry struct {
	Commitments []store.Commitment `json:"commitments,omitempty"`
	Objections  []store.Objection  `json:"objections,omitempty"`
	Repairs     []store.Repair     `json:"repairs,omitempty"`
	Write       bool               `json:"write,omitempty"`
}

// creditFile is the table.
type creditFile struct {
	commitments map[string]store.Commitment
	objections  map[string]store.Objection
	repairs     map[string]store.Repair // by record id
}

func (f *creditFile) init() {
	if f.commitments == nil {
		f.commitments, f.objections, f.repairs = map[string]store.Commitment{}, map[string]store.Objection{}, map[string]store.Repair{}
	}
}

func (g *graph) applyFile(e *fileEntry) {
	if e == nil {
		return
	}
	f := &g.file
	f.init()
	for _, c := range e.Commitments {
		f.commitments[c.ID] = c
	}
	for _, o := range e.Objections {
		o.Attachments = slices.Clone(o.Attachments)
		f.objections[o.ID] = o
	}
	for _, r := range e.Repairs {
		f.repairs[r.RecordID] = r
	}
	if e.Write {
		g.generation++
	}
}

// snapshot emits every row, compactRows at a time per kind.
func (f *creditFile) snapshot(emit func(*entry) error) error {
	cs := make([]store.Commitment, 0, len(f.commitments))
	for _, c := range f.commitments {
		cs = append(cs, c)
	}
	store.SortCommitments(cs)
	os := make([]store.Objection, 0, len(f.objections))
	for _, o := range f.objections {
		os = append(os, o)
	}
	store.SortObjections(os)
	rs := make([]store.Repair, 0, len(f.repairs))
	for _, r := range f.repairs {
		rs = append(rs, r)
	}
	store.SortRepairs(rs)
	for lo := 0; lo < len(cs); lo += compactRows {
		if err := emit(&entry{File: &fileEntry{Commitments: cs[lo:min(lo+compactRows, len(cs))]}}); err != nil {
			return err
		}
	}
	for lo := 0; lo < len(os); lo += compactRows {
		if err := emit(&entry{File: &fileEntry{Objections: os[lo:min(lo+compactRows, len(os))]}}); err != nil {
			return err
		}
	}
	for lo := 0; lo < len(rs); lo += compactRows {
		if err := emit(&entry{File: &fileEntry{Repairs: rs[lo:min(lo+compactRows, len(rs))]}}); err != nil {
			return err
		}
	}
	return nil
}

// SaveCommitment journals a new commitment.
func (s *Store) SaveCommitment(ctx context.Context, c store.Commitment) error {
	if err := store.ValidateCommitment(c); err != nil {
		return err
	}
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	s.mu.RLock()
	_, dup := s.g.file.commitments[c.ID]
	s.mu.RUnlock()
	if dup {
		return fmt.Errorf("%w: commitment %q exists already", store.ErrInvalid, c.ID)
	}
	c.Created = c.Created.UTC()
	return s.commit(ctx, &entry{File: &fileEntry{Commitments: []store.Commitment{c}, Write: true}})
}

// Commitments lists the commitments of subject ("" for all).
func (s *Store) Commitments(_ context.Context, subject string) ([]store.Commitment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	out := []store.Commitment{}
	for _, c := range s.g.file.commitments {
		if subject == "" || c.Subject == subject {
			out = append(out, c)
		}
	}
	store.SortCommitments(out)
	return out, nil
}

// FileObjection journals a new open objection.
func (s *Store) FileObjection(ctx context.Context, o store.Objection) error {
	if err := store.ValidateObjection(o); err != nil {
		return err
	}
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	s.mu.RLock()
	_, dup := s.g.file.objections[o.ID]
	var open string
	for _, x := range s.g.file.objections {
		if x.RecordID == o.RecordID && x.Status == store.ObjectionOpen {
			open = x.ID
		}
	}
	s.mu.RUnlock()
	switch {
	case dup:
		return fmt.Errorf("%w: objection %q exists already", store.ErrInvalid, o.ID)
	case open != "":
		return fmt.Errorf("%w: record %s has an open objection (%s); decide it first", store.ErrConflict, o.RecordID, open)
	}
	o.Filed = o.Filed.UTC()
	o.Attachments = slices.Clone(o.Attachments)
	if o.Attachments == nil {
		o.Attachments = []string{}
	}
	return s.commit(ctx, &entry{File: &fileEntry{Objections: []store.Objection{o}, Write: true}})
}

// DecideObjection journals the decision of an open objection.
func (s *Store) DecideObjection(ctx context.Context, id string, d store.ObjectionDecision) (store.Objection, error) {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	s.mu.RLock()
	o, ok := s.g.file.objections[id]
	s.mu.RUnlock()
	if !ok {
		return store.Objection{}, fmt.Errorf("objection %q: %w", id, store.ErrNotFound)
	}
	o, err := o.Decide(d)
	if err != nil {
		return store.Objection{}, err
	}
	if err := s.commit(ctx, &entry{File: &fileEntry{Objections: []store.Objection{o}, Write: true}}); err != nil {
		return store.Objection{}, err
	}
	o.Attachments = slices.Clone(o.Attachments)
	return o, nil
}

// SaveRepair journals a repair.
func (s *Store) SaveRepair(ctx context.Context, r store.Repair) error {
	if err := store.ValidateRepair(r); err != nil {
		return err
	}
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	s.mu.RLock()
	old, repaired := s.g.file.repairs[r.RecordID]
	dup := false
	for _, x := range s.g.file.repairs {
		dup = dup || x.ID == r.ID
	}
	s.mu.RUnlock()
	switch {
	case dup:
		return fmt.Errorf("%w: repair %q exists already", store.ErrInvalid, r.ID)
	case repaired:
		return fmt.Errorf("%w: record %s was repaired already (%s, from %s)", store.ErrConflict, r.RecordID, old.ID, old.Date)
	}
	r.Created = r.Created.UTC()
	return s.commit(ctx, &entry{File: &fileEntry{Repairs: []store.Repair{r}, Write: true}})
}

// RecordFiles returns the objections and repairs of the given records.
func (s *Store) RecordFiles(_ context.Context, ids []string) ([]store.Objection, []store.Repair, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, nil, err
	}
	want := func(string) bool { return true }
	if ids != nil {
		set := make(map[string]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		want = func(id string) bool { return set[id] }
	}
	os, rs := []store.Objection{}, []store.Repair{}
	for _, o := range s.g.file.objections {
		if want(o.RecordID) {
			o.Attachments = slices.Clone(o.Attachments)
			os = append(os, o)
		}
	}
	for _, r := range s.g.file.repairs {
		if want(r.RecordID) {
			rs = append(rs, r)
		}
	}
	store.SortObjections(os)
	store.SortRepairs(rs)
	return os, rs, nil
}
