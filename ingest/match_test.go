package ingest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"riskgraph/ingest/mapping"
	"riskgraph/match"
	"riskgraph/models"
	"riskgraph/store"
)

// Enterprises of the matching tests (valid USCCs, names whose region
// agrees with the code's division).
const (
	mHuijun  = "914403001922038216" // 深圳市汇骏实业有限公司
	mXinghe  = "914403004JURQ283F0" // 深圳市前海星河投资有限公司
	mYunfan  = "91440305QEFLCR63FR" // 深圳市南山区云帆科技有限公司
	mBeijing = "911101050WTCDKQQ0L" // 北京市华信科技有限公司
	mHangz   = "91330106WA000LH0YG" // 杭州市华信科技有限公司
	mWuliu   = "91310115NE8PR7JY3Y" // 上海浦东星河物流有限公司
)

const matchEnterprises = `uscc,name,status
914403001922038216,深圳市汇骏实业有限公司,active
914403004JURQ283F0,深圳市前海星河投资有限公司,active
91440305QEFLCR63FR,深圳市南山区云帆科技有限公司,active
911101050WTCDKQQ0L,北京市华信科技有限公司,active
91330106WA000LH0YG,杭州市华信科技有限公司,active
91310115NE8PR7JY3Y,上海浦东星河物流有限公司,active
`

// matchRecords: line 2 a name without 市 and another legal form (attached
// to 汇骏), 3 the name in subject_name only (星河投资), 4 a name two
// enterprises share in other cities (a tie: review), 5 another form of it
// (its own review entry), 6 a name that resembles nothing well enough
// (rejected, candidates named), 7 a USCC (no matching), 8 a registration
// number no enterprise has (rejected), 9 云帆's code with a wrong check
// character (its organisation code decides), 10 an id of the data set
// (stays a source key).
const matchRecords = `record_id,subject_kind,subject,subject_name,kind,decided
R1,enterprise,深圳汇骏实业有限责任公司,,administrative_penalty,2024-01-05
R2,enterprise,,深圳市前海星河投资有限公司,administrative_penalty,2024-01-06
R3,enterprise,华信科技有限公司,,administrative_penalty,2024-01-07
R4,enterprise,华信科技公司,,abnormal_operations,2024-01-08
R5,enterprise,星河国际贸易集团,,administrative_penalty,2024-01-09
R6,enterprise,91310115NE8PR7JY3Y,,administrative_penalty,2024-01-10
R7,enterprise,440300000012345,,administrative_penalty,2024-01-11
R8,enterprise,91440305QEFLCR63FA,,administrative_penalty,2024-01-12
R9,enterprise,OLD-0042,,administrative_penalty,2024-01-13
`

func writeMatchFiles(t *testing.T, records string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"enterprises.csv": matchEnterprises, "records.csv": records} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// matchLoad loads dir into st with matching on; rejects are collected.
func matchLoad(t *testing.T, st interface {
	Writer
	ResolverStore
}, dir string, dry bool) (LoadSummary, []Reject) {
	t.Helper()
	opts := testOptions(t)
	opts.Source = "court"
	opts.DryRun = dry
	opts.Match = &MatchOptions{Resolver: StoreResolver(st, opts.Logger)}
	var rejects []Reject
	opts.OnReject = func(r Reject) { rejects = append(rejects, r) }
	var w Writer = st
	if dry {
		w = nil
	}
	sum, err := LoadDir(context.Background(), dir, w, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return sum, rejects
}

func recordsOn(t *testing.T, st store.Reader, key string) map[string]float64 {
	t.Helper()
	recs, err := st.Records(context.Background(), models.EnterpriseRef(key))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, r := range recs {
		out[strings.TrimPrefix(r.ID, "src:court:")] = r.MatchScore
	}
	return out
}

func rejectOn(rs []Reject, line int) (Reject, bool) {
	for _, r := range rs {
		if r.Line == line && r.Level == "" {
			return r, true
		}
	}
	return Reject{}, false
}

// TestMatchAtIngest: every outcome of matching at ingest on the memory
// store — attached with the score kept, queued for review (not written),
// rejected with the candidates named and what to change — and the rows
// that name their enterprise by key or by an id of the data set untouched.
func TestMatchAtIngest(t *testing.T) {
	st := openMemory(t, t.TempDir())
	dir := writeMatchFiles(t, matchRecords)
	sum, rejects := matchLoad(t, st, dir, false)
	rc := sum.ByKind[FileRecords]
	if rc.Read != 9 || rc.Matched != 3 || rc.Queued != 2 || rc.MatchRejected != 2 || rc.Rejected != 2 || rc.Accepted != 5 || rc.QueuedBefore != 0 {
		t.Errorf("records: %+v; want 9 read, 3 matched, 2 queued, 2 rejected by matching, 5 accepted", rc)
	}
	if got := recordsOn(t, st, mHuijun); got["R1"] < DefaultMatchAccept || got["R1"] > 1 {
		t.Errorf("R1 (深圳汇骏实业有限责任公司) on 汇骏: %v, want attached with its score", got)
	}
	if got := recordsOn(t, st, mXinghe); got["R2"] < DefaultMatchAccept {
		t.Errorf("R2 (subject_name) on 星河投资: %v", got)
	}
	if got := recordsOn(t, st, mYunfan); got["R8"] != 1 {
		t.Errorf("R8 (broken USCC, intact org code) on 云帆: %v, want score 1", got)
	}
	if got := recordsOn(t, st, mWuliu); len(got) != 1 || got["R6"] != 0 {
		t.Errorf("R6 (by USCC) on 物流: %v, want no match score", got)
	}
	if got := recordsOn(t, st, "src:court:OLD-0042"); len(got) != 1 {
		t.Errorf("R9 (an id of the data set): %v, want it on src:court:OLD-0042", got)
	}
	for _, k := range []string{mBeijing, mHangz} {
		if got := recordsOn(t, st, k); len(got) != 0 {
			t.Errorf("a queued row was written to %s: %v", k, got)
		}
	}
	// The queue: one entry per uncertain reference, both namesakes named.
	queue, err := st.Reviews(context.Background(), store.ReviewFilter{Status: store.ReviewPending, Limit: 10})
	if err != nil || len(queue) != 2 {
		t.Fatalf("queue: %+v, %v; want 2 entries", queue, err)
	}
	for _, e := range queue {
		keys := []string{}
		for _, c := range e.Candidates {
			keys = append(keys, c.Key)
		}
		if !slices.Contains(keys, mBeijing) || !slices.Contains(keys, mHangz) || e.Field != "subject" || e.Source != "court" ||
			e.Rows.Len() != 1 || e.Rows.Records[0].Subject.Key != "" || e.File == "" || (e.Line != 4 && e.Line != 5) {
			t.Errorf("entry %+v: want both 华信科技 as candidates and the held record", e)
		}
		if e.ID != ReviewID("court", "subject", queryOf(e)) {
			t.Errorf("entry id %s is not the fingerprint of its query", e.ID)
		}
	}
	// Rejected rows: the candidates named, and what to change.
	r5, ok := rejectOn(rejects, 6)
	if !ok || r5.Field != "subject" || r5.Value != "星河国际贸易集团" || !strings.Contains(r5.Reason, "best candidates") ||
		!strings.Contains(r5.Reason, "星河") || !strings.Contains(r5.Fix, "USCC") || !strings.Contains(r5.Fix, "subject_address") {
		t.Errorf("line 6: %+v, %v; want the best candidates named and the fix", r5, ok)
	}
	r7, ok := rejectOn(rejects, 8)
	if !ok || !strings.Contains(r7.Reason, "matches no stored enterprise") {
		t.Errorf("line 8 (unknown registration number): %+v", r7)
	}

	// Run again: nothing is queued twice, the pending rows count as queued before.
	sum2, _ := matchLoad(t, st, dir, false)
	rc2 := sum2.ByKind[FileRecords]
	if rc2.QueuedBefore != 2 || rc2.Queued != 0 || rc2.Matched != 3 || rc2.MatchRejected != 2 {
		t.Errorf("second run: %+v; want the 2 queued rows as queued before", rc2)
	}
	if q, _ := st.Reviews(context.Background(), store.ReviewFilter{Limit: 10}); len(q) != 2 || q[0].Rows.Len() != 1 || q[1].Rows.Len() != 1 {
		t.Errorf("after the second run the queue holds %d entries (%+v), want the same 2 with one row each", len(q), q)
	}

	// Decide: accept R3's entry for 北京, reject R4's.
	var r3, r4 store.Review
	for _, e := range queue {
		if e.Rows.Records[0].ID == "src:court:R3" {
			r3 = e
		} else {
			r4 = e
		}
	}
	at := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	c, _ := r3.Candidate(mBeijing)
	b := r3.Attached(mBeijing, c.Score)
	if _, err := st.DecideReview(context.Background(), r3.ID, store.ReviewDecision{Status: store.ReviewAccepted, Key: mBeijing, By: "insp", At: at}, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DecideReview(context.Background(), r4.ID, store.ReviewDecision{Status: store.ReviewRejected, By: "insp", At: at}, nil); err != nil {
		t.Fatal(err)
	}
	if got := recordsOn(t, st, mBeijing); got["R3"] != c.Score {
		t.Errorf("accepting wrote %v on 北京, want R3 with score %v", got, c.Score)
	}
	// Run again: the decisions are applied without asking.
	sum3, rejects3 := matchLoad(t, st, dir, false)
	rc3 := sum3.ByKind[FileRecords]
	if rc3.Matched != 4 || rc3.Queued+rc3.QueuedBefore != 0 || rc3.MatchRejected != 3 {
		t.Errorf("third run: %+v; want R3 matched by the decision, R4 rejected by it", rc3)
	}
	r4rej, ok := rejectOn(rejects3, 5)
	if !ok || !strings.Contains(r4rej.Reason, "a reviewer rejected") || !strings.Contains(r4rej.Reason, r4.ID) || !strings.Contains(r4rej.Reason, "insp") {
		t.Errorf("line 5 after the rejection: %+v", r4rej)
	}
	if q, _ := st.Reviews(context.Background(), store.ReviewFilter{Limit: 10}); len(q) != 2 {
		t.Errorf("the queue holds %d entries after the third run, want 2", len(q))
	}
}

func queryOf(e store.Review) match.Query {
	return match.Query{Name: e.Query.Name, OrgCode: e.Query.OrgCode, RegNo: e.Query.RegNo, Address: e.Query.Address,
		Phone: e.Query.Phone, Region: e.Query.Region, LegalRep: e.Query.LegalRep}
}

// TestMatchAtIngestDryRun: a dry run matches against what the store
// holds, counts what would be queued, and queues and writes nothing.
func TestMatchAtIngestDryRun(t *testing.T) {
	st := openMemory(t, t.TempDir())
	dir := writeMatchFiles(t, matchRecords)
	// The enterprises first (a dry run writes nothing, so they must be stored).
	if _, err := LoadFiles(context.Background(), []string{filepath.Join(dir, "enterprises.csv")}, st, testOptions(t)); err != nil {
		t.Fatal(err)
	}
	gen, _ := st.Generation(context.Background())
	sum, _ := matchLoad(t, st, dir, true)
	rc := sum.ByKind[FileRecords]
	if rc.Matched != 3 || rc.Queued != 2 || rc.MatchRejected != 2 {
		t.Errorf("dry run: %+v", rc)
	}
	if q, _ := st.Reviews(context.Background(), store.ReviewFilter{Limit: 10}); len(q) != 0 {
		t.Errorf("a dry run queued %d entries", len(q))
	}
	if g, _ := st.Generation(context.Background()); g != gen {
		t.Errorf("a dry run wrote: generation %d → %d", gen, g)
	}
}

// TestMatchAtIngestEveryReference: shareholdings (holder and enterprise),
// legal representatives, officers and branches resolve their enterprise
// references by name too, with clues; a row whose two references both
// need a review is rejected saying so.
func TestMatchAtIngestEveryReference(t *testing.T) {
	st := openMemory(t, t.TempDir())
	dir := writeMatchFiles(t, "record_id,subject_kind,subject,kind,decided\n")
	files := map[string]string{
		"persons.csv": "person_id,name\nP1,张伟\n",
		"shareholdings.csv": "holder_kind,holder,holder_name,enterprise,enterprise_name,enterprise_region,ratio\n" +
			"enterprise,,深圳汇骏实业有限公司,云帆科技有限公司,,深圳市南山区,0.3\n" +
			"enterprise,华信科技有限公司,,,华信科技有限公司,,0.2\n",
		"legal_reps.csv": "person_id,enterprise,enterprise_name\nP1,,上海浦东星河物流有限公司\n",
		"officers.csv":   "person_id,enterprise,title\nP1,深圳前海星河投资有限公司,董事长\n",
		"branches.csv":   "branch,parent,parent_name\n91330106WA000LH0YG,,深圳市汇骏实业有限公司\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sum, rejects := matchLoad(t, st, dir, false)
	all := scanAll(t, st)
	var share *models.Shareholding
	for i, s := range all.Shareholdings {
		if s.Holder.Key == mHuijun {
			share = &all.Shareholdings[i]
		}
	}
	if share == nil || share.Enterprise != mYunfan || share.MatchScore < DefaultMatchAccept {
		t.Errorf("shareholding by names: %+v, want 汇骏 → 云帆 with a score", share)
	}
	roles := map[string]models.Role{}
	for _, r := range all.Roles {
		roles[string(r.Kind)+" "+r.Enterprise] = r
	}
	if r, ok := roles["legal_rep "+mWuliu]; !ok || r.MatchScore < DefaultMatchAccept {
		t.Errorf("legal rep by enterprise_name: %+v (%v)", roles, ok)
	}
	if r, ok := roles["officer "+mXinghe]; !ok || r.MatchScore < DefaultMatchAccept || r.TitleText != "董事长" {
		t.Errorf("officer by a name in enterprise: %+v", roles)
	}
	if len(all.Branches) != 1 || all.Branches[0].Branch != mHangz || all.Branches[0].Parent != mHuijun || all.Branches[0].MatchScore < DefaultMatchAccept {
		t.Errorf("branch with parent_name: %+v", all.Branches)
	}
	if c := sum.ByKind[FileShareholdings]; c.Matched != 1 || c.MatchRejected != 1 {
		t.Errorf("shareholdings: %+v, want 1 matched and 1 rejected (two references to review)", c)
	}
	r, ok := rejectOn(rejects, 3)
	if !ok || !strings.Contains(r.Reason, "two references that need a review") || !strings.Contains(r.Fix, "USCC of one of them") {
		t.Errorf("shareholdings line 3: %+v", r)
	}
}

// TestNameWithoutMatching: without matching, a row naming its enterprise
// by <field>_name only is refused saying how to have it matched, and
// companions beside a key are ignored.
func TestNameWithoutMatching(t *testing.T) {
	st := openMemory(t, "")
	dir := writeMatchFiles(t, "record_id,subject_kind,subject,subject_name,kind,decided\n"+
		"R1,enterprise,,深圳市汇骏实业有限公司,administrative_penalty,2024-01-05\n"+
		"R2,enterprise,914403001922038216,别的名字,administrative_penalty,2024-01-05\n")
	var rejects []Reject
	opts := testOptions(t)
	opts.OnReject = func(r Reject) { rejects = append(rejects, r) }
	sum, err := LoadDir(context.Background(), dir, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if c := sum.ByKind[FileRecords]; c.Accepted != 1 || c.Rejected != 1 || c.Matched != 0 {
		t.Errorf("records: %+v", c)
	}
	r, ok := rejectOn(rejects, 2)
	if !ok || r.Field != "subject" || !strings.Contains(r.Fix, "--match") {
		t.Errorf("line 2: %+v, want the fix to load with --match", r)
	}
}

// TestMatchThresholds: thresholds out of range, or review above accept,
// are refused naming where they were set.
func TestMatchThresholds(t *testing.T) {
	st := openMemory(t, "")
	for _, tc := range []struct {
		m    MatchOptions
		want []string
	}{
		{MatchOptions{Accept: 1.2, AcceptFrom: "--match-accept"}, []string{"--match-accept 1.2", "at most 1"}},
		{MatchOptions{Review: -0.1, ReviewFrom: "--match-review"}, []string{"--match-review -0.1", "above 0"}},
		{MatchOptions{Accept: 0.8, Review: 0.85, AcceptFrom: "mapping m match.accept", ReviewFrom: "--match-review"},
			[]string{"--match-review 0.85 is above mapping m match.accept 0.8"}},
		{MatchOptions{Review: 0.95, ReviewFrom: "--match-review"}, []string{"--match-review 0.95 is above the default accept threshold 0.9"}},
	} {
		opts := testOptions(t)
		m := tc.m
		m.Resolver = StoreResolver(st, opts.Logger)
		opts.Match = &m
		_, err := NewLoader(st, opts)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: %v, want it to say %q", tc.m, err, w)
			}
		}
	}
	for _, tc := range []struct{ yaml, want string }{
		{"match: {accept: 1.5}", "match.accept 1.5"},
		{"match: {review: 0}", "match.review 0"},
		{"match: {accept: 0.8, review: 0.9}", "match.review 0.9 is above match.accept 0.8"},
	} {
		_, err := mapping.Parse([]byte(tc.yaml+"\ntables:\n  - kind: records\n    columns: {record_id: id}\n"), false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.yaml, err, tc.want)
		}
	}
	// A mapping asking for matching, without a matcher.
	mf, err := mapping.Parse([]byte("match: {}\ntables:\n  - kind: records\n    columns: {record_id: id, subject_kind: k, subject_name: n, kind: t, decided: d}\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.Mapping = mf
	if _, err := NewLoader(st, opts); err == nil || !strings.Contains(err.Error(), "asks for matching") {
		t.Errorf("mapping with match: and no matcher: %v", err)
	}
}
