//go:build auditbench

package benchmarks

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"riskgraph/store"
	"riskgraph/store/auditlog"
)

// BenchmarkAuditStartup checks that traffic does not grow start-up: the
// time from starting `riskgraph serve` on the embedded store (100 000
// generated enterprises) to its first ready answer, and its RSS then, are
// measured three times; then 1 000 000 audit entries (one per request, as
// 1 M look-ups of one enterprise leave them) are written to its audit log
// and both are measured again. Before this issue the audit trail was in
// the graph's journal and 1.3 M requests made start-up 36 s and 974 MB.
//
//	RISKGRAPH_AUDIT_STARTUP_ENTERPRISES=N   data set size (default 100 000)
//	RISKGRAPH_AUDIT_STARTUP_ENTRIES=N       audit entries written (default 1 000 000)
func BenchmarkAuditStartup(b *testing.B) {
	enterprises := envInt("RISKGRAPH_AUDIT_STARTUP_ENTERPRISES", 100_000)
	entries := envInt("RISKGRAPH_AUDIT_STARTUP_ENTRIES", 1_000_000)
	tmp := b.TempDir()
	bin := filepath.Join(tmp, "riskgraph")
	if out, err := exec.Command("go", "build", "-o", bin, "riskgraph/cmd/riskgraph").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(tmp, "data")
	run := func(args ...string) *exec.Cmd {
		c := exec.Command(bin, append([]string{"--data-dir", data, "--log-format", "json"}, args...)...)
		c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "RISKGRAPH_STORE=memory"}
		return c
	}
	keys := loadForAudit(b, run, tmp, data, enterprises)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	measure := func(label string) (time.Duration, int64) {
		var times []time.Duration
		var rss []int64
		for range 3 {
			srv := run("--addr", addr, "serve")
			start := time.Now()
			if err := srv.Start(); err != nil {
				b.Fatal(err)
			}
			for deadline := start.Add(5 * time.Minute); ; {
				if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
					resp.Body.Close()
					if resp.StatusCode/100 == 2 {
						break
					}
				}
				if time.Now().After(deadline) {
					srv.Process.Kill()
					b.Fatal("serve not ready in 5 minutes")
				}
				time.Sleep(10 * time.Millisecond)
			}
			times = append(times, time.Since(start))
			rss = append(rss, rssKiB(srv.Process.Pid))
			_ = srv.Process.Signal(os.Interrupt)
			_ = srv.Wait()
		}
		slices.Sort(times)
		slices.Sort(rss)
		b.Logf("%s: ready after %v (median of %v), RSS %d KiB (median of %v)", label, times[1], times, rss[1], rss)
		return times[1], rss[1]
	}
	t0, r0 := measure("before")
	al, err := auditlog.Open(auditlog.Options{Dir: filepath.Join(data, "audit")})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Now().Add(-time.Duration(entries) * time.Millisecond)
	batch := make([]store.AuditEntry, 0, 1000)
	for i := range entries {
		at = at.Add(time.Millisecond)
		batch = append(batch, store.AuditEntry{ID: store.NewAuditID(at), Time: at.UTC(), KeyID: "k0000001", Role: "inspector",
			Method: "GET", Route: "/api/v1/enterprises/:key", Entities: []string{"enterprise:" + keys[i%len(keys)]}, Status: 200})
		if len(batch) == cap(batch) || i == entries-1 {
			if err := al.AppendAudit(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := al.Close(); err != nil {
		b.Fatal(err)
	}
	var size int64
	files, _ := filepath.Glob(filepath.Join(data, "audit", "*"))
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			size += st.Size()
		}
	}
	journal, _ := os.Stat(filepath.Join(data, "journal.rgj"))
	b.Logf("%d audit entries written: audit dir %d bytes in %d files; journal %d bytes", entries, size, len(files), journal.Size())
	t1, r1 := measure("after")
	b.ReportMetric(t0.Seconds(), "ready-before-s")
	b.ReportMetric(t1.Seconds(), "ready-after-s")
	b.ReportMetric(t1.Seconds()/t0.Seconds(), "ready-ratio")
	b.ReportMetric(float64(r0)/1024, "rss-before-MiB")
	b.ReportMetric(float64(r1)/1024, "rss-after-MiB")
	b.ReportMetric(float64(r1)/float64(r0), "rss-ratio")
	load, _ := os.ReadFile("/proc/loadavg")
	b.Logf("loadavg %s", strings.TrimSpace(string(load)))
	if t1 > t0*11/10+100*time.Millisecond || r1 > r0*11/10 {
		b.Errorf("start-up after %d audit entries: %v and %d KiB, before %v and %d KiB: more than 10 %% up", entries, t1, r1, t0, r0)
	}
}

// envInt reads a positive integer setting, def when unset or invalid.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
