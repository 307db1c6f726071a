package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

func testHasher(t testing.TB) *models.PIDHasher {
	t.Helper()
	h, err := models.NewPIDHasher([]byte("ingest-test-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// fixedNow is the loader's clock in tests: the generator's reference date.
func fixedNow() time.Time { return time.Date(2026, time.June, 30, 12, 0, 0, 0, chinaTime) }

func testOptions(t testing.TB) LoadOptions {
	return LoadOptions{Hasher: testHasher(t), Source: "test", Now: fixedNow}
}

func openMemory(t testing.TB, dir string) *memory.Store {
	t.Helper()
	s, err := memory.Open(memory.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func scanAll(t testing.TB, s store.Scanner) *store.Batch {
	t.Helper()
	all := &store.Batch{}
	err := s.Scan(context.Background(), 10000, func(b *store.Batch) error {
		all.Append(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func counts(b *store.Batch) [6]int {
	return [6]int{len(b.Enterprises), len(b.Persons), len(b.Shareholdings), len(b.Roles), len(b.Branches), len(b.Records)}
}

// fileCounts is what counts gives for a store holding exactly the rows of
// a generated sample's files.
func fileCounts(gt *synth.GroundTruth) [6]int {
	rows := gt.Rows
	return [6]int{rows["enterprises.csv"], rows["persons.csv"], rows["shareholdings.csv"],
		rows["legal_reps.csv"] + rows["officers.csv"], rows["branches.csv"], rows["records.csv"]}
}

func TestLoadGenerated(t *testing.T) {
	smp := generated(t, 500)
	st := openMemory(t, "")
	opts := testOptions(t)
	opts.BatchSize = 700
	var progress []Progress
	opts.OnProgress = func(p Progress) { progress = append(progress, p) }
	sum, err := LoadDir(context.Background(), smp.dir, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total.Rejected != 0 || len(sum.Rejects) != 0 || sum.UnknownPersons != 0 {
		t.Fatalf("rejected %d, unknown persons %d: %v", sum.Total.Rejected, sum.UnknownPersons, sum.Rejects)
	}
	for _, k := range FileKinds {
		c := sum.ByKind[k]
		if want := int64(smp.gt.Rows[k.FileName()]); c.Read != want || c.Accepted != want {
			t.Errorf("%s: %+v, want %d read and accepted", k, c, want)
		}
	}
	if len(progress) == 0 || progress[len(progress)-1].Accepted != sum.Total.Accepted {
		t.Errorf("progress %v, total accepted %d", progress, sum.Total.Accepted)
	}
	all := scanAll(t, st)
	got := counts(all)
	want := fileCounts(smp.gt)
	if got != want {
		t.Errorf("store holds %v, files have %v", got, want)
	}
	for _, e := range all.Enterprises {
		if e.Placeholder {
			t.Fatalf("placeholder enterprise %s", e.Key)
		}
		if e.USCC != "" && e.Region != models.USCC(e.USCC).Division() {
			t.Errorf("%s: region %q", e.Key, e.Region)
		}
	}
	for _, p := range all.Persons {
		if p.Placeholder {
			t.Fatalf("placeholder person %s", p.PID)
		}
	}

	// Loading again changes nothing.
	sum2, err := LoadDir(context.Background(), smp.dir, st, opts)
	if err != nil || sum2.Total != sum.Total {
		t.Fatalf("second load: %+v, %v", sum2.Total, err)
	}
	again := scanAll(t, st)
	if counts(again) != got || !reflect.DeepEqual(again, all) {
		t.Errorf("second load changed the store: %v, was %v", counts(again), got)
	}
}

// TestIdentityNumbersNotStored loads a sample into a journaled store and
// looks for the raw identity numbers everywhere.
func TestIdentityNumbersNotStored(t *testing.T) {
	smp := generated(t, 500)
	dir := t.TempDir()
	st := openMemory(t, dir)
	if _, err := LoadDir(context.Background(), smp.dir, st, testOptions(t)); err != nil {
		t.Fatal(err)
	}
	all := scanAll(t, st)
	dump, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	journal, err := os.ReadFile(filepath.Join(dir, memory.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	h := testHasher(t)
	pids := map[string]bool{}
	for _, p := range all.Persons {
		pids[p.PID] = true
	}
	checked := 0
	for _, p := range smp.persons {
		n := p["id_number"]
		if n == "" {
			if !pids[h.FromSourceKey("test", p["person_id"])] {
				t.Errorf("person %s without identity number: no source-key pid", p["person_id"])
			}
			continue
		}
		checked++
		if pids[n] || bytes.Contains(dump, []byte(n)) || bytes.Contains(journal, []byte(n)) {
			t.Fatalf("identity number of %s found in the store", p["person_id"])
		}
		if !pids[h.FromIDNumber(n)] {
			t.Errorf("person %s: no pid from the identity number", p["person_id"])
		}
	}
	if checked == 0 {
		t.Fatal("no identity numbers checked")
	}
}

func TestLoadCanonicalTestdata(t *testing.T) {
	st := openMemory(t, "")
	opts := testOptions(t)
	sum, err := LoadDir(context.Background(), filepath.Join("..", "testdata", "canonical"), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total.Rejected != 0 {
		t.Fatalf("rejects: %v", sum.Rejects)
	}
	if sum.Total.Accepted != 31 || len(sum.Files) != 8 { // relations.csv: 2 rows
		t.Errorf("accepted %d rows from %d files", sum.Total.Accepted, len(sum.Files))
	}
	ctx := context.Background()
	e, err := st.Enterprise(ctx, "91440305MA5F000189")
	if err != nil {
		t.Fatal(err)
	}
	want := models.Enterprise{Key: "91440305MA5F000189", USCC: "91440305MA5F000189", Name: "深圳市华信科技有限公司",
		Kind: models.EnterpriseCompany, Status: models.StatusActive, Capital: 1e7, Currency: "CNY",
		Established: models.NewDate(2016, time.March, 1), Region: "440305", Industry: "I65",
		Address: "广东省深圳市南山区科技路88号华信大厦1808室", Phone: "075586012345", Email: "info@huaxin.example.cn"}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("enterprise\n got %+v\nwant %+v", e, want)
	}
	// Kind from the USCC category, full-width digits in addresses.
	ib, _ := st.Enterprise(ctx, "92440304MA5F000503")
	if ib.Kind != models.EnterpriseIndividual || ib.Address != "广东省深圳市福田区福华路5号" || ib.Currency != "CNY" {
		t.Errorf("individual business %+v", ib)
	}
	f, err := st.Enterprise(ctx, "src:foreign:F000001")
	if err != nil || f.Region != "" || f.Currency != "HKD" || f.Name != "Pacific Harbour Holdings Limited, Hong Kong" {
		t.Errorf("foreign %+v, %v", f, err)
	}
	h := testHasher(t)
	zhang := h.FromIDNumber("440305198001010013")
	if p, err := st.Person(ctx, zhang); err != nil || p.Name != "张伟" {
		t.Errorf("person by identity number: %+v, %v", p, err)
	}
	smith := h.FromSourceKey("test", "P004")
	if p, err := st.Person(ctx, smith); err != nil || p.Name != "David Smith" {
		t.Errorf("person by source key: %+v, %v", p, err)
	}
	recs, err := st.Records(ctx, models.EnterpriseRef("91440305MA5F000189"))
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v, %v", recs, err)
	}
	if r := recs[0]; r.ID != "src:test:R003" || r.Severity != 0.4 || r.Amount != 50000 || r.Removed.String() != "2024-11-15" {
		t.Errorf("record %+v", r)
	}
	prec, _ := st.Records(ctx, models.PersonRef(h.FromIDNumber("310115199006150039")))
	if len(prec) != 1 || prec[0].Kind != models.RecordDishonestDebtor {
		t.Errorf("person records %v", prec)
	}
	edges, _, err := st.Expand(ctx, []models.Ref{models.EnterpriseRef("91440305MA5F000189")}, []models.RelType{models.RelLegalRepOf})
	if err != nil || len(edges) != 2 {
		t.Errorf("legal reps %v, %v", edges, err)
	}
}

func TestLoadBadRows(t *testing.T) {
	st := openMemory(t, "")
	opts := testOptions(t)
	var all []Reject
	opts.OnReject = func(r Reject) { all = append(all, r) }
	opts.MaxRejects = 5
	sum, err := LoadDir(context.Background(), filepath.Join("..", "testdata", "bad"), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		file  string
		line  int
		field string
		in    string // in Reason or Fix
	}
	wants := []want{
		{"enterprises.csv", 3, "uscc", `expected check character '9'`},
		{"enterprises.csv", 4, "name", "required"},
		{"enterprises.csv", 5, "established", "2018-07-09"},
		{"enterprises.csv", 6, "established", "future"},
		{"enterprises.csv", 7, "status", "active, revoked"},
		{"enterprises.csv", 8, "capital", "write 1000000 for 100万"},
		{"enterprises.csv", 10, "", "has 5 fields, the header has 13"},
		{"enterprises.csv", 11, "uscc", "id are both empty"},
		{"enterprises.csv", 12, "region", "unknown province"},
		{"persons.csv", 3, "id_number", "check character"},
		{"persons.csv", 4, "name", "required"},
		{"persons.csv", 5, "id_number", "has 16 characters"},
		{"shareholdings.csv", 3, "ratio", "write 0.6 for 60%"},
		{"shareholdings.csv", 4, "ratio", "0.25 for 25%"},
		{"shareholdings.csv", 5, "holder_kind", "person, enterprise"},
		{"shareholdings.csv", 6, "holder", "itself"},
		{"shareholdings.csv", 7, "enterprise", "required"},
	}
	if len(all) != len(wants) {
		for _, r := range all {
			t.Log(r)
		}
		t.Fatalf("%d rejects, want %d", len(all), len(wants))
	}
	for i, w := range wants {
		r := all[i]
		if filepath.Base(r.File) != w.file || r.Line != w.line || r.Field != w.field || !strings.Contains(r.Reason+" "+r.Fix, w.in) {
			t.Errorf("reject %d: %s\nwant %s:%d %s …%s…", i, r, w.file, w.line, w.field, w.in)
		}
		if r.Reason == "" || r.Fix == "" {
			t.Errorf("reject %s: no reason or fix", r)
		}
	}
	if len(sum.Rejects) != 5 || sum.Rejects[0] != all[0] {
		t.Errorf("summary keeps %d rejects", len(sum.Rejects))
	}
	// Identity numbers never appear in rejects.
	if v := all[9].Value; v != strings.Repeat("*", 18) {
		t.Errorf("identity number in reject: %q", v)
	}
	for _, r := range all {
		if looksLikeIDNumber(r.Value) || strings.Contains(r.String(), "440305198001010014") {
			t.Errorf("identity number in reject %s", r)
		}
	}
	for k, c := range map[FileKind]Counts{
		FileEnterprises:   {Read: 13, Accepted: 4, Rejected: 9},
		FilePersons:       {Read: 5, Accepted: 2, Rejected: 3},
		FileShareholdings: {Read: 7, Accepted: 2, Rejected: 5},
	} {
		if got := sum.ByKind[k]; got != c {
			t.Errorf("%s: %+v, want %+v", k, got, c)
		}
	}
	// The good rows are in.
	ctx := context.Background()
	// A bare quote inside an unquoted value is kept as text (line 13).
	for _, key := range []string{"91440305MA5F000189", "91440106MA9C00071Y", "src:foreign:F000004", "src:foreign:F000003"} {
		if _, err := st.Enterprise(ctx, key); err != nil {
			t.Errorf("good row %s not loaded: %v", key, err)
		}
	}
	if e, _ := st.Enterprise(ctx, "src:foreign:F000004"); e.Currency != "USD" {
		t.Errorf("currency %q", e.Currency)
	}
	for _, key := range []string{"91440305MA5F000264", "91110105MA01A0037P"} {
		if _, err := st.Enterprise(ctx, key); err == nil {
			t.Errorf("bad row %s loaded", key)
		}
	}
	all2 := scanAll(t, st)
	if got := counts(all2); got != [6]int{4, 2, 2, 0, 0, 0} {
		t.Errorf("store holds %v", got)
	}
}

func TestLoadHeaderProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	files := []string{
		write("records.csv", "record_id,subject_kind,subject,kind\nR1,enterprise,91440305MA5F000189,blacklist\nR2,enterprise,91440305MA5F000189,blacklist\n"),
		write("branches.csv", ""),
		// BOM, upper-case and padded header names, columns in another order, an extra column.
		write("persons.csv", "\uFEFFName , PERSON_ID,nickname\n张伟,P1,小张\n"),
		write("legal_reps.csv", "person_id,enterprise,since,enterprise\nP1,91440305MA5F000189,,x\n"),
	}
	st := openMemory(t, "")
	sum, err := LoadFiles(context.Background(), files, st, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	// Files are loaded in dependency order.
	var order []string
	for _, f := range sum.Files {
		order = append(order, filepath.Base(f.File))
	}
	if strings.Join(order, " ") != "persons.csv legal_reps.csv branches.csv records.csv" {
		t.Errorf("order %v", order)
	}
	if c := sum.ByKind[FilePersons]; c.Accepted != 1 {
		t.Errorf("persons %+v: %v", c, sum.Rejects)
	}
	if sum.FileErrors != 3 || len(sum.Rejects) != 3 {
		t.Fatalf("file errors %d: %v", sum.FileErrors, sum.Rejects)
	}
	for i, w := range []struct{ file, field, in string }{
		{"legal_reps.csv", "enterprise", "twice"},
		{"branches.csv", "", "empty"},
		{"records.csv", "decided", "decided is missing"},
	} {
		r := sum.Rejects[i]
		if filepath.Base(r.File) != w.file || r.Line != 1 || r.Field != w.field || !strings.Contains(r.Reason, w.in) {
			t.Errorf("reject %s, want %s:1 %s %s", r, w.file, w.field, w.in)
		}
	}
	if c := sum.ByKind[FileRecords]; c.Read != 2 || c.Rejected != 2 {
		t.Errorf("records %+v", c)
	}
	if _, err := LoadFiles(context.Background(), []string{write("people.csv", "x\n")}, st, testOptions(t)); err == nil {
		t.Error("unknown file name: no error")
	}
	if _, err := LoadDir(context.Background(), t.TempDir(), st, testOptions(t)); err == nil {
		t.Error("empty directory: no error")
	}
}

func TestLoadUnknownPersons(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "legal_reps.csv"), []byte("person_id,enterprise\nP9,91440305MA5F000189\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := openMemory(t, "")
	sum, err := LoadDir(context.Background(), dir, st, testOptions(t))
	if err != nil || sum.UnknownPersons != 1 || sum.Total.Accepted != 1 {
		t.Fatalf("%+v, %v", sum, err)
	}
	p, err := st.Person(context.Background(), testHasher(t).FromSourceKey("test", "P9"))
	if err != nil || !p.Placeholder {
		t.Errorf("placeholder person %+v, %v", p, err)
	}
}

func TestLoadOptionsValidate(t *testing.T) {
	st := openMemory(t, "")
	for _, o := range []LoadOptions{
		{Source: "x"},
		{Hasher: testHasher(t)},
		{Hasher: testHasher(t), Source: "a:b"},
		{Hasher: testHasher(t), Source: "x", BatchSize: -1},
	} {
		if _, err := NewLoader(st, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestLoadCancelled(t *testing.T) {
	smp := generated(t, 500)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st := openMemory(t, "")
	if _, err := LoadDir(ctx, smp.dir, st, testOptions(t)); err == nil {
		t.Error("cancelled context: no error")
	}
}

// TestKeyBudgetSameResult loads a generated sample with the default key
// budget and with a budget of 8 keys (every index spills to disk many
// times): the summaries, the warnings and the stored graph must be the same,
// and no spill file may be left.
func TestKeyBudgetSameResult(t *testing.T) {
	smp := generated(t, 500)
	type outcome struct {
		sum      LoadSummary
		warnings []string
		graph    *store.Batch
	}
	load := func(budget int, refs References) outcome {
		st := openMemory(t, "")
		opts := testOptions(t)
		opts.KeyBudget = budget
		opts.TempDir = t.TempDir()
		opts.References = refs
		opts.Reader = st
		var warnings []string
		opts.OnReject = func(r Reject) { warnings = append(warnings, r.String()) }
		sum, err := LoadDir(context.Background(), smp.dir, st, opts)
		if err != nil {
			t.Fatal(err)
		}
		if left, _ := filepath.Glob(filepath.Join(opts.TempDir, "*")); len(left) != 0 {
			t.Errorf("budget %d: spill files left behind: %v", budget, left)
		}
		sum.Elapsed = 0
		for i := range sum.Files {
			sum.Files[i].File = filepath.Base(sum.Files[i].File)
		}
		return outcome{sum, warnings, scanAll(t, st)}
	}
	for _, refs := range []References{RefPlaceholder, RefReject} {
		want, got := load(0, refs), load(8, refs)
		if want.sum.Total.Accepted == 0 || want.sum.Total.Rejected != 0 {
			t.Fatalf("%s: reference load %+v", refs, want.sum.Total)
		}
		if !reflect.DeepEqual(got.sum.ByKind, want.sum.ByKind) || got.sum.Unresolved != want.sum.Unresolved ||
			got.sum.UnknownPersons != want.sum.UnknownPersons {
			t.Errorf("%s: budget 8 gives %+v (unresolved %d, unknown persons %d), default %+v (%d, %d)", refs,
				got.sum.ByKind, got.sum.Unresolved, got.sum.UnknownPersons, want.sum.ByKind, want.sum.Unresolved, want.sum.UnknownPersons)
		}
		if !reflect.DeepEqual(got.warnings, want.warnings) {
			t.Errorf("%s: warnings differ:\n%q\n%q", refs, got.warnings, want.warnings)
		}
		if !reflect.DeepEqual(got.graph, want.graph) {
			t.Errorf("%s: stored graphs differ: %v vs %v", refs, counts(got.graph), counts(want.graph))
		}
	}
}

// TestKeyIndexDiskErrorStopsLoad: when the key indexes cannot spill (the
// temporary directory is missing), the load stops with an error naming the
// directory instead of losing keys, and the rows written before stay.
func TestKeyIndexDiskErrorStopsLoad(t *testing.T) {
	smp := generated(t, 200)
	st := openMemory(t, "")
	opts := testOptions(t)
	opts.KeyBudget = 4
	opts.BatchSize = 1
	opts.TempDir = filepath.Join(t.TempDir(), "missing")
	sum, err := LoadDir(context.Background(), smp.dir, st, opts)
	if err == nil || !strings.Contains(err.Error(), opts.TempDir) {
		t.Fatalf("error %v, want one naming %s", err, opts.TempDir)
	}
	if sum.Stopped == "" {
		t.Error("summary does not say the load stopped")
	}
	if got := int64(len(scanAll(t, st).Enterprises)); got != sum.Total.Accepted || got == 0 {
		t.Errorf("store holds %d enterprises, summary accepted %d", got, sum.Total.Accepted)
	}
}
