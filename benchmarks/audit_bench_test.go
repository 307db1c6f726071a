//go:build auditbench

package benchmarks

// BenchmarkAuditLoad measures the audit log under the load of issue 13: a
// `riskgraph serve` process on the embedded store, 32 connections sending
// enterprises:batch requests of 1 000 keys unpaced for 60 s (loopback,
// same machine). It counts the answers and the audit entries (each request
// carries one unique key), and samples the server's RSS from /proc every
// 250 ms. The store holds a generated data set of auditBenchEnterprises
// enterprises, and 999 of each request's keys are theirs: every look-up
// finds and renders an enterprise, as an inspector's batch does. It fails when an answered request has no entry. Run it with
// benchmarks/audit.sh (make bench runs it); figures in RESULTS.md.
//
//	RISKGRAPH_AUDIT_BENCH_SECONDS=N   load duration (default 60)

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"riskgraph/benchmarks/auditload"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

func rssKiB(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func BenchmarkAuditLoad(b *testing.B) {
	secs := 60
	if n, err := strconv.Atoi(os.Getenv("RISKGRAPH_AUDIT_BENCH_SECONDS")); err == nil && n > 0 {
		secs = n
	}
	tmp := b.TempDir()
	bin := filepath.Join(tmp, "riskgraph")
	if out, err := exec.Command("go", "build", "-o", bin, "riskgraph/cmd/riskgraph").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(tmp, "data")
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "RISKGRAPH_STORE=memory"}
	run := func(args ...string) *exec.Cmd {
		c := exec.Command(bin, append([]string{"--data-dir", data, "--log-format", "json"}, args...)...)
		c.Env = env
		return c
	}
	out, err := run("keys", "create", "--role", "inspector", "--name", "bench").Output()
	if err != nil {
		b.Fatalf("keys create: %v %s", err, out)
	}
	m := regexp.MustCompile(`key:\s+(rgk_\S+)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("keys create: %q", out)
	}
	key := string(m[1])
	fill := loadForAudit(b, run, tmp, data, auditBenchEnterprises)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for i := 0; i < b.N; i++ {
		srv := run("--addr", addr, "serve", "--rate-limit", "-1")
		var logs bytes.Buffer
		srv.Stderr = &logs
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				srv.Process.Kill()
				b.Fatalf("serve not ready:\n%s", logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		rssStart := rssKiB(srv.Process.Pid)
		var peak atomic.Int64
		stopSampling := make(chan struct{})
		go func() {
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopSampling:
					return
				case <-t.C:
					if r := rssKiB(srv.Process.Pid); r > peak.Load() {
						peak.Store(r)
					}
				}
			}
		}()
		b.ResetTimer()
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs)*time.Second)
		res := auditload.Fire(ctx, "http://"+addr, key, 32, 1000, fill)
		cancel()
		b.StopTimer()
		close(stopSampling)
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
		audited, entries, err := auditload.Audited(filepath.Join(data, "audit"))
		if err != nil {
			b.Fatal(err)
		}
		missing := 0
		for _, mk := range res.Answered2xx {
			if !audited[mk] {
				missing++
			}
		}
		var size int64
		files, _ := filepath.Glob(filepath.Join(data, "audit", "*"))
		for _, f := range files {
			if st, err := os.Stat(f); err == nil {
				size += st.Size()
			}
		}
		sec := res.Elapsed.Seconds()
		b.ReportMetric(float64(len(res.Answered2xx))/sec, "answered2xx/s")
		b.ReportMetric(float64(entries)/sec, "entries/s")
		b.ReportMetric(float64(missing), "dropped")
		b.ReportMetric(float64(res.Statuses[503]), "503s")
		b.ReportMetric(float64(peak.Load())/1024, "peakRSS-MiB")
		b.ReportMetric(float64(rssStart)/1024, "startRSS-MiB")
		b.ReportMetric(float64(size)/(1<<20), "auditdir-MiB")
		load, _ := os.ReadFile("/proc/loadavg")
		b.Logf("%d s: sent %d, statuses %v, transport errors %d; %d entries; dropped %d; RSS %d → peak %d KiB; audit dir %d bytes; loadavg %s",
			secs, res.Sent, res.Statuses, res.Errors, entries, missing, rssStart, peak.Load(), size, strings.TrimSpace(string(load)))
		if missing > 0 {
			b.Errorf("%d answered requests have no audit entry", missing)
		}
		if res.Errors > 0 {
			b.Errorf("%d requests got no answer", res.Errors)
		}
	}
}

// auditBenchEnterprises is the size of the data set the audit benchmarks load.
const auditBenchEnterprises = 10_000

// loadForAudit generates and ingests n enterprises into data with the
// binary and returns the keys of the enterprises the store holds.
func loadForAudit(b *testing.B, run func(...string) *exec.Cmd, tmp, data string, n int) []string {
	b.Helper()
	gen := filepath.Join(tmp, "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 13, Out: gen}); err != nil {
		b.Fatal(err)
	}
	if out, err := run("ingest", "--source", "bench", gen).CombinedOutput(); err != nil {
		b.Fatalf("ingest: %v\n%s", err, out)
	}
	s, err := memory.Open(memory.Options{DataDir: data, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var keys []string
	err = s.Scan(context.Background(), 5000, func(bt *store.Batch) error {
		for _, e := range bt.Enterprises {
			if !e.Placeholder {
				keys = append(keys, e.Key)
			}
		}
		return nil
	})
	if err != nil || len(keys) < n/2 {
		b.Fatalf("enterprises loaded: %d, %v", len(keys), err)
	}
	return keys
}
