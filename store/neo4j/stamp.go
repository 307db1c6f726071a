package neo4j

// Data-generation stamps (store.ChangeFeed; docs/storage.md, "Concurrent
// online writes and write stamps").
//
// The format: one counter, (:Meta {id: 'generation-next'}) with the last
// stamp allocated in next, and one (:Generation {g, state, expires}) node
// per stamp, g unique. A stamp's state is 'open' (allocated, its batch not
// committed), 'done' (its batch committed) or 'skipped' (abandoned: its
// batch failed, or its writer died before committing).
//
// A batch allocates its stamp in a short transaction of its own
// (generation_next), so the counter's lock is held for that transaction
// only, never while a batch writes. Its own transaction then claims the
// stamp first (generation_claim: open → done, under the stamp node's
// lock, held until the batch commits), stamps every row it writes with it
// and commits. Batches in flight share nothing but the entities they both
// write.
//
// The guarantee: Generation() is the watermark, the highest G such that
// every stamp ≤ G is done or skipped — the last stamp allocated when none
// is open, else the lowest open stamp − 1. Every write stamped ≤ G is then
// visible, and every write not yet visible is stamped above G (its stamp
// is open, or not allocated yet). The counter is read before the open
// stamps, so a stamp allocated between the two reads is above the counter
// read and cannot raise G.
//
// Crash safety: a batch is acknowledged only after its transaction, claim
// included, committed, so nothing acknowledged depends on a stamp's fate.
// A failed batch abandons its stamp at once; a writer that dies leaves its
// stamp open until its lease (stampLease) expires, and then the next
// Generation() or SettledGeneration() abandons it (generation_abandon), so
// the watermark moves on. Abandoning and claiming both read the state under
// the stamp's lock: a claim that comes after the abandon fails (the batch
// takes a new stamp and is retried), and an abandon that comes after the
// claim waits for the batch and leaves the stamp done.

import (
	"context"
	"errors"
	"fmt"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// stampLease is how long an open stamp may stay unclaimed before a reaper
// may abandon it. It covers the time from allocating a stamp to the first
// statement of the batch's transaction (and its retries: a retry whose
// stamp was abandoned meanwhile takes a new one), not the batch's whole
// transaction — a claimed stamp is locked until its batch commits. It is
// also, after a crash, how long the watermark may stay below the dead
// writer's stamps.
const stampLease = 10 * time.Second

// stampAttempts bounds how often a batch takes a new stamp after a reaper
// abandoned the one it had.
const stampAttempts = 3

// errStampLost is returned by a batch transaction whose stamp a reaper
// abandoned before the batch claimed it.
var errStampLost = errors.New("neo4j: the batch's generation stamp was abandoned before it committed")

// allocateStamp takes the next stamp, open, in its own transaction.
func (s *Store) allocateStamp(ctx context.Context) (int64, error) {
	var stamp int64
	err := s.write(ctx, "allocate generation stamp", func(tx driver.ManagedTransaction) error {
		var err error
		stamp, err = nextStamp(ctx, tx, "open")
		return err
	})
	return stamp, err
}

// nextStamp runs generation_next in tx and returns the stamp.
func nextStamp(ctx context.Context, tx driver.ManagedTransaction, state string) (int64, error) {
	res, err := tx.Run(ctx, stmt(qGenerationNext), map[string]any{"state": state, "lease": stampLease.Milliseconds()})
	if err != nil {
		return 0, err
	}
	rec, err := res.Single(ctx)
	if err != nil {
		return 0, err
	}
	stamp, _ := rec.Values[0].(int64)
	if stamp <= 0 {
		return 0, fmt.Errorf("%s: stamp %v", qGenerationNext, rec.Values[0])
	}
	return stamp, nil
}

// bumpGeneration advances the data generation inside tx for a write that
// stamps no rows (credit files, cross-reference decisions): it allocates
// a stamp already done, which commits or rolls back with tx. The counter
// stays locked until tx ends; these transactions are small.
func bumpGeneration(ctx context.Context, tx driver.ManagedTransaction) error {
	_, err := nextStamp(ctx, tx, "done")
	return err
}

// claimStamp is the first statement of a batch's transaction: it marks
// the batch's stamp done (visible when tx commits) and holds its lock.
func claimStamp(ctx context.Context, tx driver.ManagedTransaction, stamp int64) error {
	res, err := tx.Run(ctx, stmt(qGenerationClaim), map[string]any{"gen": stamp})
	if err != nil {
		return err
	}
	mine := false
	if res.Next(ctx) {
		mine, _ = res.Record().Values[0].(bool)
	}
	if _, err := res.Consume(ctx); err != nil {
		return err
	}
	if !mine {
		return errStampLost
	}
	return nil
}

// writeStamped writes steps in one transaction under a stamp of their own:
// allocate, then claim, write and commit. A batch whose transaction fails
// abandons its stamp, so the watermark does not wait for its lease.
func (s *Store) writeStamped(ctx context.Context, op string, steps []step) error {
	for range stampAttempts {
		stamp, err := s.allocateStamp(ctx)
		if err != nil {
			return err
		}
		err = s.write(ctx, op, func(tx driver.ManagedTransaction) error {
			if err := claimStamp(ctx, tx, stamp); err != nil {
				return err
			}
			return runSteps(ctx, tx, steps, map[string]any{"gen": stamp})
		})
		if err == nil {
			return nil
		}
		s.abandonStamps(ctx, []int64{stamp})
		if !errors.Is(err, errStampLost) {
			return err
		}
	}
	return fmt.Errorf("neo4j %s: %w", op, errStampLost)
}

// abandonStamps marks stamps (nil: every open stamp whose lease expired)
// skipped unless their batch committed, and returns how many it changed.
// Failing here loses nothing: an open stamp is abandoned when its lease
// expires.
func (s *Store) abandonStamps(ctx context.Context, stamps []int64) int64 {
	var gens any
	if stamps != nil {
		gens = stamps
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var n int64
	err := s.write(ctx, "abandon generation stamps", func(tx driver.ManagedTransaction) error {
		res, err := tx.Run(ctx, stmt(qGenerationAbandon), map[string]any{"gens": gens})
		if err != nil {
			return err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return err
		}
		n, _ = rec.Values[0].(int64)
		return nil
	})
	if err != nil {
		s.log.Warn().Err(err).Int("stamps", len(stamps)).Msg("abandoning generation stamps failed; their lease will expire")
	}
	return n
}

// Generation returns the data generation (0 before the first batch): the
// watermark of the stamps (see the top of this file). It never waits for a
// batch: when open stamps have outlived their lease it starts abandoning
// them in the background (a writer that died must not hold the generation
// back for long) and returns the watermark as it is.
func (s *Store) Generation(ctx context.Context) (uint64, error) {
	g, expired, err := s.watermark(ctx)
	if err == nil && expired > 0 && s.reaping.CompareAndSwap(false, true) {
		s.bgMu.Lock()
		if s.closed.Load() {
			s.bgMu.Unlock()
			s.reaping.Store(false)
			return g, err
		}
		s.background.Add(1)
		s.bgMu.Unlock()
		go func() {
			defer s.background.Done()
			defer s.reaping.Store(false)
			s.abandonStamps(context.WithoutCancel(ctx), nil)
		}()
	}
	return g, err
}

// SettledGeneration is Generation after abandoning, first, the open stamps
// whose lease has expired; it waits for a batch that claimed such a stamp
// and is still writing. The watermark already counts only stamps whose
// batches have committed, and every write not yet visible is stamped above
// it.
func (s *Store) SettledGeneration(ctx context.Context) (uint64, error) {
	g, expired, err := s.watermark(ctx)
	if err != nil || expired == 0 {
		return g, err
	}
	s.abandonStamps(ctx, nil)
	g, _, err = s.watermark(ctx)
	return g, err
}

// watermark reads the last allocated stamp, then the open stamps, in that
// order, and returns the generation and how many open stamps have expired.
func (s *Store) watermark(ctx context.Context) (gen uint64, expired int64, err error) {
	err = s.read(ctx, "read generation", func(tx driver.ManagedTransaction) error {
		res, err := tx.Run(ctx, stmt(qGenerationGet), nil)
		if err != nil {
			return err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return err
		}
		last, _ := rec.Values[0].(int64)
		res, err = tx.Run(ctx, stmt(qGenerationOpen), nil)
		if err != nil {
			return err
		}
		rec, err = res.Single(ctx)
		if err != nil {
			return err
		}
		if low, ok := rec.Values[0].(int64); ok {
			last = min(last, low-1)
		}
		expired, _ = rec.Values[1].(int64)
		gen = uint64(max(last, 0))
		return nil
	})
	return gen, expired, err
}
