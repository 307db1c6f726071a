package server

import (
	"testing"
	"time"

	"riskgraph/engine"
)

// TestAdviseHugePagesFollowsTheLatestResult: the arrays advised for huge
// pages are those of the latest result /risk explained with; a result
// replaced while an earlier change waited is skipped, not advised after
// the newer one (which would leave the newer one's neighbour advised and
// the older one's memory so for good).
func TestAdviseHugePagesFollowsTheLatestResult(t *testing.T) {
	a := &API{}
	r1 := &engine.Result{Score: make([]float64, 3<<20/8)}
	r2 := &engine.Result{Score: make([]float64, 3<<20/8)}
	r3 := &engine.Result{Score: make([]float64, 3<<20/8)}
	settled := func(want *engine.Result) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			a.adviseMu.Lock()
			cur := a.adviseCur
			a.adviseMu.Unlock()
			if cur == want {
				return
			}
		}
		t.Fatalf("the advised result is not the latest")
	}
	a.adviseHugePages(r1)
	a.adviseHugePages(r1) // the same result again: nothing to change
	settled(r1)
	// r2 and r3 come while the change to r2 cannot run yet: r3 ends up advised.
	a.adviseMu.Lock()
	a.adviseHugePages(r2)
	a.adviseHugePages(r3)
	a.adviseMu.Unlock()
	settled(r3)
	time.Sleep(20 * time.Millisecond) // let r2's goroutine run: it must not take over
	a.adviseMu.Lock()
	defer a.adviseMu.Unlock()
	if a.adviseCur != r3 || a.advised.Load() != r3 {
		t.Fatal("a result replaced before its turn was advised after the newer one")
	}
}
