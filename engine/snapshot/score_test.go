package snapshot_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/engine"
	"riskgraph/engine/snapshot"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/synth"
)

func loadSynth(t *testing.T, st ingest.Writer, n int) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 3, Out: dir}); err != nil {
		t.Fatal(err)
	}
	h, _ := models.NewPIDHasher([]byte("snapshot-test-pid-key-0123456789"))
	if _, err := ingest.LoadDir(ctx, dir, st, ingest.LoadOptions{Hasher: h, Source: "test", BatchSize: 1000, Logger: zerolog.Nop()}); err != nil {
		t.Fatal(err)
	}
}

// ticks makes clock advance a second per call: the engine finds the
// store's last completed run by its start time.
var ticks int

func clock() time.Time {
	ticks++
	return time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC).Add(time.Duration(ticks) * time.Second)
}

func options(path string) engine.Options {
	return engine.Options{Params: engine.DefaultParams(), Today: synth.DefaultReferenceDate(), Snapshot: path}
}

// outcome is an entity's result as the run wrote it.
type outcome struct {
	score float64
	grade string
	flags []string
}

func outcomes(r *engine.Result) map[models.Ref]outcome {
	g := r.Graph
	out := map[models.Ref]outcome{}
	for v := range int32(g.N()) {
		if g.IsEntity(v) {
			out[g.Ref(v)] = outcome{r.Score[v], r.Grade[v], r.Flags.KindsOf(v)}
		}
	}
	return out
}

// sameOutcomes fails unless a and b give every entity the same grade and
// flags and scores within tol.
func sameOutcomes(t *testing.T, a, b map[models.Ref]outcome, tol float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%d entities, want %d", len(a), len(b))
	}
	bad := 0
	for ref, x := range b {
		y, ok := a[ref]
		switch {
		case !ok:
			t.Errorf("%s: no result", ref)
		case math.Abs(x.score-y.score) > tol || x.grade != y.grade || !slices.Equal(x.flags, y.flags):
			t.Errorf("%s: score %.12f grade %s flags %v; the full run's %.12f %s %v", ref, y.score, y.grade, y.flags, x.score, x.grade, x.flags)
		default:
			continue
		}
		if bad++; bad > 10 {
			t.Fatal("more differences left out")
		}
	}
}

// daily writes about 1 % of the graph anew: records on existing
// enterprises, a changed status, a new enterprise held by an existing
// person and sharing an address, a new officer and a relation.
func daily(t *testing.T, st store.Writer, prev *engine.Result) {
	t.Helper()
	g := prev.Graph
	var ents, pers []models.Ref
	for v := range int32(g.N()) {
		switch g.Kinds[v] {
		case engine.NodeEnterprise:
			ents = append(ents, g.Ref(v))
		case engine.NodePerson:
			pers = append(pers, g.Ref(v))
		}
	}
	b := &store.Batch{}
	for i := 0; i < len(ents); i += 100 {
		b.Records = append(b.Records, models.Record{ID: "daily-" + ents[i].Key, Subject: ents[i], Kind: models.RecordSeriousViolation,
			Severity: 0.9, Decided: models.NewDate(2025, 6, 1)})
	}
	b.Enterprises = append(b.Enterprises,
		models.Enterprise{Key: ents[7].Key, Name: "状态变更", Status: models.StatusRevoked},
		models.Enterprise{Key: "src:daily:new", Name: "新设企业", Status: models.StatusActive, Address: "新地址一号"},
		models.Enterprise{Key: "src:daily:new2", Name: "新设企业二", Status: models.StatusActive, Address: "新地址一号"})
	b.Shareholdings = append(b.Shareholdings,
		models.Shareholding{Holder: pers[3], Enterprise: "src:daily:new", Ratio: 0.8},
		models.Shareholding{Holder: models.EnterpriseRef("src:daily:new"), Enterprise: ents[11].Key, Ratio: 0.6})
	b.Roles = append(b.Roles, models.Role{Person: pers[5].Key, Enterprise: ents[13].Key, Kind: models.RoleOfficer, Title: "director"})
	b.Relations = append(b.Relations, models.Relation{A: pers[5].Key, B: pers[3].Key, Kind: models.RelationSpouse})
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
}

// scoreFromSnapshot: a run from the snapshot plus the day's changes gives
// every entity the result a full run gives (exactly up to the propagation
// tolerance; an incremental run within its bound).
func scoreFromSnapshot(t *testing.T, st engine.ScoreStore, w store.Writer) {
	path := filepath.Join(t.TempDir(), "projection.snap")
	r1, _, err := engine.Score(ctx, st, options(path), "run-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r1.Snapshot; s == nil || s.Used || !s.Saved || !strings.Contains(s.Rebuilt, "no snapshot") {
		t.Fatalf("first run: snapshot %+v; want rebuilt (none yet) and saved", s)
	}
	daily(t, w, r1)
	r2, _, err := engine.Score(ctx, st, options(path), "run-2", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r2.Snapshot; s == nil || !s.Used || s.Changes == 0 || !s.Saved {
		t.Fatalf("second run: snapshot %+v; want used, with changes, saved", s)
	}
	full := options("")
	r3, _, err := engine.Score(ctx, st, full, "run-3", clock)
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r2), outcomes(r3), 1e-12)
	if r2.Graph.N() != r3.Graph.N() || len(r2.Graph.Edges) != len(r3.Graph.Edges) || len(r2.Graph.Records) != len(r3.Graph.Records) {
		t.Errorf("snapshot projection: %d nodes, %d edges, %d records; full: %d, %d, %d", r2.Graph.N(), len(r2.Graph.Edges),
			len(r2.Graph.Records), r3.Graph.N(), len(r3.Graph.Edges), len(r3.Graph.Records))
	}

	// Run 3 scored without the snapshot: it no longer holds the store's
	// results, so the next run rebuilds it; the one after uses it, and an
	// incremental run from it agrees with a full one within its bound.
	r4, _, err := engine.Score(ctx, st, options(path), "run-4", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r4.Snapshot; s.Used || !strings.Contains(s.Rebuilt, "run-2") {
		t.Errorf("after a run without it: snapshot %+v; want rebuilt (it holds run-2's results)", s)
	}
	daily2 := &store.Batch{Records: []models.Record{{ID: "daily2", Subject: r4.Graph.Ref(0), Kind: models.RecordBlacklist, Severity: 1, Decided: models.NewDate(2025, 7, 1)}}}
	if err := w.WriteBatch(ctx, daily2); err != nil {
		t.Fatal(err)
	}
	inc := options(path)
	inc.Incremental = true
	r5, _, err := engine.Score(ctx, st, inc, "run-5", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r5.Snapshot; !s.Used || s.Changes != 1 {
		t.Errorf("incremental run: snapshot %+v; want used with one change", s)
	}
	r6, _, err := engine.Score(ctx, st, full, "run-6", clock)
	if err != nil {
		t.Fatal(err)
	}
	p := engine.DefaultParams().Propagation
	sameOutcomes(t, outcomes(r5), outcomes(r6), 2*p.Tolerance*p.Alpha/(1-p.Alpha)+1e-12)
}

func TestScoreFromSnapshotMemory(t *testing.T) {
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	loadSynth(t, s, 1500)
	scoreFromSnapshot(t, s, s)
}

func TestScoreFromSnapshotNeo4j(t *testing.T) {
	s := neo4jtest.Open(t)
	loadSynth(t, s, 1500)
	scoreFromSnapshot(t, s, s)
}

// TestSnapshotNeverTrusted: a missing, damaged (a byte flipped, cut),
// stale (another store, another format version, ahead of the store,
// another run's results) snapshot, or one with too many changes, is not
// used: the run scans the store, gives a full run's results and saves a
// good snapshot, which the next run uses.
func TestSnapshotNeverTrusted(t *testing.T) {
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	loadSynth(t, st, 300)
	other, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	loadSynth(t, other, 300) // the same data, another store
	dir := t.TempDir()
	good := filepath.Join(dir, "good.snap")
	base, _, err := engine.Score(ctx, st, options(good), "run-base", clock)
	if err != nil {
		t.Fatal(err)
	}
	want := outcomes(base)
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	cases := []struct {
		name, why string
		prepare   func(t *testing.T, path string)
	}{
		{"missing", "no snapshot", func(*testing.T, string) {}},
		{"byte flipped", "damaged", func(t *testing.T, p string) {
			b := slices.Clone(goodBytes)
			b[len(b)/3] ^= 1
			write(t, p, b)
		}},
		{"cut", "damaged", func(t *testing.T, p string) { write(t, p, goodBytes[:len(goodBytes)*2/3]) }},
		{"other version", "version", func(t *testing.T, p string) {
			b := slices.Clone(goodBytes)
			binary.LittleEndian.PutUint32(b[8:], snapshot.FormatVersion+1)
			write(t, p, b)
		}},
		{"other store", "another store", func(t *testing.T, p string) {
			if _, _, err := engine.Score(ctx, other, options(p), "run-other", clock); err != nil {
				t.Fatal(err)
			}
		}},
		{"ahead of the store", "ahead", func(t *testing.T, p string) {
			r, err := snapshot.Load(good)
			if err != nil {
				t.Fatal(err)
			}
			r.Generation += 1000
			if err := snapshot.Save(p, r); err != nil {
				t.Fatal(err)
			}
		}},
		{"another run's results", "results of run", func(t *testing.T, p string) {
			r, err := snapshot.Load(good)
			if err != nil {
				t.Fatal(err)
			}
			r.Run = "run-older"
			if err := snapshot.Save(p, r); err != nil {
				t.Fatal(err)
			}
		}},
		{"too many changes", "more than", func(t *testing.T, p string) {
			write(t, p, goodBytes)
			// Writing everything again stamps every row.
			var b store.Batch
			if err := st.Scan(ctx, 1000, func(p *store.Batch) error { b.Append(p); return nil }); err != nil {
				t.Fatal(err)
			}
			if err := st.WriteBatch(ctx, &b); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n++
			path := filepath.Join(dir, tc.name+".snap")
			tc.prepare(t, path)
			// Every case starts from the store's last completed run being
			// the good snapshot's (except the cases that change that).
			res, _, err := engine.Score(ctx, st, options(path), "run-"+tc.name, clock)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Snapshot
			if s.Used || !strings.Contains(s.Rebuilt, tc.why) || !s.Saved {
				t.Errorf("snapshot %+v; want rebuilt because %q, and saved", s, tc.why)
			}
			sameOutcomes(t, outcomes(res), want, 1e-12)
			again, _, err := engine.Score(ctx, st, options(path), "run-again-"+tc.name, clock)
			if err != nil {
				t.Fatal(err)
			}
			if !again.Snapshot.Used {
				t.Errorf("the rebuilt snapshot is not used by the next run: %+v", again.Snapshot)
			}
			sameOutcomes(t, outcomes(again), want, 1e-12)
			// The next case's good snapshot must hold the last run's results.
			good = path
			goodBytes, _ = os.ReadFile(path)
		})
	}
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
