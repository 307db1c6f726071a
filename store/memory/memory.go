// Package memory is riskgraph's embedded backend: the whole graph in memory,
// every accepted write appended to a journal in the data directory and
// fsynced before it is acknowledged, and replayed on start.
package memory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/auditlog"
)

var _ store.Store = (*Store)(nil)

// JournalFile is the journal's name inside the data directory.
const JournalFile = "journal.rgj"

// Options configure a Store.
type Options struct {
	// DataDir holds the journal. Empty means no journal: nothing survives Close.
	DataDir string
	// AuditDir holds the audit log (default <DataDir>/audit; with neither,
	// a temporary directory removed by Close). AuditRetention is passed to
	// it (see store/auditlog).
	AuditDir       string
	AuditRetention time.Duration
	Logger         zerolog.Logger
	// Command names what the process does ("serve", "ingest" …); it is
	// written into the data dir's lock file so that a second opener can
	// say who holds the directory (lock.go).
	Command string
	// ReadOnly replays the journal without taking the data dir's lock and
	// writes nothing, not even the truncation of a torn last record (it is
	// just not replayed): for commands that only read, beside a process
	// that writes. Every write method returns ErrReadOnly. The store holds
	// the journal as it was when opened.
	ReadOnly bool
}

// Store is the in-memory backend.
type Store struct {
	mu      sync.RWMutex
	g       graph
	journal *journal
	closed  bool
	// order is the key order of the last scan, for the next (scan.go).
	order  atomic.Pointer[scanOrder]
	failed error // set when an fsync failed
	log    zerolog.Logger
	// lock is the data dir's lock (nil without a data dir and when
	// readOnly); held until Close.
	lock     *dirLock
	readOnly bool
	audit    *auditlog.Lazy // audit.go
	// reviewMu serialises the review queue's read-then-write changes
	// (queue only what is new, decide only what is pending); commit takes
	// mu only to append and apply (reviews.go).
	reviewMu sync.Mutex
	// xrefMu orders the xref writes that read before they write (xref.go).
	xrefMu sync.Mutex
	// fileMu orders the credit file's writes that read before they write (creditfile.go).
	fileMu sync.Mutex
	// caseMu orders the case writes that read before they write (cases.go).
	caseMu sync.Mutex
	// lineage names the data's history (changes.go).
	lineage string
}

// entry is one journal record.
type entry struct {
	Batch   *store.Batch        `json:"batch,omitempty"`
	Results []models.RiskResult `json:"results,omitempty"`
	Promote string              `json:"promote,omitempty"`
	Run     *store.Run          `json:"run,omitempty"`
	// Access: API keys (access.go).
	Key    *store.APIKey `json:"key,omitempty"`
	Revoke *revocation   `json:"revoke,omitempty"`
	// Audit entries, written by earlier versions only: Open moves them
	// into the audit log (audit.go).
	LegacyAudit json.RawMessage `json:"audit,omitempty"`
	// Reports, snapshots and watch-lists (reports.go).
	Reports *reportsEntry `json:"reports,omitempty"`
	// The match review queue (reviews.go).
	Reviews *reviewsEntry `json:"reviews,omitempty"`
	// Xref pairs, decisions and runs (xref.go).
	Xref *xrefEntry `json:"xref,omitempty"`
	// Credit checks (checks.go).
	Checks []checkRow `json:"checks,omitempty"`
	// The credit file: commitments, objections, repairs (creditfile.go).
	File *fileEntry `json:"file,omitempty"`
	// An issued credit report (licences.go).
	CreditReport *creditReportRow `json:"credit_report,omitempty"`
	// A case file as stored (cases.go).
	Case *store.Case `json:"case,omitempty"`
	// Written by Compact (compact.go): results to make current as they are
	// (with their previous score), and the data generation to restore.
	Current    []models.RiskResult `json:"current,omitempty"`
	Generation uint64              `json:"generation,omitempty"`
}

// Open opens the store, replaying the journal in opts.DataDir. Unless
// opts.ReadOnly, it first takes the data dir's lock: when another process
// holds it, Open returns a *LockedError (errors.Is ErrLocked).
func Open(opts Options) (s *Store, err error) {
	s = &Store{g: newGraph(), log: opts.Logger, readOnly: opts.ReadOnly,
		audit: auditlog.NewLazy(auditOptions(opts)), lineage: newLineage()}
	if opts.DataDir == "" {
		return s, nil
	}
	path := filepath.Join(opts.DataDir, JournalFile)
	if opts.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return s, nil // nothing written yet, and nothing to create
		}
	} else {
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		var lock *dirLock
		if lock, err = lockDir(opts.DataDir, opts.Command); err != nil {
			return nil, err
		}
		s.lock = lock
		defer func() {
			if err != nil {
				_ = lock.unlock()
			}
		}()
		// A compaction that did not finish left only its temporary file;
		// the journal itself is complete.
		if err := os.Remove(path + compactSuffix); err == nil {
			opts.Logger.Warn().Str("journal", path).Msg("removed the temporary file of an unfinished compaction")
		} else if !os.IsNotExist(err) {
			return nil, fmt.Errorf("data dir: %w", err)
		}
	}
	if s.lineage, err = readLineage(opts.DataDir, opts.ReadOnly); err != nil {
		return nil, err
	}
	records, rows := 0, 0
	var legacy legacyAudit
	j, torn, err := openJournal(path, opts.ReadOnly, func(p []byte) error {
		var e entry
		if err := json.Unmarshal(p, &e); err != nil {
			return err
		}
		s.g.apply(&e)
		legacy.note(e.LegacyAudit)
		records++
		if e.Batch != nil {
			rows += e.Batch.Len()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		// Everything is in memory; the file is not needed any more.
		_ = j.close()
		j = nil
		if torn != nil {
			opts.Logger.Info().Str("journal", path).Int64("offset", torn.offset).
				Msg("read-only open: the journal ends in an incomplete record (a write in progress, or torn); not replayed, file left as it is")
		}
	} else if torn != nil {
		opts.Logger.Warn().Str("journal", path).Int64("offset", torn.offset).
			Int64("dropped_bytes", torn.size-torn.offset).
			Msg("dropped a torn last journal record (a write that was never acknowledged)")
	}
	opts.Logger.Info().Str("journal", path).Int("records", records).
		Int("enterprises", s.g.nEnt).Int("persons", len(s.g.nodes)-s.g.nEnt).Msg("memory store replayed")
	if live := s.g.rows(); rows > 2*live && rows-live > 10_000 && !opts.ReadOnly {
		opts.Logger.Warn().Str("journal", path).Int("rows_replayed", rows).Int("rows_held", live).
			Msg("the journal holds more than twice the rows the store keeps (repeated loads); `riskgraph compact` rewrites it as the current state")
	}
	s.journal = j
	if opts.ReadOnly {
		return s, nil // a read-only open writes nothing, the audit migration included
	}
	if err := s.migrateAudit(path, &legacy); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// WriteBatch validates, journals and applies a batch.
func (s *Store) WriteBatch(ctx context.Context, b *store.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return s.commit(ctx, &entry{Batch: b})
}

// WriteResults stages engine results. Results for entities that do not
// exist are ignored.
func (s *Store) WriteResults(ctx context.Context, results []models.RiskResult) error {
	for _, r := range results {
		if r.Run == "" {
			return fmt.Errorf("%w: result for %s has no run id", store.ErrInvalid, r.Ref)
		}
	}
	return s.commit(ctx, &entry{Results: results})
}

// ResultBatchSize is the number of results per WriteResults call that
// engine.Score uses with this store (store.ResultBatchSizer): each call
// is one journal record, fsynced, and applied under the store's lock, so
// larger calls save fsyncs (a 1 M daily run writes ≈ 0.7 M results: 36
// calls instead of 142) at the cost of a longer hold of the lock per
// call (readers wait for at most one call's key look-ups).
func (s *Store) ResultBatchSize() int { return ResultBatchSize }

// ResultBatchSize is Store.ResultBatchSize's answer.
const ResultBatchSize = 20_000

var _ store.ResultBatchSizer = (*Store)(nil)

// PromoteRun makes the results staged under runID current.
func (s *Store) PromoteRun(ctx context.Context, runID string) error {
	if runID == "" {
		return fmt.Errorf("%w: empty run id", store.ErrInvalid)
	}
	return s.commit(ctx, &entry{Promote: runID})
}

// SaveRun inserts or replaces a run record.
func (s *Store) SaveRun(ctx context.Context, r store.Run) error {
	if r.ID == "" {
		return fmt.Errorf("%w: empty run id", store.ErrInvalid)
	}
	return s.commit(ctx, &entry{Run: &r})
}

// Run returns a run record.
func (s *Store) Run(_ context.Context, id string) (store.Run, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return store.Run{}, err
	}
	r, ok := s.g.runs[id]
	if !ok {
		return store.Run{}, fmt.Errorf("run %q: %w", id, store.ErrNotFound)
	}
	return *r, nil
}

// Runs returns up to limit runs, newest first.
func (s *Store) Runs(_ context.Context, limit int) ([]store.Run, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	out := make([]store.Run, 0, len(s.g.runs))
	for _, r := range s.g.runs {
		out = append(out, *r)
	}
	store.SortRuns(out)
	return out[:min(len(out), max(limit, 0))], nil
}

// Generation returns the number of batches accepted so far.
func (s *Store) Generation(context.Context) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return 0, err
	}
	return s.g.generation, nil
}

// SettledGeneration is Generation: batches are applied one at a time
// under the store's lock, each stamped as it is applied.
func (s *Store) SettledGeneration(ctx context.Context) (uint64, error) {
	return s.Generation(ctx)
}

// writeRefused is the error of a write (or an audit read) on a read-only store.
func (s *Store) writeRefused() error {
	return fmt.Errorf("%w: this needs the data dir's lock; run it while no other riskgraph process holds the dir, or through the running server", ErrReadOnly)
}

func (s *Store) commit(ctx context.Context, e *entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.readOnly {
		return s.writeRefused()
	}
	var payload []byte
	if s.journal != nil {
		var err error
		if payload, err = json.Marshal(e); err != nil {
			return err
		}
	}
	s.mu.Lock()
	if err := s.open(); err != nil {
		s.mu.Unlock()
		return err
	}
	var seq int64
	if s.journal != nil {
		var err error
		if seq, err = s.journal.append(payload); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	// Applied in journal order, visible before the fsync below returns; the
	// caller is acknowledged only after it.
	s.g.apply(e)
	s.mu.Unlock()
	if s.journal == nil {
		return nil
	}
	if err := s.journal.syncTo(seq); err != nil {
		// Memory now holds a write the disk may not: refuse everything
		// until a restart replays what is durable.
		s.mu.Lock()
		s.failed = err
		s.mu.Unlock()
		s.log.Error().Err(err).Msg("journal fsync failed; the store refuses requests until riskgraph restarts")
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	return nil
}

// Ping reports whether the store is open.
func (s *Store) Ping(context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.open()
}

// open reports ErrUnavailable once the store is closed; callers hold mu.
func (s *Store) open() error {
	if s.closed {
		return fmt.Errorf("%w: store is closed", store.ErrUnavailable)
	}
	if s.failed != nil {
		return fmt.Errorf("%w: journal fsync failed earlier (%v); restart riskgraph", store.ErrUnavailable, s.failed)
	}
	return nil
}

// Close closes the journal.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.audit.Close()
	if s.journal != nil {
		if jerr := s.journal.close(); err == nil {
			err = jerr
		}
	}
	if lerr := s.lock.unlock(); err == nil {
		err = lerr
	}
	s.lock = nil
	return err
}

// Enterprise returns an enterprise by key or USCC (an enterprise's USCC is
// its key).
func (s *Store) Enterprise(_ context.Context, keyOrUSCC string) (models.Enterprise, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return models.Enterprise{}, err
	}
	id, ok := s.g.entOf(keyOrUSCC)
	if !ok {
		return models.Enterprise{}, fmt.Errorf("enterprise %q: %w", keyOrUSCC, store.ErrNotFound)
	}
	e := s.g.enterprise(id)
	e.Risk = cloneRisk(e.Risk)
	return e, nil
}

// Person returns a person by pid.
func (s *Store) Person(_ context.Context, pid string) (models.Person, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return models.Person{}, err
	}
	id, ok := s.g.perOf(pid)
	if !ok {
		return models.Person{}, fmt.Errorf("person %q: %w", pid, store.ErrNotFound)
	}
	p := s.g.person(id)
	p.Risk = cloneRisk(p.Risk)
	return p, nil
}

// Records returns a subject's credit records, newest decision first.
func (s *Store) Records(_ context.Context, subject models.Ref) ([]models.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	var out []models.Record
	if id, ok := s.g.lookup(subject); ok {
		for _, l := range s.g.adj.list(id) {
			if l.typ == relRecord {
				out = append(out, s.g.record(l.rel))
			}
		}
	}
	store.SortRecords(out)
	return out, nil
}

// RecordsOf returns the records of several subjects, each newest first.
func (s *Store) RecordsOf(_ context.Context, subjects []models.Ref) (map[models.Ref][]models.Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	out := map[models.Ref][]models.Record{}
	for _, ref := range subjects {
		if _, done := out[ref]; done {
			continue
		}
		id, ok := s.g.lookup(ref)
		if !ok {
			continue
		}
		var rs []models.Record
		for _, l := range s.g.adj.list(id) {
			if l.typ == relRecord {
				rs = append(rs, s.g.record(l.rel))
			}
		}
		if len(rs) > 0 {
			store.SortRecords(rs)
			out[ref] = rs
		}
	}
	return out, nil
}

// Expand returns the relationships of nodes over types, with their endpoints.
func (s *Store) Expand(ctx context.Context, nodes []models.Ref, types []models.RelType) ([]store.Edge, map[models.Ref]store.Node, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, nil, err
	}
	want := func(t relType) bool { return len(types) == 0 || slices.Contains(types, t.model()) }
	var edges []store.Edge
	known := map[models.Ref]store.Node{}
	add := func(e store.Edge) {
		edges = append(edges, e)
		for _, end := range []models.Ref{e.From, e.To} {
			if _, done := known[end]; !done {
				known[end] = s.g.node(end)
			}
		}
	}
	for i, n := range nodes {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if n.Kind == models.KindRecord {
			// A record's one relationship is the link from its subject.
			if r, ok := s.g.recOf(n.Key); ok && want(relRecord) {
				add(s.g.edge(link{other: r, rel: r, typ: relRecord}))
			}
			continue
		}
		id, ok := s.g.lookup(n)
		if !ok {
			continue
		}
		for _, l := range s.g.adj.list(id) {
			if want(l.typ) {
				add(s.g.edge(l))
			}
		}
		if n.Kind == models.KindEnterprise && (len(types) == 0 || slices.Contains(types, models.RelSameAs)) {
			for _, e := range s.g.xref.sameAsEdges(n.Key) {
				add(e)
			}
		}
	}
	return edges, known, nil
}

// Neighbourhood walks the graph ring by ring (store.WalkNeighbourhood):
// each Expand is a look-up in memory, so there is nothing to batch.
func (s *Store) Neighbourhood(ctx context.Context, root models.Ref, depth int, types []models.RelType, limit int) (store.Graph, error) {
	return store.WalkNeighbourhood(ctx, s, root, depth, types, limit)
}

// Upward returns the relationships leading up from the enterprises keys
// (store.Reader): from each one's adjacency list, the holdings, controls,
// offices and legal representatives that end there and the BRANCH_OF that
// starts there, then its SAME_AS links.
func (s *Store) Upward(ctx context.Context, keys []string) ([]store.Edge, map[models.Ref]store.Node, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, nil, err
	}
	var edges []store.Edge
	known := map[models.Ref]store.Node{}
	add := func(e store.Edge) {
		edges = append(edges, e)
		for _, end := range []models.Ref{e.From, e.To} {
			if _, done := known[end]; !done {
				known[end] = s.g.node(end)
			}
		}
	}
	for i, k := range keys {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		id, ok := s.g.entOf(k)
		if !ok {
			continue
		}
		for _, l := range s.g.adj.list(id) {
			switch l.typ {
			case relShares, relControls, relOfficer, relLegalRep:
				if !l.out {
					add(s.g.edge(l))
				}
			case relBranch:
				if l.out {
					add(s.g.edge(l))
				}
			}
		}
		for _, e := range s.g.xref.sameAsEdges(k) {
			add(e)
		}
	}
	return edges, known, nil
}

// Search matches names (case-insensitive substring) and exact USCCs. Exact
// name matches score 1, prefixes 0.8, other substrings 0.5.
func (s *Store) Search(_ context.Context, q string, limit int) ([]store.Hit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, fmt.Errorf("%w: empty search query", store.ErrInvalid)
	}
	lq := strings.ToLower(q)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	var hits []store.Hit
	score := func(name string) float64 {
		ln := strings.ToLower(name)
		switch {
		case ln == lq:
			return 1
		case strings.HasPrefix(ln, lq):
			return 0.8
		case strings.Contains(ln, lq):
			return 0.5
		}
		return 0
	}
	for id := range s.g.nodes {
		n := &s.g.nodes[id]
		name := s.g.text.str(n.name)
		sc := score(name)
		if !n.isEnterprise() {
			if sc > 0 {
				hits = append(hits, store.Hit{Ref: models.PersonRef(s.g.text.str(n.key)), Name: name, Score: sc})
			}
			continue
		}
		var uscc string
		if s.g.ents[n.ent].hasUSCC {
			uscc = s.g.text.str(n.key)
			if strings.EqualFold(uscc, q) {
				sc = 1
			}
		}
		if sc > 0 {
			hits = append(hits, store.Hit{Ref: models.EnterpriseRef(s.g.text.str(n.key)), Name: name, USCC: uscc, Score: sc})
		}
	}
	store.SortHits(hits)
	if len(hits) > max(limit, 0) {
		hits = hits[:max(limit, 0)]
	}
	return hits, nil
}

func cloneRisk(r *models.Risk) *models.Risk {
	if r == nil {
		return nil
	}
	c := *r
	c.Flags = slices.Clone(r.Flags)
	c.Details = slices.Clone(r.Details)
	if r.Previous != nil {
		p := *r.Previous
		c.Previous = &p
	}
	return &c
}
