package server

import (
	"context"
	"sync"
	"time"

	"riskgraph/store"
)

// version names the data a cached answer was computed from: the store's
// data generation and the latest completed engine run. Both go into every
// response-cache key, so a new batch or run makes old entries unreachable.
type version struct {
	gen uint64
	run string
}

// versions remembers the current version for ttl, so that a cache hit
// costs no store query. Writes through this API invalidate it at once;
// writes by other processes are seen within ttl.
//
// The version is read again in the background once it is half ttl old,
// while requests go on with the one known: under load the two store
// queries take tens of milliseconds, and every request that arrived
// meanwhile used to wait for them once per ttl (the p99 of the uncached
// answers, benchmarks/RESULTS.md "wt-api"). A version counts as read when
// its queries started, so the bound holds: what was committed before a
// version's reading started is in it, and no version older than ttl is
// used. Only a version invalidated, never read, or whose background
// reading failed or took longer than half ttl is read on the request's
// path, as before.
type versions struct {
	s   store.Store
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	v  version
	at time.Time // when the reading of v started; zero: none, or invalidated
	// epoch counts invalidations: a background reading begun before one
	// is not installed (it may predate the write that invalidated).
	epoch      uint64
	refreshing bool
}

func (vs *versions) get(ctx context.Context) (version, error) {
	vs.mu.Lock()
	now := vs.now()
	if age := now.Sub(vs.at); !vs.at.IsZero() && age < vs.ttl {
		v := vs.v
		if age >= vs.ttl/2 && !vs.refreshing {
			vs.refreshing = true
			go vs.refresh(vs.epoch, now)
		}
		vs.mu.Unlock()
		return v, nil
	}
	defer vs.mu.Unlock()
	v, err := vs.read(ctx)
	if err != nil {
		return version{}, err
	}
	vs.v, vs.at = v, now
	return v, nil
}

// refresh reads the version in the background and installs it as of
// start, a time before the reading, unless an invalidation came meanwhile
// or a newer reading was installed.
func (vs *versions) refresh(epoch uint64, start time.Time) {
	v, err := vs.read(context.Background())
	vs.mu.Lock()
	defer vs.mu.Unlock()
	vs.refreshing = false
	if err != nil || epoch != vs.epoch || !start.After(vs.at) {
		return
	}
	vs.v, vs.at = v, start
}

// read asks the store for the version.
func (vs *versions) read(ctx context.Context) (version, error) {
	gen, err := vs.s.Generation(ctx)
	if err != nil {
		return version{}, err
	}
	run, err := latestRun(ctx, vs.s)
	if err != nil {
		return version{}, err
	}
	return version{gen, run}, nil
}

func (vs *versions) invalidate() {
	vs.mu.Lock()
	vs.at = time.Time{}
	vs.epoch++
	vs.mu.Unlock()
}

// latestRun is the id of the newest completed engine run, or "".
func latestRun(ctx context.Context, s store.RunStore) (string, error) {
	runs, err := s.Runs(ctx, 50)
	if err != nil {
		return "", err
	}
	for _, r := range runs {
		if r.Status == store.RunCompleted {
			return r.ID, nil
		}
	}
	return "", nil
}
