// Package auditload drives a running `riskgraph serve` with unpaced
// enterprises:batch requests and checks them against its audit log: the
// audit load benchmark (benchmarks/audit_bench_test.go) and the kill -9
// test of cmd/riskgraph both use it.
package auditload

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"riskgraph/store"
	"riskgraph/store/auditlog"
)

// Route is the audited route of the requests.
const Route = "/api/v1/enterprises:batch"

// MarkerPrefix starts the one key in each request that no other request
// sends, so its audit entry can be found: enterprise:src:auditload:<conn>-<n>.
const MarkerPrefix = "enterprise:src:auditload:"

// Result counts what the load got.
type Result struct {
	Sent     int
	Statuses map[int]int
	Errors   int // transport errors (no answer)
	// Answered2xx are the markers of requests answered 2xx.
	Answered2xx []string
	Elapsed     time.Duration
}

// Fire sends requests of keys keys each from conns connections until ctx
// ends, each with a unique marker key and keys-1 fillers: taken in turn
// from fill (keys of enterprises in the store, so that every look-up
// finds and renders one), or, when fill is empty, source keys the store
// does not hold.
func Fire(ctx context.Context, base, apiKey string, conns, keys int, fill []string) Result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	defer tr.CloseIdleConnections()
	fillers := make([]string, max(1, len(fill)/(keys-1)))
	for f := range fillers {
		var b strings.Builder
		for i := 1; i < keys; i++ {
			if len(fill) > 0 {
				k, _ := json.Marshal(fill[(f*(keys-1)+i)%len(fill)])
				fmt.Fprintf(&b, ",%s", k)
			} else {
				fmt.Fprintf(&b, `,"src:auditfill:%d"`, i)
			}
		}
		fillers[f] = b.String()
	}
	var mu sync.Mutex
	res := Result{Statuses: map[int]int{}}
	start := time.Now()
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				marker := fmt.Sprintf("auditload:%d-%d", c, n)
				body := `{"keys":["src:` + marker + `"` + fillers[(c+n)%len(fillers)] + `]}`
				req, _ := http.NewRequestWithContext(ctx, "POST", base+Route, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+apiKey)
				resp, err := client.Do(req)
				status := 0
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				mu.Lock()
				res.Sent++
				if err != nil {
					if ctx.Err() == nil {
						res.Errors++
					}
				} else {
					res.Statuses[status]++
					if status/100 == 2 {
						res.Answered2xx = append(res.Answered2xx, "enterprise:src:"+marker)
					}
				}
				mu.Unlock()
				if err != nil && ctx.Err() == nil {
					time.Sleep(10 * time.Millisecond) // server gone: do not spin
				}
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}

// Audited reads the audit log in dir and returns the load's markers it
// holds, and the number of load entries (one per audited request).
func Audited(dir string) (markers map[string]bool, entries int, err error) {
	markers = map[string]bool{}
	prefix := []byte(MarkerPrefix)
	err = auditlog.Each(dir, func(e *store.AuditEntry) error {
		if e.Route != Route {
			return nil
		}
		for _, ent := range e.Entities {
			if bytes.HasPrefix([]byte(ent), prefix) {
				if !markers[ent] {
					entries++
				}
				markers[ent] = true
				break
			}
		}
		return nil
	})
	return markers, entries, err
}
