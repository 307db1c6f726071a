package main

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"riskgraph/cache/lease"
	"riskgraph/engine"
	"riskgraph/server"
	"riskgraph/store"
)

// Redis lock that keeps API replicas sharing one Redis from running the
// engine at the same time. It holds the running run's id and expires
// runLockTTL after the last refresh, so a crashed replica frees it soon.
const (
	runLockKey = "rg:lock:engine-run"
	runLockTTL = 2 * time.Minute // renewed every third of it
)

// runTrigger starts engine runs for POST /api/v1/runs (server.RunTrigger):
// in the background, one at a time, wired like riskgraph score (engine.Score
// stages, promotes and records the run; the rankings are then published to
// Redis) and, once completed, served by /risk and /owners.
type runTrigger struct {
	jobSlot
	a *app
	s store.Store
	// lock, when set, is the cross-replica lock in Redis.
	lock *lease.Redis
	// params of every run (--run-params or the defaults); the reference
	// date is the day each run starts, China time.
	params engine.Params
	now    func() time.Time
}

var _ server.RunTrigger = (*runTrigger)(nil)

func newRunTrigger(ctx context.Context, a *app, s store.Store, r redis.UniversalClient, params engine.Params) *runTrigger {
	t := &runTrigger{jobSlot: jobSlot{ctx: ctx}, a: a, s: s, params: params, now: time.Now}
	if r != nil {
		t.lock = lease.New(r, runLockKey)
	}
	return t
}

// StartRun implements server.RunTrigger. The run is recorded as running
// before it returns, so GET /api/v1/runs/{id} finds it at once.
func (t *runTrigger) StartRun(ctx context.Context) (string, error) {
	opts, err := t.a.scoreOptions("", "")
	if err != nil {
		return "", err
	}
	opts.Params = t.params
	started := t.now()
	id := "run-" + started.UTC().Format("20060102T150405.000Z")
	locked := false
	register := func() (string, error) {
		if t.lock != nil {
			ok, err := t.lock.Acquire(ctx, id, runLockTTL)
			switch {
			case err != nil:
				// Redis down: this replica still runs one at a time.
				t.a.log.Warn().Err(err).Msg("engine run lock: Redis does not answer; guarding this process only")
			case !ok:
				holder, _ := t.lock.Holder(ctx)
				return holder, server.ErrRunInProgress
			default:
				locked = true
			}
		}
		if err := t.s.SaveRun(ctx, store.Run{ID: id, Started: started, Status: store.RunRunning}); err != nil {
			if locked {
				_ = t.lock.Release(context.WithoutCancel(ctx), id)
			}
			return "", err
		}
		return id, nil
	}
	return t.start(server.ErrRunInProgress, register, func(id string) { t.run(id, started, opts, locked) })
}

// run scores in the background.
func (t *runTrigger) run(id string, started time.Time, opts engine.Options, locked bool) {
	if locked {
		stopRefresh := lease.Keep(t.lock, id, runLockTTL, func(err error) {
			t.a.log.Warn().Err(err).Str("run", id).Msg("engine run lock lost: another replica may start a run meanwhile")
		})
		defer func() {
			stopRefresh()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = t.lock.Release(ctx, id)
			cancel()
		}()
	}
	log := t.a.log.With().Str("run", id).Logger()
	log.Info().Str("today", opts.Today.String()).Str("trigger", "api").Msg("scoring")
	ps := &publishFirst{Store: t.s, id: id}
	res, run, err := engine.Score(t.ctx, ps, opts, id, t.now)
	if err == nil && ps.completed != nil {
		// Serve the result first, then say the run is completed: whoever
		// polls GET /runs/{id} (riskgraph score through the socket) and then
		// asks /risk gets this run.
		t.a.latest.Set(res)
		err = t.s.SaveRun(context.WithoutCancel(t.ctx), *ps.completed)
		if err == nil {
			t.a.runCompleted(t.ctx) // the other replicas reload it
		}
	}
	if err != nil {
		log.Error().Err(err).Msg("scoring failed; the previous results stay visible")
		// engine.Score records its failures, except those before or while it
		// first saves the run: never leave the run "running" in the history.
		recordFailure(t.s.Run, t.s.SaveRun, id, started, t.now(), err)
		return
	}
	log.Info().Int("iterations", res.Iterations).Dur("took", run.Finished.Sub(run.Started)).Msg("scored")
	t.a.publishRanking(t.ctx, t.s)
}

// publishFirst is the store a triggered run scores on: it holds back the
// record of run id as completed (engine.Score's last write) for the
// trigger to save once the server serves the result.
type publishFirst struct {
	store.Store
	id        string
	completed *store.Run
}

var _ store.Store = (*publishFirst)(nil)

func (p *publishFirst) SaveRun(ctx context.Context, r store.Run) error {
	if r.ID == p.id && r.Status == store.RunCompleted {
		p.completed = &r
		return nil
	}
	return p.Store.SaveRun(ctx, r)
}
