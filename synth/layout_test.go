package synth

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"riskgraph/ingest"
)

// TestLayoutIsIngests holds the generator's files to the layout ingest
// reads: the same files in the same order, each written with ingest's
// canonical header, and the enterprise column positions naming the columns
// they are used for.
func TestLayoutIsIngests(t *testing.T) {
	if len(fileKinds) != len(ingest.FileKinds) {
		t.Fatalf("synth writes %d files, ingest reads %d", len(fileKinds), len(ingest.FileKinds))
	}
	dir := t.TempDir()
	if _, err := Generate(GenerateOptions{Enterprises: 20, Seed: 1, Out: dir}); err != nil {
		t.Fatal(err)
	}
	for i, k := range ingest.FileKinds {
		if got := fileKinds[i].fileName(); got != k.FileName() {
			t.Errorf("file %d: synth writes %s, ingest reads %s", i, got, k.FileName())
			continue
		}
		f, err := os.Open(filepath.Join(dir, k.FileName()))
		if err != nil {
			t.Fatal(err)
		}
		header, err := csv.NewReader(f).Read()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", k.FileName(), err)
		}
		if !slices.Equal(header, k.ColumnNames()) {
			t.Errorf("%s: header %v, ingest's canonical columns %v", k.FileName(), header, k.ColumnNames())
		}
	}
	ent := columns[fileEnterprises]
	for pos, name := range map[int]string{entUSCC: "uscc", entID: "id", entName: "name", entKind: "kind",
		entStatus: "status", entCapital: "capital", entCurrency: "currency", entEstablished: "established",
		entRegion: "region", entIndustry: "industry", entAddress: "address", entPhone: "phone", entEmail: "email"} {
		if ent[pos] != name {
			t.Errorf("enterprise column %d is %q, the generator writes %q there", pos, ent[pos], name)
		}
	}
}
