package snapshot_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
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

// synthMemory opens a memory store, closed when the test ends, holding
// the generator's sample of n enterprises.
func synthMemory(t *testing.T, n int) *memory.Store {
	t.Helper()
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loadSynth(t, st, n)
	return st
}

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

// outcome is an entity's result as the run wrote it, and its owners:
// beneficial owners with their integrated shares and the ultimate
// controller, by reference (node ids differ between a snapshot's graph
// and a scan's).
type outcome struct {
	score  float64
	grade  string
	flags  []string
	owners string
}

func outcomes(r *engine.Result) map[models.Ref]outcome {
	g := r.Graph
	out := map[models.Ref]outcome{}
	for v := range int32(g.N()) {
		if g.IsEntity(v) {
			out[g.Ref(v)] = outcome{r.Score[v], r.Grade[v].String(), r.Flags.KindsOf(v), ownersOf(r, v)}
		}
	}
	return out
}

// ownersOf renders v's beneficial owners (shares to 1e-9) and controller.
func ownersOf(r *engine.Result, v int32) string {
	g, o := r.Graph, r.Ownership
	var b strings.Builder
	for _, s := range o.BeneficialOwners(v) {
		fmt.Fprintf(&b, "%s %.9f; ", g.Ref(s.Person), s.Share)
	}
	if c := o.Controller[v]; c >= 0 {
		fmt.Fprintf(&b, "controller %s", g.Ref(c))
	}
	return b.String()
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
		case x.owners != y.owners:
			t.Errorf("%s: owners %s; the full run's %s", ref, y.owners, x.owners)
		default:
			continue
		}
		if bad++; bad > 10 {
			t.Fatal("more differences left out")
		}
	}
}

// storedResults reads the stored result of every entity of r's graph
// through the store's reader (four at a time).
func storedResults(t *testing.T, st store.Reader, r *engine.Result) map[models.Ref]*models.Risk {
	t.Helper()
	g := r.Graph
	var refs []models.Ref
	for v := range int32(g.N()) {
		if g.IsEntity(v) {
			refs = append(refs, g.Ref(v))
		}
	}
	out := make(map[models.Ref]*models.Risk, len(refs))
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
	)
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(refs); i += 4 {
				var risk *models.Risk
				var err error
				if refs[i].Kind == models.KindPerson {
					var p models.Person
					p, err = st.Person(ctx, refs[i].Key)
					risk = p.Risk
				} else {
					var e models.Enterprise
					e, err = st.Enterprise(ctx, refs[i].Key)
					risk = e.Risk
				}
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				out[refs[i]] = risk
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
	return out
}

// checkWriteBack checks what run (whose result is res) wrote back, given
// the stored results before it (nil: none) and after it: exactly the
// entities without a stored result or whose score moved by more than the
// write threshold (PropagationParams.WriteThreshold) or whose grade or
// flags changed carry the run's result (a result that moved but was not
// written, or was written without moving, fails), every other keeps its
// stored result, within the threshold of the run's, and the run's summary
// counts the writes. It returns how many results moved by more than the
// propagation's bound but not beyond the threshold (kept, not written).
func checkWriteBack(t *testing.T, run store.Run, res *engine.Result, before, after map[models.Ref]*models.Risk) (held int) {
	t.Helper()
	bound := res.Params.Propagation.WriteThreshold()
	now := outcomes(res)
	want, got, bad := 0, 0, 0
	for ref, x := range now {
		b, a := before[ref], after[ref]
		moved := b == nil || math.Abs(b.Score-x.score) > bound || b.Grade != x.grade || !slices.Equal(b.Flags, x.flags)
		if moved {
			want++
		} else if math.Abs(b.Score-x.score) > res.Params.Propagation.Bound() {
			held++
		}
		switch {
		case a == nil:
			t.Errorf("%s: no stored result after %s", ref, run.ID)
		case a.Run == run.ID:
			got++
			if !moved {
				t.Errorf("%s: written by %s although it did not move (stored %+v, now %.12f %s %v)", ref, run.ID, b, x.score, x.grade, x.flags)
			} else if a.Score != x.score || a.Grade != x.grade || !slices.Equal(a.Flags, x.flags) {
				t.Errorf("%s: stored %.12f %s %v, the run's %.12f %s %v", ref, a.Score, a.Grade, a.Flags, x.score, x.grade, x.flags)
			} else if d := detailsOf(res, ref); !sameJSON(a.Details, d) {
				t.Errorf("%s: stored details %s, the run's %s", ref, a.Details, d)
			} else {
				continue
			}
		case moved:
			t.Errorf("%s: moved (stored %+v, now %.12f %s %v) but not written by %s", ref, b, x.score, x.grade, x.flags, run.ID)
		case a.Run != b.Run || a.Score != b.Score:
			t.Errorf("%s: not written, yet its stored result changed from %+v to %+v", ref, b, a)
		case math.Abs(a.Score-x.score) > bound || a.Grade != x.grade:
			t.Errorf("%s: stored %.12f %s, the run's %.12f %s", ref, a.Score, a.Grade, x.score, x.grade)
		default:
			continue
		}
		if bad++; bad > 10 {
			t.Fatal("more differences left out")
		}
	}
	var sum engine.Summary
	if err := json.Unmarshal(run.Summary, &sum); err != nil {
		t.Fatal(err)
	}
	// The summary also counts the results of SAME_AS members (aliases),
	// always written and not in the graph's own entities.
	if got != want || sum.Written < got || sum.Written > got+len(after) {
		t.Errorf("%s wrote %d results (summary: %d); %d moved", run.ID, got, sum.Written, want)
	}
	t.Logf("%s: %d of %d entity results written; %d moved by more than the bound, within the write threshold", run.ID, got, len(now), held)
	return held
}

// detailsOf renders the details of ref as the run writes them.
func detailsOf(res *engine.Result, ref models.Ref) json.RawMessage {
	v, ok := res.Graph.Lookup(ref)
	if !ok {
		return nil
	}
	return res.DetailsJSON(v)
}

// sameJSON reports whether a and b are the same JSON text up to
// insignificant space (both empty counts as the same).
func sameJSON(a, b []byte) bool {
	var x, y bytes.Buffer
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return json.Compact(&x, a) == nil && json.Compact(&y, b) == nil && bytes.Equal(x.Bytes(), y.Bytes())
}

// sameStored fails unless the stored results agree with a run's within
// tol and carry its grades and flags.
func sameStored(t *testing.T, stored map[models.Ref]*models.Risk, res *engine.Result, tol float64) {
	t.Helper()
	bad := 0
	for ref, x := range outcomes(res) {
		a := stored[ref]
		switch {
		case a == nil:
			t.Errorf("%s: nothing stored", ref)
		case math.Abs(a.Score-x.score) > tol || a.Grade != x.grade || !slices.Equal(a.Flags, x.flags):
			t.Errorf("%s: stored %.12f %s %v; the full run's %.12f %s %v", ref, a.Score, a.Grade, a.Flags, x.score, x.grade, x.flags)
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
func daily(t *testing.T, st store.Writer, prev *engine.Result, tag string) {
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
		b.Records = append(b.Records, models.Record{ID: tag + "-" + ents[i].Key, Subject: ents[i], Kind: models.RecordSeriousViolation,
			Severity: 0.9, Decided: models.NewDate(2025, 6, 1)})
	}
	b.Enterprises = append(b.Enterprises,
		models.Enterprise{Key: ents[7].Key, Name: "状态变更", Status: models.StatusRevoked},
		models.Enterprise{Key: "src:" + tag + ":new", Name: "新设企业", Status: models.StatusActive, Address: "新地址一号"},
		models.Enterprise{Key: "src:" + tag + ":new2", Name: "新设企业二", Status: models.StatusActive, Address: "新地址一号"})
	b.Shareholdings = append(b.Shareholdings,
		models.Shareholding{Holder: pers[3], Enterprise: "src:" + tag + ":new", Ratio: 0.8},
		models.Shareholding{Holder: models.EnterpriseRef("src:" + tag + ":new"), Enterprise: ents[11].Key, Ratio: 0.6})
	b.Roles = append(b.Roles, models.Role{Person: pers[5].Key, Enterprise: ents[13].Key, Kind: models.RoleOfficer, Title: "director"})
	b.Relations = append(b.Relations, models.Relation{A: pers[5].Key, B: pers[3].Key, Kind: models.RelationSpouse})
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
}

// scoreFromSnapshot: a run from the snapshot plus the day's changes gives
// every entity the result a full run gives (exactly up to the propagation
// tolerance; an incremental run within its bound).
func scoreFromSnapshot(t *testing.T, st scoreReader, w store.Writer) {
	path := filepath.Join(t.TempDir(), "projection.snap")
	r1, run1, err := engine.Score(ctx, st, options(path), "run-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r1.Snapshot; s == nil || s.Used || !s.Saved || !strings.Contains(s.Rebuilt, "no snapshot") {
		t.Fatalf("first run: snapshot %+v; want rebuilt (none yet) and saved", s)
	}
	stored1 := storedResults(t, st, r1)
	checkWriteBack(t, run1, r1, nil, stored1)
	daily(t, w, r1, "daily")
	r2, run2, err := engine.Score(ctx, st, options(path), "run-2", clock)
	if err != nil {
		t.Fatal(err)
	}
	// What the snapshot run wrote: only what moved (the rows' results
	// are the stored ones).
	stored2 := storedResults(t, st, r2)
	if held := checkWriteBack(t, run2, r2, stored1, stored2); held == 0 {
		t.Errorf("no result moved by more than the bound and within the write threshold: the day does not test the threshold")
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
	// Read back, the snapshot run's results are the full run's within
	// the write threshold (Changed: a score that moved less is not
	// written).
	p := engine.DefaultParams().Propagation
	sameStored(t, stored2, r3, p.WriteThreshold()+1e-12)
	if r2.Graph.N() != r3.Graph.N() || len(r2.Graph.Edges) != len(r3.Graph.Edges) || len(r2.Graph.Records) != len(r3.Graph.Records) {
		t.Errorf("snapshot projection: %d nodes, %d edges, %d records; full: %d, %d, %d", r2.Graph.N(), len(r2.Graph.Edges),
			len(r2.Graph.Records), r3.Graph.N(), len(r3.Graph.Edges), len(r3.Graph.Records))
	}
	sameKeys(t, r2.Graph, r3.Graph)

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
	stored4 := storedResults(t, st, r4)
	inc := options(path)
	inc.Incremental = true
	r5, run5, err := engine.Score(ctx, st, inc, "run-5", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r5.Snapshot; !s.Used || s.Changes != 1 {
		t.Errorf("incremental run: snapshot %+v; want used with one change", s)
	}
	stored5 := storedResults(t, st, r5)
	checkWriteBack(t, run5, r5, stored4, stored5)
	r6, _, err := engine.Score(ctx, st, full, "run-6", clock)
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r5), outcomes(r6), p.Bound()+p.IncrementalBound()+1e-12)
	// Stored: within the write threshold of the incremental run's, which
	// is within both bounds (the full run's and the incremental one's) of the full run's.
	sameStored(t, stored5, r6, p.WriteThreshold()+p.Bound()+p.IncrementalBound()+1e-12)

	// A wide day (1 % of the enterprises with a serious violation),
	// incremental from the snapshot (rebuilt first: run 6 scored without
	// it): the push gives way to sweeps (PropagateIncremental), and the
	// result is still a full run's within the bounds.
	if _, _, err := engine.Score(ctx, st, options(path), "run-7", clock); err != nil {
		t.Fatal(err)
	}
	stored7 := storedResults(t, st, r6)
	daily(t, w, r6, "daily3")
	r8, run8, err := engine.Score(ctx, st, inc, "run-8", clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wide incremental day: %d pushes, %d sweeps", r8.Pushes, r8.Iterations)
	if s := r8.Snapshot; !s.Used || !r8.Incremental || r8.Iterations == 0 {
		t.Errorf("wide incremental day: snapshot %+v, incremental %v, %d sweeps after %d pushes; want used, sweeps", s, r8.Incremental, r8.Iterations, r8.Pushes)
	}
	stored8 := storedResults(t, st, r8)
	checkWriteBack(t, run8, r8, stored7, stored8)
	r9, err := engine.Run(ctx, st, full)
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r8), outcomes(r9), p.Bound()+p.IncrementalBound()+1e-12)
	sameStored(t, stored8, r9, p.WriteThreshold()+p.Bound()+p.IncrementalBound()+1e-12)
}

// scoreReader is a store a scoring run uses and whose results the tests
// read back.
type scoreReader interface {
	engine.ScoreStore
	store.Reader
}

func TestScoreFromSnapshotMemory(t *testing.T) {
	s := synthMemory(t, 1500)
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
	st := synthMemory(t, 300)
	other := synthMemory(t, 300) // the same data, another store
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
			r, err := engine.LoadSnapshotGraph(good)
			if err != nil {
				t.Fatal(err)
			}
			r.Meta.Generation += 1000
			if err := r.Save(p); err != nil {
				t.Fatal(err)
			}
		}},
		{"another run's results", "results of run", func(t *testing.T, p string) {
			r, err := engine.LoadSnapshotGraph(good)
			if err != nil {
				t.Fatal(err)
			}
			r.Meta.Run = "run-older"
			if err := r.Save(p); err != nil {
				t.Fatal(err)
			}
		}},
		{"too many changes", "more than", func(t *testing.T, p string) {
			write(t, p, goodBytes)
			// The graph file's results beside it (a run that patched the
			// graph file writes only those).
			if r, err := os.ReadFile(good + ".results"); err == nil {
				write(t, p+".results", r)
			}
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
			sameKeys(t, res.Graph, base.Graph)
			again, _, err := engine.Score(ctx, st, options(path), "run-again-"+tc.name, clock)
			if err != nil {
				t.Fatal(err)
			}
			if !again.Snapshot.Used {
				t.Errorf("the rebuilt snapshot is not used by the next run: %+v", again.Snapshot)
			}
			sameOutcomes(t, outcomes(again), want, 1e-12)
			sameKeys(t, again.Graph, base.Graph)
			// The next case's good snapshot must hold the last run's results.
			good = path
			goodBytes, _ = os.ReadFile(path)
		})
	}
}

// sameKeys checks that two projections of the same data (one from a
// snapshot, whose keys the engine copies into its key table, one from a
// scan) hold the same node keys and record ids, and that every entity of
// got is found in want by its key, under the same key.
func sameKeys(t *testing.T, got, want *engine.Graph) {
	t.Helper()
	for _, p := range []struct {
		name string
		a, b *engine.KeyTable
	}{{"node keys", &got.Keys, &want.Keys}, {"record ids", &got.RecordIDs, &want.RecordIDs}} {
		a, b := p.a.Strings(), p.b.Strings()
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("%s differ: %d and %d", p.name, len(a), len(b))
		}
	}
	for v := range int32(got.N()) {
		if !got.IsEntity(v) {
			continue
		}
		w, ok := want.Lookup(got.Ref(v))
		if !ok || want.Keys.At(w) != got.Keys.At(v) {
			t.Fatalf("node %d %s: in the other projection %d %v", v, got.Ref(v), w, ok)
		}
	}
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotOtherParamsWritesAll: the snapshot's rows carry results
// computed with the last run's parameters; a run from it with other
// parameters (here grade thresholds, which move no score) uses the
// snapshot but writes every result back, so that no stored grade is left
// from the old thresholds. With the same parameters again it writes
// only what moved (nothing: the data did not change).
func TestSnapshotOtherParamsWritesAll(t *testing.T) {
	st := synthMemory(t, 300)
	path := filepath.Join(t.TempDir(), "projection.snap")
	r1, _, err := engine.Score(ctx, st, options(path), "params-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	entities := len(outcomes(r1))
	other := options(path)
	other.Params.Grades.B /= 2
	r2, run2, err := engine.Score(ctx, st, other, "params-2", clock)
	if err != nil {
		t.Fatal(err)
	}
	if !r2.Snapshot.Used {
		t.Fatalf("snapshot %+v; want used", r2.Snapshot)
	}
	if w := r2.Summarize().Written; w < entities {
		t.Errorf("with other parameters %d of %d results written; want all", w, entities)
	}
	checkWriteBack(t, run2, r2, nil, storedResults(t, st, r2))
	r3, run3, err := engine.Score(ctx, st, other, "params-3", clock)
	if err != nil {
		t.Fatal(err)
	}
	if w := r3.Summarize().Written; !r3.Snapshot.Used || w != 0 {
		t.Errorf("same parameters, same data: snapshot %+v, %d results written; want used, none", r3.Snapshot, w)
	}
	checkWriteBack(t, run3, r3, storedResults(t, st, r2), storedResults(t, st, r3))
}

// failingPromote is a store whose promotion fails.
type failingPromote struct{ engine.ScoreStore }

func (failingPromote) PromoteRun(context.Context, string) error {
	return errors.New("promotion refused")
}

// TestSnapshotOfFailedRunNotUsed: the snapshot is saved while the store
// promotes; when the promotion fails, the file holds the results of a run
// that never completed, so the next run refuses it, scans, gives a full
// run's results and saves a snapshot the run after uses.
func TestSnapshotOfFailedRunNotUsed(t *testing.T) {
	st := synthMemory(t, 300)
	path := filepath.Join(t.TempDir(), "projection.snap")
	r1, _, err := engine.Score(ctx, st, options(path), "fail-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	daily(t, st, r1, "fail-day")
	if _, _, err := engine.Score(ctx, failingPromote{st}, options(path), "fail-2", clock); err == nil {
		t.Fatal("a run whose promotion failed reported success")
	}
	saved, err := engine.LoadSnapshot(path)
	if err != nil || saved.Meta.Run != "fail-2" {
		t.Fatalf("snapshot after the failed promotion: %v; want saved with fail-2's results", err)
	}
	r3, _, err := engine.Score(ctx, st, options(path), "fail-3", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r3.Snapshot; s.Used || !strings.Contains(s.Rebuilt, "fail-2") || !s.Saved {
		t.Errorf("after the failed run: snapshot %+v; want rebuilt (it holds fail-2's results), saved", s)
	}
	r4, err := engine.Run(ctx, st, options(""))
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r3), outcomes(r4), 1e-12)
	r5, _, err := engine.Score(ctx, st, options(path), "fail-5", clock)
	if err != nil {
		t.Fatal(err)
	}
	if !r5.Snapshot.Used {
		t.Errorf("the rebuilt snapshot is not used: %+v", r5.Snapshot)
	}
}

// projectionScan gives a store's projection scan (store.ScanForProjection).
type projectionScan struct{ s store.Scanner }

func (p projectionScan) ScanProjection(ctx context.Context, size int, fn func(*store.ProjectionPage) error) error {
	return store.ScanForProjection(ctx, p.s, size, fn)
}

// saveRowsSnapshot saves, at path, a snapshot of the rows format (1) of
// st as it is now, carrying the results of run, as runs before the graph
// format wrote it.
func saveRowsSnapshot(t *testing.T, st *memory.Store, run store.Run, path string) {
	t.Helper()
	rec := snapshot.Record(projectionScan{st})
	if err := rec.ScanProjection(ctx, 1000, func(*store.ProjectionPage) error { return nil }); err != nil {
		t.Fatal(err)
	}
	rows := rec.Rows()
	lineage, err := st.Lineage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows.Meta = snapshot.Meta{Lineage: lineage, Generation: run.Generation, Run: run.ID}
	if err := snapshot.Save(path, rows); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotRowsFormatStillUsed: a snapshot of the rows format (1), as
// runs before the graph format saved it, is used (with the day's
// changes, a full run's results) and replaced by a graph snapshot (2),
// which the next run uses.
func TestSnapshotRowsFormatStillUsed(t *testing.T) {
	st := synthMemory(t, 300)
	path := filepath.Join(t.TempDir(), "projection.snap")
	r1, run1, err := engine.Score(ctx, st, options(""), "rows-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	saveRowsSnapshot(t, st, run1, path)
	daily(t, st, r1, "rows-day")
	r2, _, err := engine.Score(ctx, st, options(path), "rows-2", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r2.Snapshot; !s.Used || s.Changes == 0 || !s.Saved {
		t.Fatalf("from the rows format: snapshot %+v; want used with changes, saved", s)
	}
	if v, err := snapshot.Version(path); err != nil || v != snapshot.GraphVersion {
		t.Errorf("saved in format %d (%v); want %d", v, err, snapshot.GraphVersion)
	}
	r3, err := engine.Run(ctx, st, options(""))
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r2), outcomes(r3), 1e-12)
	r4, _, err := engine.Score(ctx, st, options(path), "rows-4", clock)
	if err != nil {
		t.Fatal(err)
	}
	if !r4.Snapshot.Used {
		t.Errorf("the graph snapshot is not used: %+v", r4.Snapshot)
	}
	sameOutcomes(t, outcomes(r4), outcomes(r3), 1e-12)
}

// TestSnapshotResultsOnly: a run that patched the graph file writes only
// the results beside it (engine.RebaseShare); the next runs patch every
// change since the graph file and take the stored results from the
// results file, writing back only what moved, with a full run's results;
// once the changes since pass the share, the whole graph is written
// again and the results file removed; a damaged results file is never
// used.
func TestSnapshotResultsOnly(t *testing.T) {
	st := synthMemory(t, 1500)
	path := filepath.Join(t.TempDir(), "projection.snap")
	r1, _, err := engine.Score(ctx, st, options(path), "res-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Snapshot.SavedGraph {
		t.Fatalf("first run: %+v; want the graph saved", r1.Snapshot)
	}
	graphFile, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	prev, stored := r1, storedResults(t, st, r1)
	for day := 2; day <= 3; day++ {
		if day == 2 {
			daily(t, st, prev, "res-day2")
		} else {
			// One record far from the enterprises day 2 added: their
			// stored results (by reference in the results file) must hold.
			b := &store.Batch{Records: []models.Record{{ID: "res-day3", Subject: prev.Graph.Ref(0), Kind: models.RecordPenalty,
				Severity: 0.2, Decided: models.NewDate(2025, 6, 1)}}}
			if err := st.WriteBatch(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		res, run, err := engine.Score(ctx, st, options(path), fmt.Sprintf("res-%d", day), clock)
		if err != nil {
			t.Fatal(err)
		}
		if s := res.Snapshot; !s.Used || s.SavedGraph || !s.Saved {
			t.Fatalf("day %d: %+v; want used, the results saved alone", day, s)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, graphFile) {
			t.Fatalf("day %d: the graph file was rewritten", day)
		}
		after := storedResults(t, st, res)
		checkWriteBack(t, run, res, stored, after)
		checkOwnership(t, res, true)
		full, err := engine.Run(ctx, st, options(""))
		if err != nil {
			t.Fatal(err)
		}
		sameOutcomes(t, outcomes(res), outcomes(full), 1e-12)
		prev, stored = res, after
	}
	// A day past the share: the whole graph again, the results removed.
	wide := &store.Batch{}
	for v := range int32(prev.Graph.NumEnterprises) {
		if prev.Graph.Kinds[v] == engine.NodeEnterprise {
			ref := prev.Graph.Ref(v)
			wide.Records = append(wide.Records, models.Record{ID: "res-wide-" + ref.Key, Subject: ref, Kind: models.RecordPenalty,
				Severity: 0.3, Decided: models.NewDate(2025, 5, 1)})
		}
	}
	if err := st.WriteBatch(ctx, wide); err != nil {
		t.Fatal(err)
	}
	r4, _, err := engine.Score(ctx, st, options(path), "res-4", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r4.Snapshot; !s.Used || !s.SavedGraph {
		t.Fatalf("past the share: %+v; want used, the graph saved", s)
	}
	checkOwnership(t, r4, true)
	if _, err := os.Stat(path + ".results"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("results file after the graph was saved: %v; want none", err)
	}
	// A damaged results file: rebuilt, with a full run's results.
	daily(t, st, r4, "res-day5")
	r5, _, err := engine.Score(ctx, st, options(path), "res-5", clock)
	if err != nil {
		t.Fatal(err)
	}
	checkOwnership(t, r5, true) // from the graph file's state
	b, err := os.ReadFile(path + ".results")
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	write(t, path+".results", b)
	r6, _, err := engine.Score(ctx, st, options(path), "res-6", clock)
	if err != nil {
		t.Fatal(err)
	}
	if s := r6.Snapshot; s.Used || !strings.Contains(s.Rebuilt, "results") {
		t.Errorf("damaged results: %+v; want rebuilt", s)
	}
	checkOwnership(t, r6, false)
	full, err := engine.Run(ctx, st, options(""))
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r6), outcomes(full), 1e-12)
}

// checkOwnership fails unless res's ownership is, every field, the full
// computation's on its graph, and was computed incrementally (from the
// state the snapshot kept, with fewer vectors than enterprises) when
// incremental is set, in full otherwise.
func checkOwnership(t *testing.T, res *engine.Result, incremental bool) {
	t.Helper()
	st := res.OwnershipRun
	if st.Incremental != incremental || (incremental && st.Vectors >= st.Enterprises) {
		t.Errorf("ownership %+v; want incremental %v", st, incremental)
	}
	if want := engine.ComputeOwnership(res.Graph, &res.Params, res.Today); !reflect.DeepEqual(res.Ownership, want) {
		t.Errorf("incremental ownership (%+v) differs from the full computation", st)
	}
}

// TestSnapshotExactScores: a snapshot keeps, beside each entity's stored
// result, the score the run computed for it (Previous.Exact), bit for
// bit, also for those it did not write (their stored scores lag); the
// next incremental run starts from them (Result.ExactStart) and settles a
// local change by pushes alone; its scores agree with a full run's within
// both bounds and it writes what moved from the stored scores. A snapshot
// of the rows format (which holds no computed scores) is used, and the
// run starts from the stored scores, with the same guarantees.
func TestSnapshotExactScores(t *testing.T) {
	st := synthMemory(t, 1500)
	path := filepath.Join(t.TempDir(), "projection.snap")
	inc := options(path)
	inc.Incremental = true
	p := engine.DefaultParams().Propagation
	r1, _, err := engine.Score(ctx, st, options(path), "run-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	if lag := sameExact(t, path, r1, nil); lag != 0 {
		t.Errorf("after a run that wrote everything, %d stored scores differ from the computed ones", lag)
	}
	stored1 := storedResults(t, st, r1)
	daily(t, st, r1, "exact-day")
	r2, run2, err := engine.Score(ctx, st, inc, "run-2", clock)
	if err != nil {
		t.Fatal(err)
	}
	if entities := entityCount(r1.Graph); r2.ExactStart != entities {
		t.Errorf("run-2 started %d entities from exact scores; the snapshot holds %d", r2.ExactStart, entities)
	}
	stored2 := storedResults(t, st, r2)
	checkWriteBack(t, run2, r2, stored1, stored2)
	full2, err := engine.Run(ctx, st, options(""))
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r2), outcomes(full2), p.Bound()+p.IncrementalBound()+1e-12)
	if lag := sameExact(t, path, r2, stored2); lag == 0 {
		t.Error("no stored score lags the computed one: the day does not test the exact scores")
	}

	// A local change (a record on an enterprise no risk reached, with
	// few neighbours): settled by pushes from the exact scores.
	quiet := models.Ref{}
	for v := range int32(r2.Graph.N()) {
		if g := r2.Graph; g.Kinds[v] == engine.NodeEnterprise && r2.Score[v] == 0 && g.OutOff[v+1]-g.OutOff[v] > 0 && g.OutOff[v+1]-g.OutOff[v] <= 3 {
			quiet = g.Ref(v)
			break
		}
	}
	local := func(id string) {
		t.Helper()
		b := &store.Batch{Records: []models.Record{{ID: id, Subject: quiet, Kind: models.RecordPenalty, Severity: 0.4,
			Decided: models.NewDate(2025, 7, 1)}}}
		if err := st.WriteBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	local("exact-local-1")
	r3, run3, err := engine.Score(ctx, st, inc, "run-3", clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("local change from exact scores: %d pushes, %d sweeps", r3.Pushes, r3.Iterations)
	if r3.ExactStart == 0 || r3.Iterations != 0 {
		t.Errorf("local change: %d entities from exact scores, %d sweeps; want all, none", r3.ExactStart, r3.Iterations)
	}
	stored3 := storedResults(t, st, r3)
	checkWriteBack(t, run3, r3, stored2, stored3)
	full3, err := engine.Run(ctx, st, options(""))
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r3), outcomes(full3), p.Bound()+p.IncrementalBound()+1e-12)

	// The rows format: used, no computed scores, the start the stored ones.
	saveRowsSnapshot(t, st, run3, path)
	local("exact-local-rows")
	r4, run4, err := engine.Score(ctx, st, inc, "run-4", clock)
	if err != nil {
		t.Fatal(err)
	}
	if !r4.Snapshot.Used || r4.ExactStart != 0 {
		t.Errorf("rows format: snapshot %+v, %d entities from exact scores; want used, none", r4.Snapshot, r4.ExactStart)
	}
	checkWriteBack(t, run4, r4, stored3, storedResults(t, st, r4))
	full4, err := engine.Run(ctx, st, options(""))
	if err != nil {
		t.Fatal(err)
	}
	sameOutcomes(t, outcomes(r4), outcomes(full4), p.Bound()+p.IncrementalBound()+1e-12)
	if lag := sameExact(t, path, r4, nil); lag != 0 {
		t.Errorf("after the rows run: %d lags counted without stored results", lag)
	}
}

// entityCount counts the enterprises and persons of g.
func entityCount(g *engine.Graph) int {
	n := 0
	for v := range int32(g.N()) {
		if g.IsEntity(v) {
			n++
		}
	}
	return n
}

// sameExact fails unless the snapshot at path holds, for every entity of
// its graph file with a stored result, exactly the score res computed
// (and none for one without); it returns how many of those differ from
// the stored ones (stored: nil, none compared).
func sameExact(t *testing.T, path string, res *engine.Result, stored map[models.Ref]*models.Risk) (lag int) {
	t.Helper()
	s, err := engine.LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	g, pv := s.Graph, s.Graph.Previous
	if pv == nil || len(pv.Exact) != g.N() {
		t.Fatal("the snapshot holds no computed scores")
	}
	seen := 0
	for v := range int32(g.N()) {
		if !g.IsEntity(v) {
			continue
		}
		ref := g.Ref(v)
		w, ok := res.Graph.Lookup(ref)
		if !ok {
			t.Errorf("%s: in the snapshot, not in the run", ref)
			continue
		}
		seen++
		switch {
		case math.IsNaN(pv.Score[v]):
			if !math.IsNaN(pv.Exact[v]) {
				t.Errorf("%s: no stored result, but a computed score %v", ref, pv.Exact[v])
			}
		case math.Float64bits(pv.Exact[v]) != math.Float64bits(res.Score[w]):
			t.Errorf("%s: computed score %v in the snapshot, the run's %v", ref, pv.Exact[v], res.Score[w])
		}
		if x := stored[ref]; x != nil && x.Score != res.Score[w] {
			lag++
		}
	}
	if seen == 0 {
		t.Error("no entity in the snapshot")
	}
	return lag
}
