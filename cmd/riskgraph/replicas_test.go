package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"riskgraph/auth"
	"riskgraph/cache/redistest"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/report"
	"riskgraph/store"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/synth"
)

const replicaPIDKey = "replicas-test-pid-key-0123456789"

// startReplica starts serve on the shared Neo4j and the Redis at redisURL,
// with a data dir (audit log) of its own, and waits until it answers.
func startReplica(t *testing.T, redisURL string, extra ...string) *serving {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"--store", "neo4j", "--data-dir", t.TempDir(), "--addr", addr, "--log-format", "json", "serve"}, extra...)
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "RISKGRAPH_STORE=neo4j",
		"NEO4J_URI=" + neo4jtest.Options(t).URI, "NEO4J_USER=" + os.Getenv("NEO4J_USER"), "NEO4J_PASSWORD=" + os.Getenv("NEO4J_PASSWORD"),
		"NEO4J_DATABASE=" + os.Getenv("NEO4J_DATABASE"), "REDIS_URL=" + redisURL, "RISKGRAPH_PID_KEY=" + replicaPIDKey}
	sv := &serving{cmd: cmd, base: "http://" + addr, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = sv.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { sv.exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	for i := 0; ; i++ {
		select {
		case err := <-sv.exited:
			t.Fatalf("serve exited before answering: %v\n%s", err, sv.stderr.String())
		default:
		}
		if resp, err := http.Get(sv.base + "/healthz"); err == nil {
			resp.Body.Close()
			return sv
		}
		if i == 600 {
			t.Fatalf("serve did not answer within 60 s:\n%s", sv.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTwoReplicas runs two serve processes on one Neo4j and one Redis (the
// single server, then the cluster), both with a report schedule of every
// minute, and checks that together they behave as one:
//   - a write through A is not served stale by B (A's invalidation message);
//   - after a run started on A both rank the latest run alike, published
//     once to Redis;
//   - B, started before any run, answers /risk from the run made on A (A's
//     announcement makes B reload the result), the score A stored;
//   - each scheduled report is made once (the scheduler's lock): one run and
//     one report for the due minute, and one replica says it skipped.
func TestTwoReplicas(t *testing.T) {
	for _, srv := range redistest.Servers {
		t.Run(srv.Name, func(t *testing.T) {
			r := srv.Open(t) // skip, or fail under CI, when that Redis is missing
			url := redistest.URL()
			if srv.Name == "cluster" {
				url = redistest.ClusterURL()
			}
			testTwoReplicas(t, url, r.Client())
		})
	}
}

func testTwoReplicas(t *testing.T, redisURL string, rc redis.UniversalClient) {
	ctx := context.Background()
	st := neo4jtest.Open(t) // an empty database, held by this test process
	dir := t.TempDir()
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: 150, Seed: 7, Out: dir}); err != nil {
		t.Fatal(err)
	}
	h, _ := models.NewPIDHasher([]byte(replicaPIDKey))
	if _, err := ingest.LoadDir(ctx, dir, st, ingest.LoadOptions{Hasher: h, Source: "t", Logger: zerolog.Nop()}); err != nil {
		t.Fatal(err)
	}
	keys := map[auth.Role]string{}
	for _, role := range []auth.Role{auth.Admin, auth.Inspector, auth.Writer} {
		key, id, err := auth.NewKey()
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveKey(ctx, store.APIKey{ID: id, Name: string(role), Role: string(role), Hash: auth.Hash(key), Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		keys[role] = key
	}
	var ent string
	for _, k := range enterpriseKeys(t, dir+"/enterprises.csv") {
		if k != "" {
			ent = k
			break
		}
	}

	a := startReplica(t, redisURL, "--report-schedule", "* * * * *")
	b := startReplica(t, redisURL, "--report-schedule", "* * * * *")
	defer func() {
		if t.Failed() {
			t.Logf("A's log:\n%s\nB's log:\n%s", a.stderr.String(), b.stderr.String())
		}
	}()

	// A run, started on A; both rank alike afterwards.
	code, body := a.do(t, "POST", "/api/v1/runs", keys[auth.Admin])
	runID, _ := body["run"].(string)
	if code != 202 || runID == "" {
		t.Fatalf("POST /runs on A: %d %v", code, body)
	}
	for i := 0; ; i++ {
		_, run := a.do(t, "GET", "/api/v1/runs/"+runID, keys[auth.Admin])
		if run["status"] == "completed" {
			break
		}
		if run["status"] == "failed" || i == 600 {
			t.Fatalf("run on A: %v", run)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Both answer the latest completed run (the POST's, or a scheduled one
	// that came after it) alike, and its ranking is in Redis, published
	// once for both. (Whether an answer says source redis or store depends
	// on whether it was cached before the publish.)
	ranking := func(sv *serving) (string, any) {
		_, body := sv.do(t, "GET", "/api/v1/ranking?limit=20", keys[auth.Inspector])
		r, _ := body["ranking"].(map[string]any)
		return fmt.Sprint(body["run"]), r["items"]
	}
	for i := 0; ; i++ {
		runA, topA := ranking(a)
		runB, topB := ranking(b)
		ready, _ := rc.Exists(ctx, "rg:rank:{"+runA+"}:ready").Result()
		if runA == runB && runA >= runID && ready == 1 {
			if items, _ := topA.([]any); len(items) == 0 || !reflect.DeepEqual(topA, topB) {
				t.Fatalf("the replicas rank run %s differently:\nA %v\nB %v", runA, topA, topB)
			}
			break
		}
		if i == 300 {
			t.Fatalf("rankings after run %s: A %s, B %s, published %d", runID, runA, runB, ready)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// B had no engine result (no run before it started): A's announcement
	// makes it reload one, so its /risk answers the stored result. Only B
	// is asked, so no answer of A's can come from the shared cache; B's log
	// says it reloaded (or that its own scheduled run came first).
	for i := 0; ; i++ {
		code, body := b.do(t, "GET", "/api/v1/enterprises/"+ent+"/risk", keys[auth.Inspector])
		log := b.stderr.String()
		if code == 200 && (strings.Contains(log, "engine result reloaded") || strings.Contains(log, "engine result not reloaded")) {
			stored, _ := body["stored"].(map[string]any)
			score, _ := body["score"].(float64)
			want, _ := stored["score"].(float64)
			if stored == nil || math.Abs(score-want) > 1e-6 || fmt.Sprint(stored["run"]) < runID {
				t.Fatalf("B's /risk after the run on A: score %v, stored %v (run %s)", score, stored, runID)
			}
			t.Logf("B answered /risk from the run made on A after %d polls", i)
			break
		}
		if code != 503 && code != 200 || i == 600 {
			t.Fatalf("B's /risk after the run %s on A: %d %v (B never reloaded the result)", runID, code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A write through A, read through B.
	name := func(sv *serving) string {
		code, body := sv.do(t, "GET", "/api/v1/enterprises/"+ent, keys[auth.Inspector])
		if code != 200 {
			t.Fatalf("GET enterprise: %d %v", code, body)
		}
		e, _ := body["enterprise"].(map[string]any)
		return fmt.Sprint(e["name"])
	}
	name(b)
	cachedAt := time.Now()
	name(b) // B now answers from its caches, under a version it trusts for 1 s
	const renamed = "双副本测试更名有限公司"
	req, _ := http.NewRequest("POST", a.base+"/api/v1/ingest/enterprises?source=replicas", strings.NewReader("uscc,name\n"+ent+","+renamed+"\n"))
	req.Header.Set("Authorization", "Bearer "+keys[auth.Writer])
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("ingest through A: %v %v", resp, err)
	}
	resp.Body.Close()
	// A stale answer comes from B's caches at once; the fresh one takes a
	// store query. What counts is when the first fresh read started.
	written := time.Now()
	for {
		started := time.Since(written)
		if started > 300*time.Millisecond {
			t.Fatalf("B answered the old name to every read started within %v of the write through A returning", started)
		}
		if name(b) == renamed {
			t.Logf("B answered the new name to a read started %v after A's write returned (%v after B cached the old one; without A's message B would have answered from its caches for 1 s after)",
				started, written.Sub(cachedAt))
			break
		}
		time.Sleep(5 * time.Millisecond)
	}

	// The scheduled report of the next minute: made once.
	due := time.Now().Truncate(time.Minute).Add(time.Minute)
	id := report.RunID(due)
	t.Logf("waiting for the scheduled report %s (%v)", id, time.Until(due).Round(time.Second))
	for {
		if run, err := st.Run(ctx, id); err == nil && run.Status == store.RunCompleted {
			break
		}
		if time.Since(due) > 90*time.Second {
			t.Fatalf("no completed scheduled run %s 90 s after it was due", id)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for i := 0; ; i++ { // the replica that skipped says so
		skipped := 0
		for _, sv := range []*serving{a, b} {
			for _, line := range strings.Split(sv.stderr.String(), "\n") {
				if strings.Contains(line, id) && strings.Contains(line, "skipping") {
					skipped++
					break
				}
			}
		}
		if skipped == 1 {
			break
		}
		if skipped > 1 || i == 100 {
			t.Fatalf("%d replicas say they skipped %s, want 1", skipped, id)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The run is recorded completed before its report is rendered and
	// saved: wait for the report (a loaded machine takes seconds), then
	// make sure a second one does not follow.
	made := 0
	var seen time.Time // when the first report appeared
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		reps, err := st.Reports(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		made = 0
		for _, r := range reps {
			if r.Run == id {
				made++
			}
		}
		if made == 1 && seen.IsZero() {
			seen = time.Now()
		}
		if made > 1 || made == 1 && time.Since(seen) > 3*time.Second {
			break
		}
	}
	if made != 1 {
		t.Errorf("%d reports for the scheduled run %s, want 1", made, id)
	}
	a.stop(t)
	b.stop(t)
}
