package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"riskgraph/store"
)

// jobSlot runs one background job at a time in this process, on the
// server's lifetime context: the engine runs of POST /api/v1/runs and the
// xref runs of POST /api/v1/xref.
type jobSlot struct {
	ctx context.Context // the server's lifetime: a job is cancelled with it
	// hold, when set (tests), is waited for after a job is registered and
	// before it works.
	hold chan struct{}

	mu      sync.Mutex
	running string
	wg      sync.WaitGroup
}

// start registers a job and runs work in the background. When a job is
// already running it returns that job's id and inProgress; while the
// server shuts down, an ErrUnavailable error. register runs with the slot
// held and returns the new job's id (recorded as running, so that a GET
// finds it at once) or an error, and then nothing runs.
func (j *jobSlot) start(inProgress error, register func() (string, error), work func(id string)) (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.running != "" {
		return j.running, inProgress
	}
	if err := j.ctx.Err(); err != nil {
		return "", fmt.Errorf("%w: the server is shutting down", store.ErrUnavailable)
	}
	id, err := register()
	if err != nil {
		return id, err
	}
	j.running = id
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		defer func() {
			j.mu.Lock()
			j.running = ""
			j.mu.Unlock()
		}()
		if j.hold != nil {
			select {
			case <-j.hold:
			case <-j.ctx.Done():
			}
		}
		work(id)
	}()
	return id, nil
}

// wait blocks until the background job, if any, has ended.
func (j *jobSlot) wait() { j.wg.Wait() }

// recordFailure records a failed job as failed unless its record already
// says how it ended: a job is never left "running" in the history.
func recordFailure(get func(context.Context, string) (store.Run, error), save func(context.Context, store.Run) error,
	id string, started, finished time.Time, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if r, err := get(ctx, id); err != nil || r.Status == store.RunRunning {
		_ = save(ctx, store.Run{ID: id, Started: started, Finished: finished, Status: store.RunFailed, Error: cause.Error()})
	}
}
