package memory

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// openDir opens a store on the journal in dir, logging nothing.
func openDir(dir string) (*Store, error) { return Open(Options{DataDir: dir, Logger: zerolog.Nop()}) }

// dump is everything a client can read from a store, in a comparable form.
func dump(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	var all store.Batch
	if err := s.Scan(ctx, 1000, func(b *store.Batch) error { all.Append(b); return nil }); err != nil {
		t.Fatal(err)
	}
	gen, _ := s.Generation(ctx)
	runs, _ := s.Runs(ctx, 100)
	keys, _ := s.Keys(ctx)
	audit, _ := s.Audit(ctx, store.AuditQuery{Limit: 1000})
	reports, _ := s.Reports(ctx, 100)
	var bodies []string
	for _, r := range reports {
		full, err := s.Report(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(full.Body))
	}
	var snaps []string
	for _, run := range []string{"run-1", "run-2"} {
		b, err := s.Snapshot(ctx, run)
		snaps = append(snaps, string(b)+"|"+errString(err))
	}
	lists, _ := s.Watchlists(ctx)
	out, err := json.Marshal([]any{all, gen, runs, keys, audit, reports, bodies, snaps, lists})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestCompactKeepsEverything: after Compact the store reads exactly as
// before — data, current and previous results, staged results, runs, keys
// and revocations, the audit trail, reports with bodies and deliveries,
// snapshots, watch-lists, the data generation, an appointment's replaced
// title text — in the same process and after a restart, the journal is
// smaller, and writes after it persist.
func TestCompactKeepsEverything(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 3 { // repeated loads: what compaction is for
		must(s.WriteBatch(ctx, storetest.Fixture()))
	}
	for _, since := range []models.Date{models.NewDate(2010, 5, 1), models.NewDate(2011, 6, 2)} { // an upserted relation
		must(s.WriteBatch(ctx, &store.Batch{Relations: []models.Relation{
			{A: storetest.P2, B: storetest.P1, Kind: models.RelationSpouse, Since: since},
			{A: storetest.P1, B: storetest.P3, Kind: models.RelationRelative}}}))
	}
	for _, text := range []string{"执行董事兼总经理", "执行董事"} { // a title text replaced by the next
		must(s.WriteBatch(ctx, &store.Batch{Roles: []models.Role{{Person: storetest.P1, Enterprise: storetest.G,
			Kind: models.RoleOfficer, Title: "executive_director", TitleText: text}}}))
	}
	moved := storetest.Fixture().Records[0]
	moved.Subject, moved.Reason = models.EnterpriseRef(storetest.D), "改判"
	must(s.WriteBatch(ctx, &store.Batch{Records: []models.Record{moved},
		Enterprises: []models.Enterprise{{Key: storetest.C, USCC: storetest.C, Name: "改名后的公司", Status: models.StatusActive}}}))
	result := func(run string, ref models.Ref, score float64) models.RiskResult {
		return models.RiskResult{Ref: ref, Risk: models.Risk{Score: score, Grade: "C", Run: run, Flags: []string{"shell_cluster"}, Details: json.RawMessage(`{"k":1}`)}}
	}
	c := models.EnterpriseRef(storetest.C)
	must(s.WriteResults(ctx, []models.RiskResult{result("run-1", c, 0.4), result("run-1", models.PersonRef(storetest.P3), 0.2)}))
	must(s.PromoteRun(ctx, "run-1"))
	must(s.WriteResults(ctx, []models.RiskResult{result("run-2", c, 0.5)}))
	must(s.PromoteRun(ctx, "run-2"))
	must(s.WriteResults(ctx, []models.RiskResult{result("run-3", models.EnterpriseRef(storetest.D), 0.9)})) // staged only
	t0 := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	must(s.SaveRun(ctx, store.Run{ID: "run-1", Started: t0, Finished: t0.Add(time.Minute), Status: store.RunCompleted, Generation: 3}))
	must(s.SaveRun(ctx, store.Run{ID: "run-2", Started: t0.Add(time.Hour), Status: store.RunFailed, Error: "boom"}))
	must(s.SaveKey(ctx, store.APIKey{ID: "k1", Name: "a", Role: "admin", Hash: "h1", Created: t0}))
	must(s.SaveKey(ctx, store.APIKey{ID: "k2", Name: "b", Role: "dashboard", Hash: "h2", Created: t0}))
	must(s.RevokeKey(ctx, "k2", t0.Add(time.Hour)))
	must(s.AppendAudit(ctx, []store.AuditEntry{{ID: "a1", Time: t0, KeyID: "k1", Method: "GET", Route: "/x", Status: 200},
		{ID: "a2", Time: t0.Add(time.Second), KeyID: "k2", Method: "GET", Route: "/y", Status: 403}}))
	must(s.SaveReport(ctx, store.Report{ID: "rep-1", Created: t0, Run: "run-2", Against: "run-1", Summary: json.RawMessage(`{"n":1}`), Body: []byte("<html>1</html>")}))
	must(s.SetReportDelivery(ctx, "rep-1", json.RawMessage(`{"webhook":"ok"}`)))
	must(s.SaveSnapshot(ctx, "run-1", []byte("snap-1")))
	must(s.SaveSnapshot(ctx, "run-2", []byte("snap-2")))
	must(s.DeleteSnapshot(ctx, "run-1"))
	must(s.SaveWatchlist(ctx, store.Watchlist{ID: "w1", Name: "重点", Keys: []string{storetest.B}, Created: t0}))
	must(s.SaveWatchlist(ctx, store.Watchlist{ID: "w2", Name: "gone", Created: t0}))
	must(s.DeleteWatchlist(ctx, "w2"))
	before := dump(t, s)
	if !strings.Contains(before, `"kind":"spouse","since":"2011-06-02"`) {
		t.Fatalf("the dump lacks the upserted spouse relation: %s", before)
	}
	if !strings.Contains(before, `"title":"executive_director","title_text":"执行董事",`) || strings.Contains(before, "兼总经理") {
		t.Fatalf("the dump lacks the replaced title text: %s", before)
	}

	st, err := s.Compact(ctx)
	must(err)
	if st.BytesAfter <= 0 || st.BytesAfter >= st.BytesBefore || st.Records == 0 {
		t.Fatalf("compaction: %+v; want a smaller journal", st)
	}
	if got := dump(t, s); got != before {
		t.Fatalf("the store reads differently after compaction:\n got  %s\n want %s", got, before)
	}
	if fi, err := os.Stat(filepath.Join(dir, JournalFile)); err != nil || fi.Size() != st.BytesAfter {
		t.Fatalf("journal file after compaction: %v, %v; want %d bytes", fi, err, st.BytesAfter)
	}
	after := &store.Batch{Enterprises: []models.Enterprise{{Key: "src:after:1", Name: "压缩后写入"}}}
	must(s.WriteBatch(ctx, after))
	want := dump(t, s)
	must(s.Close())

	s, err = openDir(dir)
	must(err)
	defer s.Close()
	if got := dump(t, s); got != want {
		t.Fatalf("the store replays differently after compaction:\n got  %s\n want %s", got, want)
	}
	e, err := s.Enterprise(ctx, storetest.C)
	must(err)
	if e.Risk == nil || e.Risk.Run != "run-2" || e.Risk.Previous == nil || e.Risk.Previous.Run != "run-1" ||
		!reflect.DeepEqual(e.Risk.Details, json.RawMessage(`{"k":1}`)) {
		t.Fatalf("current and previous result after replay: %+v", e.Risk)
	}
	must(s.PromoteRun(ctx, "run-3")) // the staged result survived
	if d, err := s.Enterprise(ctx, storetest.D); err != nil || d.Risk == nil || d.Risk.Run != "run-3" {
		t.Fatalf("staged result after compaction and replay: %+v, %v", d.Risk, err)
	}
}

// TestCompactLeftoverIsRemoved: a compaction interrupted before its rename
// leaves a temporary file and the complete old journal; opening the store
// removes the file and replays the journal.
func TestCompactLeftoverIsRemoved(t *testing.T) {
	dir := t.TempDir()
	s, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(context.Background(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	want := dump(t, s)
	s.Close()
	tmp := filepath.Join(dir, JournalFile+compactSuffix)
	if err := os.WriteFile(tmp, []byte("half a compaction"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary file is still there: %v", err)
	}
	if got := dump(t, s); got != want {
		t.Errorf("store after an interrupted compaction:\n got  %s\n want %s", got, want)
	}
}

// TestCompactWithConcurrentWriters: writes acknowledged while compactions
// run are all there after a restart (none is lost with the old journal
// file, and no writer fails on it).
func TestCompactWithConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 60
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			for i := range each {
				key := "src:w:" + string(rune('a'+w)) + "-" + strconv.Itoa(i)
				if err := s.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{{Key: key, Name: key}}}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 3 {
		if _, err := s.Compact(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatalf("a write failed during compaction: %v", err)
		}
	}
	s.Close()
	s, err = openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for w := range writers {
		for i := range each {
			key := "src:w:" + string(rune('a'+w)) + "-" + strconv.Itoa(i)
			if _, err := s.Enterprise(ctx, key); err != nil {
				t.Fatalf("acknowledged write %s lost: %v", key, err)
			}
		}
	}
	if gen, _ := s.Generation(ctx); gen != writers*each {
		t.Errorf("generation %d after %d batches", gen, writers*each)
	}
}

// TestOpenSuggestsCompaction: a journal holding many times the rows the
// store keeps makes Open say so, and a compacted one does not.
func TestOpenSuggestsCompaction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := &store.Batch{}
	for i := range 4000 {
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: "src:t:" + strconv.Itoa(i), Name: "x"})
	}
	for range 4 {
		if err := s.WriteBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	opened := func() string {
		var log strings.Builder
		s, err := Open(Options{DataDir: dir, Logger: zerolog.New(&log)})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Compact(ctx); err != nil {
			t.Fatal(err)
		}
		return log.String()
	}
	if l := opened(); !strings.Contains(l, "riskgraph compact") {
		t.Errorf("16 000 rows replayed for 4 000 held, and no suggestion to compact:\n%s", l)
	}
	if l := opened(); strings.Contains(l, "riskgraph compact") {
		t.Errorf("a compacted journal still draws the suggestion:\n%s", l)
	}
}
