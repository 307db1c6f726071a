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
type versions struct {
	s   store.Store
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	v  version
	at time.Time
}

func (vs *versions) get(ctx context.Context) (version, error) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	if !vs.at.IsZero() && vs.now().Sub(vs.at) < vs.ttl {
		return vs.v, nil
	}
	gen, err := vs.s.Generation(ctx)
	if err != nil {
		return version{}, err
	}
	run, err := latestRun(ctx, vs.s)
	if err != nil {
		return version{}, err
	}
	vs.v, vs.at = version{gen, run}, vs.now()
	return vs.v, nil
}

func (vs *versions) invalidate() {
	vs.mu.Lock()
	vs.at = time.Time{}
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
