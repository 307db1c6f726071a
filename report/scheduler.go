package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/cache/lease"

	"riskgraph/store"
)

// ErrLockLost: the job's lease expired or was taken; it stopped without publishing.
var ErrLockLost = errors.New("report: scheduler lock lost")

// Scheduler runs the report job at the times of its cron schedules, once
// across replicas: each due time has one run id ("run-" + the time, UTC),
// which is the lock's fencing token; the replica that takes the lock runs
// the job, renewing the lease every Lease/3, and the others skip. A replica
// that dies stops renewing and its lease expires before the next schedule.
type Scheduler struct {
	Schedules []*Schedule
	Zone      *time.Location // default Asia/Shanghai
	Job       *Job
	Lock      lease.Locker
	Lease     time.Duration // default 1 min
	Log       zerolog.Logger
	Now       func() time.Time
	// Wait sleeps until t or ctx ends (tests pass a fake).
	Wait func(ctx context.Context, t time.Time) error
}

// Shanghai is the default time zone of schedules.
func Shanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600) // no zoneinfo: China has no DST
}

func (s *Scheduler) defaults() {
	if s.Zone == nil {
		s.Zone = Shanghai()
	}
	if s.Lease <= 0 {
		s.Lease = time.Minute
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Wait == nil {
		s.Wait = func(ctx context.Context, t time.Time) error {
			tm := time.NewTimer(time.Until(t))
			defer tm.Stop()
			select {
			case <-tm.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// Next returns the next due time after t over all schedules.
func (s *Scheduler) Next(t time.Time) time.Time {
	s.defaults()
	var next time.Time
	for _, sc := range s.Schedules {
		if n := sc.Next(t.In(s.Zone)); !n.IsZero() && (next.IsZero() || n.Before(next)) {
			next = n
		}
	}
	return next
}

// Run runs due jobs until ctx ends. Failures are logged; the next schedule
// runs regardless.
func (s *Scheduler) Run(ctx context.Context) error {
	s.defaults()
	for {
		next := s.Next(s.Now())
		if next.IsZero() {
			return errors.New("report scheduler: no schedule has a next time")
		}
		s.Log.Info().Time("next", next).Msg("report scheduler: next run")
		if err := s.Wait(ctx, next); err != nil {
			return nil
		}
		if _, err := s.Tick(ctx, next); err != nil {
			s.Log.Error().Err(err).Time("due", next).Msg("report scheduler: run failed")
		}
	}
}

// RunID is the run id of the job due at t.
func RunID(t time.Time) string { return "run-" + t.UTC().Format("20060102T1504Z") }

// Tick runs the job due at due if this replica gets the lock and no
// replica ran it yet; ran says whether it did.
func (s *Scheduler) Tick(ctx context.Context, due time.Time) (ran bool, err error) {
	s.defaults()
	token := RunID(due)
	ok, err := s.Lock.Acquire(ctx, token, s.Lease)
	if err != nil || !ok {
		if err == nil {
			s.Log.Info().Str("run", token).Msg("report scheduler: another replica holds the lock; skipping")
		}
		return false, err
	}
	// Released on every exit, failure included; only while still ours.
	defer func() {
		if rerr := s.Lock.Release(context.WithoutCancel(ctx), token); rerr != nil {
			s.Log.Warn().Err(rerr).Str("run", token).Msg("report scheduler: lock not released; it expires with its lease")
		}
	}()
	if _, err := s.Job.Store.Run(ctx, token); err == nil {
		s.Log.Info().Str("run", token).Msg("report scheduler: already run by another replica; skipping")
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopKeeping := lease.Keep(s.Lock, token, s.Lease, func(error) { cancel(ErrLockLost) }) // lose it → stop the job
	fence := func(ctx context.Context) error {
		held, err := s.Lock.Held(ctx, token)
		if err != nil {
			return fmt.Errorf("report: fence check: %w", err)
		}
		if !held {
			return ErrLockLost
		}
		return nil
	}
	_, err = s.Job.Run(jobCtx, token, fence)
	stopKeeping()
	if c := context.Cause(jobCtx); errors.Is(c, ErrLockLost) {
		err = ErrLockLost
	}
	return true, err
}
