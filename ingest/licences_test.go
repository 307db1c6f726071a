package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"riskgraph/ingest/reader"
	"riskgraph/models"
	"riskgraph/store"
)

// licenceExport is the 双公示 sample (ingest/testdata/mapped): line 2 a
// licence by USCC, 3 its holder by name only and 有效期至 长期, 4 a
// decision date that is no calendar date (2024年13月5日), 5 a licence
// valid until after today, 6 a name two stored enterprises share (a tie).
func licenceExport(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "mapped", "行政许可公示.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loadLicenceExport loads the matching tests' enterprises and the export
// (as given: UTF-8 or GB18030 bytes) with the shipped mapping into st.
func loadLicenceExport(t *testing.T, st interface {
	Writer
	ResolverStore
}, export []byte, matching bool) (LoadSummary, []Reject) {
	t.Helper()
	opts := testOptions(t)
	opts.Source = "sgs"
	opts.Mapping = loadMapping(t, "credit-licences.yaml")
	if matching {
		opts.Match = &MatchOptions{Resolver: StoreResolver(st, opts.Logger)}
	}
	sum, rejects, err := loadFiles(t, opts, st, map[string][]byte{
		"enterprises.csv": []byte(matchEnterprises),
		"行政许可公示.csv":      export,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum, rejects
}

func licencesOf(t *testing.T, st store.LicenceReader, key string) []models.Licence {
	t.Helper()
	ls, err := st.Licences(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// TestLicenceExportWithoutMatching: the shipped mapping reads a 双公示
// export; a row naming its holder by name only is refused with the fix
// (--match), a bad date is refused naming its column, the rest is stored
// with every field — for the UTF-8 file and a GB18030 copy of it.
func TestLicenceExportWithoutMatching(t *testing.T) {
	utf8Bytes := licenceExport(t)
	for name, b := range map[string][]byte{"utf-8": utf8Bytes, "gb18030": gbkBytes(t, string(utf8Bytes))} {
		t.Run(name, func(t *testing.T) {
			st := openMemory(t, "")
			sum, rejects := loadLicenceExport(t, st, b, false)
			c := sum.ByKind[FileLicences]
			if c.Read != 5 || c.Accepted != 2 || c.Rejected != 3 {
				t.Fatalf("licences %+v; want 5 read, 2 accepted, 3 rejected (rejects %v)", c, rejects)
			}
			for _, f := range sum.Files {
				if f.Kind == FileLicences && name == "gb18030" && f.Encoding != reader.EncodingGB18030 {
					t.Errorf("encoding %q, want gb18030", f.Encoding)
				}
			}
			r3, ok := rejectOn(rejects, 3)
			if !ok || filepath.Base(r3.File) != "行政许可公示.csv" || !strings.Contains(r3.Field, "enterprise") || !strings.Contains(r3.Reason, "enterprise_name only") ||
				!strings.Contains(r3.Fix, "--match") {
				t.Errorf("line 3 (holder by name only): %+v, want the fix --match", r3)
			}
			r4, ok := rejectOn(rejects, 4)
			if !ok || !strings.Contains(r4.Field, "许可决定日期") || !strings.Contains(r4.Field, "decided") || r4.Value != "2024年13月5日" ||
				!strings.Contains(r4.Reason, "not a calendar date") || r4.Fix == "" {
				t.Errorf("line 4 (bad date): %+v, want the column 许可决定日期 (decided), the value and a fix", r4)
			}
			if _, ok := rejectOn(rejects, 6); !ok {
				t.Errorf("line 6 (name only) was not refused without matching")
			}
			ls := licencesOf(t, st, mHuijun)
			want := models.Licence{ID: "src:sgs:深市监食许〔2024〕101号", Enterprise: mHuijun, Number: "JY14403050012345", Name: "食品经营许可证",
				DocNo: "深市监食许〔2024〕101号", Content: "预包装食品销售", Authority: "深圳市市场监督管理局",
				Decided: models.NewDate(2024, time.March, 5), ValidFrom: models.NewDate(2024, time.March, 5), ValidTo: models.NewDate(2029, time.March, 4)}
			if len(ls) != 1 || ls[0] != want {
				t.Errorf("licences of 汇骏: %+v\nwant %+v", ls, want)
			}
			if ls := licencesOf(t, st, mWuliu); len(ls) != 1 || ls[0].ValidTo != models.NewDate(2031, time.December, 31) || ls[0].MatchScore != 0 {
				t.Errorf("licences of 物流 (valid after today): %+v", ls)
			}
			if ls := licencesOf(t, st, mXinghe); len(ls) != 0 {
				t.Errorf("a refused row was stored: %+v", ls)
			}
		})
	}
}

// TestLicenceExportMatched: with --match the row naming its holder by
// name is attached (its score kept, 长期 an empty valid_to), the name two
// enterprises share is queued for review and written when an inspector
// accepts a candidate.
func TestLicenceExportMatched(t *testing.T) {
	testLicenceExportMatched(t, openMemory(t, t.TempDir()))
}

// licenceStore is what the licence tests load into and read.
type licenceStore interface {
	Writer
	ResolverStore
	store.LicenceReader
}

func testLicenceExportMatched(t *testing.T, st licenceStore) {
	sum, rejects := loadLicenceExport(t, st, gbkBytes(t, string(licenceExport(t))), true)
	c := sum.ByKind[FileLicences]
	if c.Read != 5 || c.Accepted != 3 || c.Matched != 1 || c.Queued != 1 || c.Rejected != 1 {
		t.Fatalf("licences %+v; want 5 read, 3 accepted (1 matched), 1 queued, 1 rejected (rejects %v)", c, rejects)
	}
	if _, ok := rejectOn(rejects, 4); !ok {
		t.Errorf("the bad date was not refused: %v", rejects)
	}
	ls := licencesOf(t, st, mXinghe)
	if len(ls) != 1 || ls[0].Name != "道路运输经营许可证" || ls[0].MatchScore < DefaultMatchAccept || !ls[0].ValidTo.IsZero() ||
		ls[0].ValidFrom != models.NewDate(2023, time.June, 1) {
		t.Fatalf("licences of 星河投资 (matched by name): %+v", ls)
	}
	if !ls[0].InForce(models.NewDate(2040, time.January, 1)) {
		t.Errorf("a licence without an end (长期) is not in force in 2040")
	}
	ctx := context.Background()
	queue, err := st.Reviews(ctx, store.ReviewFilter{Status: store.ReviewPending, Limit: 10})
	if err != nil || len(queue) != 1 || len(queue[0].Rows.Licences) != 1 || queue[0].Field != "enterprise" {
		t.Fatalf("queue: %+v, %v; want one entry holding the licence", queue, err)
	}
	e := queue[0]
	if e.Rows.Licences[0].Enterprise != "" || e.Rows.Licences[0].Name != "医疗器械经营许可证" {
		t.Errorf("held licence %+v", e.Rows.Licences[0])
	}
	for _, k := range []string{mBeijing, mHangz} {
		if ls := licencesOf(t, st, k); len(ls) != 0 {
			t.Errorf("a queued licence was written to %s: %+v", k, ls)
		}
	}
	cand, ok := e.Candidate(mBeijing)
	if !ok {
		t.Fatalf("北京 is not a candidate: %+v", e.Candidates)
	}
	b := e.Attached(mBeijing, cand.Score)
	if _, err := st.DecideReview(ctx, e.ID, store.ReviewDecision{Status: store.ReviewAccepted, Key: mBeijing, By: "insp", At: time.Now()}, &b); err != nil {
		t.Fatal(err)
	}
	if ls := licencesOf(t, st, mBeijing); len(ls) != 1 || ls[0].ID != "src:sgs:京械经许〔2022〕5号" || ls[0].MatchScore != cand.Score {
		t.Errorf("after the accept, licences of 北京: %+v", ls)
	}
	// Loading again applies the decision without asking.
	sum2, _ := loadLicenceExport(t, st, licenceExport(t), true)
	if c := sum2.ByKind[FileLicences]; c.Matched != 2 || c.Queued+c.QueuedBefore != 0 || c.Accepted != 4 {
		t.Errorf("second load: %+v; want both name-only rows matched", c)
	}
}

// TestCanonicalLicences: licences.csv in the canonical layout, each bad
// row refused naming its field and what to change, validity dates after
// today accepted (a licence runs for years), and the loaded rows stored.
func TestCanonicalLicences(t *testing.T) {
	const body = `licence_id,enterprise,name,number,doc_no,content,authority,decided,valid_from,valid_to
L1,914403001922038216,食品经营许可证,JY1,深市监食许〔2024〕1号,预包装食品销售,深圳市市场监督管理局,2024-03-05,2024-03-05,2029-03-04
L2,914403001922038216,,JY2,,,,2024-03-05,,
L3,914403001922038216,排污许可证,,,,,2027-01-01,,
L4,914403001922038216,排污许可证,,,,,2024-03-05,2025-01-01,2024-12-31
L5,914403001922038210,排污许可证,,,,,2024-03-05,,
L6,914403001922038216,排污许可证,,,,,,,
L7,914403001922038216,排污许可证,,,,,2024-03-05,,长期
,914403001922038216,排污许可证,,,,,2024-03-05,,
L9,OLD-7,卫生许可证,,,,,2024/3/5,,
L10,OLD-7,卫生许可证,,,,,2020-01-01,2020-01-01,
`
	st := openMemory(t, "")
	sum, rejects, err := loadFiles(t, testOptions(t), st, map[string][]byte{"licences.csv": []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[int][2]string{
		3:  {"name", "许可证书名称"},
		4:  {"decided", "later than today"},
		5:  {"valid_to", "swapped"},
		6:  {"enterprise", "mistyped"},
		7:  {"decided", "许可决定日期"},
		8:  {"valid_to", "长期"},
		9:  {"licence_id", "fill in licence_id"},
		10: {"decided", "2024-03-05"},
	} {
		r, ok := rejectOn(rejects, line)
		if !ok || r.Field != want[0] || !strings.Contains(r.Fix, want[1]) {
			t.Errorf("line %d: %+v, want field %s and a fix mentioning %q", line, r, want[0], want[1])
		}
	}
	if c := sum.ByKind[FileLicences]; c.Read != 10 || c.Accepted != 2 || c.Rejected != 8 {
		t.Errorf("licences %+v", c)
	}
	if ls := licencesOf(t, st, mHuijun); len(ls) != 1 || ls[0].ID != "src:test:L1" || ls[0].ValidTo != models.NewDate(2029, time.March, 4) {
		t.Errorf("licences of 汇骏: %+v", ls)
	}
	if ls := licencesOf(t, st, "src:test:OLD-7"); len(ls) != 1 || ls[0].ID != "src:test:L10" {
		t.Errorf("licences of the source key src:test:OLD-7 (a placeholder): %+v", ls)
	}
}
