package match

import (
	"context"
	"sync"
	"sync/atomic"

	"riskgraph/store"
)

// Live is an index kept current with the store it was built from, safe for
// concurrent use: queries read it under a shared lock, written batches are
// applied to it under an exclusive one (docs/matching.md, "Live index").
//
// It follows the store's data generation (store.Store.Generation, which
// advances by one with every accepted batch). Batches written through
// Write are applied to the index as they are acknowledged, so the
// generation it serves moves with them and no rebuild is needed. Current
// compares the store's generation with the index's: when it moved beyond
// the writes Live knows of (another writer — a second replica on Neo4j, a
// CLI load of its own — or the first use), it rebuilds the index from one
// store scan. Writes may run concurrently with each other and with a
// rebuild: a rebuild waits for the writes in flight when it starts, reads
// the generation, scans, and then replays the batches acknowledged during
// the scan (applying a batch is idempotent: enterprises are replaced by
// key, links are sets).
//
// Without a store (Apply only, e.g. a local load that matches its own rows
// against what it wrote before), Live is simply a locked Index.
type Live struct {
	// gate: writes hold it shared while in flight; a rebuild takes it
	// exclusively to read the generation it starts from.
	gate sync.RWMutex
	// build serialises rebuilds.
	build sync.Mutex

	mu       sync.RWMutex // the index's contents and the fields below
	ix       *Index
	gen      uint64 // the store generation the index reflects
	inflight uint64 // writes started and not yet acknowledged or failed
	logging  bool   // a rebuild is scanning: acknowledged batches are kept in log
	log      []*store.Batch

	builds atomic.Int64
}

// GenerationScanner is the part of a store that Live reads.
type GenerationScanner interface {
	store.Scanner
	Generation(ctx context.Context) (uint64, error)
}

// NewLive returns a Live serving ix (nil: none yet; Current builds one).
// gen is the store generation ix was built at.
func NewLive(ix *Index, gen uint64) *Live { return &Live{ix: ix, gen: gen} }

// Write writes b through w and, once w acknowledged it, applies it to the
// index: the next query sees it without a rebuild. A failed write is not
// applied (if the store kept it nonetheless, its generation moves beyond
// the index's and the next Current rebuilds).
func (l *Live) Write(ctx context.Context, w store.Writer, b *store.Batch) error {
	// An empty batch is not counted: the backends disagree on whether it
	// advances the generation (if it did, the next Current rebuilds).
	return l.Track(ctx, b, b.Len() > 0, func(ctx context.Context) error { return w.WriteBatch(ctx, b) })
}

// Track runs write, a change of the store other than a plain batch (a
// review decision that writes its held rows, an xref decision), and once
// it succeeded applies b to the index (nil: nothing the index holds
// changed). bumps says that write advances the store's generation by one,
// so the index follows without a rebuild; a wrong guess costs only a
// rebuild at the next Current, never a stale answer.
func (l *Live) Track(ctx context.Context, b *store.Batch, bumps bool, write func(context.Context) error) error {
	if !bumps {
		if err := write(ctx); err != nil || b == nil {
			return err
		}
		l.Apply(b)
		return nil
	}
	l.gate.RLock()
	defer l.gate.RUnlock()
	l.mu.Lock()
	tracked := l.ix != nil || l.logging
	if tracked {
		l.inflight++
	}
	l.mu.Unlock()
	err := write(ctx)
	if !tracked {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	if err != nil {
		return err
	}
	if b == nil {
		b = &store.Batch{}
	}
	if l.ix != nil {
		l.ix.apply(b)
		l.gen++
	}
	if l.logging {
		l.log = append(l.log, b)
	}
	return nil
}

// Apply enters a batch into the index without writing it anywhere and
// without following a store's generation (for a caller that keeps its own
// index, such as a local load). It does nothing before the index exists.
func (l *Live) Apply(b *store.Batch) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ix != nil {
		l.ix.apply(b)
	}
}

// Current makes the index reflect s's current generation, rebuilding it
// from one scan of s when the generation moved beyond the writes Live
// applied (or when there is no index yet), and returns that generation.
// Concurrent callers wait for one rebuild.
func (l *Live) Current(ctx context.Context, s GenerationScanner) (uint64, error) {
	if gen, ok, err := l.fresh(ctx, s); err != nil || ok {
		return gen, err
	}
	l.build.Lock()
	defer l.build.Unlock()
	if gen, ok, err := l.fresh(ctx, s); err != nil || ok {
		return gen, err // another caller rebuilt it meanwhile
	}
	// Start: no write in flight, so every write is either in the
	// generation read now or acknowledged (and logged) after it.
	l.gate.Lock()
	start, err := s.Generation(ctx)
	if err == nil {
		l.mu.Lock()
		l.logging, l.log = true, nil
		l.mu.Unlock()
	}
	l.gate.Unlock()
	if err != nil {
		return 0, err
	}
	ix, err := FromStore(ctx, s)
	l.mu.Lock()
	defer l.mu.Unlock()
	log := l.log
	l.logging, l.log = false, nil
	if err != nil {
		return 0, err
	}
	for _, b := range log {
		ix.apply(b)
	}
	l.ix, l.gen = ix, start+uint64(len(log))
	l.builds.Add(1)
	return l.gen, nil
}

// fresh reports whether the index reflects s's generation, give or take
// the writes in flight (a query racing a write may or may not see it).
func (l *Live) fresh(ctx context.Context, s GenerationScanner) (uint64, bool, error) {
	g, err := s.Generation(ctx)
	if err != nil {
		return 0, false, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.gen, l.ix != nil && g >= l.gen && g <= l.gen+l.inflight, nil
}

// Match answers a query from the index under the shared lock (nil and no
// error before the index exists).
func (l *Live) Match(q Query, limit int) ([]Candidate, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.ix == nil {
		return nil, nil
	}
	return l.ix.Match(q, limit)
}

// Len is the number of indexed enterprises (0 before the index exists).
func (l *Live) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.ix == nil {
		return 0
	}
	return l.ix.Len()
}

// Generation is the store generation the index reflects.
func (l *Live) Generation() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.gen
}

// Builds counts the rebuilds from a store scan so far.
func (l *Live) Builds() int64 { return l.builds.Load() }
