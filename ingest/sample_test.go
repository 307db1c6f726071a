package ingest

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"riskgraph/synth"
)

// sample is a data set from the synthetic generator, shared by the tests
// that load realistic data.
type sample struct {
	dir     string
	gt      *synth.GroundTruth
	persons []map[string]string // persons.csv rows, column → value
}

var (
	samples  sync.Map // n → *sample
	tempDirs sync.Map // removed at process exit by TestMain
)

// generated returns a shared generated sample of n enterprises (seed 1).
func generated(t testing.TB, n int) *sample {
	t.Helper()
	if s, ok := samples.Load(n); ok {
		return s.(*sample)
	}
	dir, err := os.MkdirTemp("", "riskgraph-gen-")
	if err != nil {
		t.Fatal(err)
	}
	tempDirs.Store(dir, true)
	gt, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 1, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	s := &sample{dir: dir, gt: gt, persons: readRows(t, filepath.Join(dir, FilePersons.FileName()))}
	samples.Store(n, s)
	return s
}

// readRows reads a CSV file with a header as column → value maps.
func readRows(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, v := range rec {
			m[recs[0][i]] = v
		}
		rows = append(rows, m)
	}
	return rows
}

func TestMain(m *testing.M) {
	code := m.Run()
	tempDirs.Range(func(k, _ any) bool {
		os.RemoveAll(k.(string))
		return true
	})
	os.Exit(code)
}

// TestGeneratedIdentityNumbersValid holds the generator to this package's
// validator: every identity number it writes is accepted, and none repeats.
func TestGeneratedIdentityNumbersValid(t *testing.T) {
	smp := generated(t, 500)
	today := synth.DefaultReferenceDate()
	seen := map[string]bool{}
	for _, p := range smp.persons {
		n := p["id_number"]
		if n == "" {
			continue
		}
		if _, err := checkIDNumber(n, today); err != nil {
			t.Fatalf("identity number of %s: %s", p["person_id"], err.Reason)
		}
		if seen[n] {
			t.Fatalf("identity number of %s repeated", p["person_id"])
		}
		seen[n] = true
	}
	if len(seen) < len(smp.persons)*9/10 {
		t.Errorf("only %d of %d persons have identity numbers", len(seen), len(smp.persons))
	}
}
