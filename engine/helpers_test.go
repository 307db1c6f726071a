package engine

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// testSource is the source name generated data sets are loaded under.
const testSource = "gen"

// genToday is the generator's reference date.
var genToday = DayOf(synth.DefaultReferenceDate())

type generatedSet struct {
	dir    string
	store  *memory.Store
	graph  *Graph
	truth  *synth.GroundTruth
	hasher *models.PIDHasher
	// pids maps the generator's person_id to the loaded pid.
	pids map[string]string
}

var (
	genMu    sync.Mutex
	genCache = map[int]*generatedSet{}
)

// generated returns a generated data set of n enterprises (seed 1), loaded
// into a memory store and projected; it is built once per test binary.
func generated(t testing.TB, n int) *generatedSet {
	t.Helper()
	genMu.Lock()
	defer genMu.Unlock()
	if s := genCache[n]; s != nil {
		return s
	}
	s := &generatedSet{dir: filepath.Join(t.TempDir(), "gen")}
	// t.TempDir is removed after the first test; keep the files where later tests can read them.
	truth, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 1, Out: s.dir})
	if err != nil {
		t.Fatal(err)
	}
	s.truth = truth
	if s.hasher, err = models.NewPIDHasher([]byte("engine-test-pid-key-0123456789")); err != nil {
		t.Fatal(err)
	}
	if s.store, err = memory.Open(memory.Options{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sum, err := ingest.LoadDir(ctx, s.dir, s.store, ingest.LoadOptions{Hasher: s.hasher, Source: testSource,
		Now: func() time.Time { return synth.DefaultReferenceDate().Time.Add(12 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total.Rejected > 0 {
		t.Fatalf("generated data: %d rejected rows", sum.Total.Rejected)
	}
	if s.pids, err = readPIDs(filepath.Join(s.dir, "persons.csv"), s.hasher); err != nil {
		t.Fatal(err)
	}
	if s.graph, err = Project(ctx, s.store); err != nil {
		t.Fatal(err)
	}
	genCache[n] = s
	return s
}

// readPIDs maps person_id to pid with the loader's rules.
func readPIDs(path string, h *models.PIDHasher) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rows[1:] { // person_id, id_number, name
		if r[1] != "" {
			out[r[0]] = h.FromIDNumber(r[1])
		} else {
			out[r[0]] = h.FromSourceKey(testSource, r[0])
		}
	}
	return out, nil
}

// writableCopy copies the generated set's shared store into a fresh memory
// store that the test may write to.
func (gs *generatedSet) writableCopy(t testing.TB) *memory.Store {
	t.Helper()
	ctx := context.Background()
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := gs.store.Scan(ctx, 5000, func(b *store.Batch) error { return st.WriteBatch(ctx, b) }); err != nil {
		t.Fatal(err)
	}
	return st
}
