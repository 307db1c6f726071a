package neo4j

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// readBulkFile reads one import file as CSV records (header first); nil when
// the file was not written.
func readBulkFile(t *testing.T, dir, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return recs
}

// The files hold the graph WriteBatch leaves: the last real row of an
// entity (a value with quotes and a line break kept whole), placeholders for
// what only relationships name, one row per relationship identity, a record
// moved to its last subject. Without a server: the Neo4j side of the same
// contract is TestBulkLoadMatchesOnlineLoad (cmd/riskgraph).
func TestBulkWriterFiles(t *testing.T) {
	for i, bf := range bulkFileOrders {
		if int(bf.idx) != i+1 {
			t.Fatalf("%s: idx %d, want its position in bulkFileOrders + 1 (%d)", bf.name, bf.idx, i+1)
		}
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "import")
	w, err := NewBulkWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	const a, b, c = "914403001922038216", "914403004JURQ283F0", "91440305QEFLCR63FR"
	ratio := 0.25
	first := &store.Batch{
		Enterprises: []models.Enterprise{{Key: a, USCC: a, Name: "first", Capital: 1e6}},
		Persons:     []models.Person{{PID: "p1", Name: "张伟"}},
		Shareholdings: []models.Shareholding{
			{Holder: models.PersonRef("p1"), Enterprise: a, Ratio: 0.4},
			{Holder: models.EnterpriseRef(b), Enterprise: a, Ratio: 0.1, VotingRatio: &ratio},
		},
		Roles:   []models.Role{{Person: "p1", Enterprise: a, Kind: models.RoleLegalRep}},
		Records: []models.Record{{ID: "r1", Subject: models.EnterpriseRef(a), Kind: "blacklist", Severity: 0.5}},
	}
	second := &store.Batch{
		Enterprises: []models.Enterprise{{Key: a, USCC: a, Name: "He said \"yes\",\nthen left", Established: models.NewDate(2019, 3, 5)},
			{Key: c, Name: "only a placeholder row", Placeholder: true}},
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef("p1"), Enterprise: a, Ratio: 0.6}},
		Records:       []models.Record{{ID: "r1", Subject: models.PersonRef("p1"), Kind: "blacklist", Severity: 0.7}},
	}
	for _, bt := range []*store.Batch{first, second} {
		if err := w.WriteBatch(ctx, bt); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteBatch(ctx, &store.Batch{Shareholdings: []models.Shareholding{{Holder: models.PersonRef("p1"), Enterprise: a, Ratio: 2}}}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a ratio of 2: %v, want ErrInvalid", err)
	}
	imp, err := w.Finish("")
	if err != nil {
		t.Fatal(err)
	}
	if imp.Generation != 2 || imp.Args[0] != "neo4j" || !slices.Contains(imp.Args, "--multiline-fields=true") {
		t.Errorf("generation %d, args %v", imp.Generation, imp.Args)
	}
	ents := readBulkFile(t, dir, "enterprises.csv")
	if len(ents) != 2 || ents[1][0] != a || ents[1][2] != "He said \"yes\",\nthen left" || ents[1][5] != "" || ents[1][7] != "2019-03-05" {
		t.Errorf("enterprises.csv: %q", ents)
	}
	holds := readBulkFile(t, dir, "enterprise_placeholders.csv")
	var keys []string
	for _, r := range holds[1:] {
		keys = append(keys, r[0]+"/"+r[2]+"/"+r[13])
	}
	slices.Sort(keys)
	if want := []string{b + "//true", c + "/only a placeholder row/true"}; !slices.Equal(keys, want) {
		t.Errorf("placeholders %q, want %q", keys, want)
	}
	shares := readBulkFile(t, dir, "holds_shares_person.csv")
	if len(shares) != 2 || shares[1][2] != "0.6" {
		t.Errorf("holds_shares_person.csv: %q (the second row replaces the first)", shares)
	}
	if e := readBulkFile(t, dir, "holds_shares_enterprise.csv"); len(e) != 2 || e[1][6] != "0.25" || e[1][7] != "" {
		t.Errorf("holds_shares_enterprise.csv: %q", e)
	}
	if lr := readBulkFile(t, dir, "legal_rep_of.csv"); len(lr) != 2 || !strings.Contains(lr[0][2], "title") {
		t.Errorf("legal_rep_of.csv: %q", lr)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "legal_rep_of.csv"))
	if !strings.Contains(string(raw), `"p1","`+a+`","",`) {
		t.Errorf("an empty title must be a quoted empty string (a property), got %q", raw)
	}
	if r := readBulkFile(t, dir, "has_record_enterprise.csv"); r != nil {
		t.Errorf("the record moved to the person, but the enterprise keeps %q", r)
	}
	if r := readBulkFile(t, dir, "has_record_person.csv"); len(r) != 2 || r[1][0] != "p1" {
		t.Errorf("has_record_person.csv: %q", r)
	}
	if r := readBulkFile(t, dir, "records.csv"); len(r) != 2 || r[1][2] != "0.7" {
		t.Errorf("records.csv: %q", r)
	}
	// The change feed's stamps: each row carries the generation of the
	// batch that wrote it last, as the online store's gen property does.
	last := func(r []string) string { return r[len(r)-1] }
	for file, want := range map[string]string{"enterprises.csv": "2", "persons.csv": "1", "records.csv": "2", "holds_shares_person.csv": "2",
		"holds_shares_enterprise.csv": "1", "legal_rep_of.csv": "1"} {
		rows := readBulkFile(t, dir, file)
		if len(rows) < 2 || last(rows[0]) != "gen:long" || last(rows[1]) != want {
			t.Errorf("%s: gen stamp %q, want header gen:long and %s", file, rows, want)
		}
	}
	if r := readBulkFile(t, dir, "has_record_person.csv"); last(r[0]) == "gen:long" {
		t.Errorf("has_record_person.csv carries a stamp the online store does not set: %q", r[0])
	}
	if m := readBulkFile(t, dir, "meta.csv"); len(m) != 2 || m[1][0] != "generation-00" || m[1][1] != "2" {
		t.Errorf("meta.csv: %q", m)
	}
	args, err := os.ReadFile(filepath.Join(dir, ImportArgsFile))
	if err != nil || !strings.Contains(string(args), "--nodes=Enterprise=") || !strings.Contains(string(args), "--relationships=HAS_RECORD=") {
		t.Errorf("import.args: %s %v", args, err)
	}
	if _, err := NewBulkWriter(dir); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a directory holding an earlier load: %v, want ErrInvalid", err)
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, "*.part")); len(parts) > 0 {
		t.Errorf("left behind: %v", parts)
	}
}
