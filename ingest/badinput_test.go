package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"riskgraph/ingest/mapping"
	"riskgraph/ingest/reader"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

const entHeader = "uscc,id,name,kind,status,capital,currency,established,region,industry,address,phone,email\n"

// loadFiles writes files into a temporary directory and loads them all.
func loadFiles(t *testing.T, opts LoadOptions, w Writer, files map[string][]byte) (LoadSummary, []Reject, error) {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ins, err := reader.Expand([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var all []Reject
	opts.OnReject = func(r Reject) { all = append(all, r) }
	sum, err := Load(context.Background(), ins, w, opts)
	return sum, all, err
}

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBadInput covers each bad input of the issue: a clear message naming
// file, line and field, and every good row of the file still loaded.
func TestBadInput(t *testing.T) {
	good := "91440305MA5F000189,,深圳市华信科技有限公司,company,active,10000000,CNY,2016-03-01,,I65,,,\n"
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	var many strings.Builder
	for i := range 50_000 {
		fmt.Fprintf(&many, ",X%d,名%d,,,,,,,,,,\n", i, i)
	}
	longGZ := gz(entHeader + good + many.String())
	for _, tc := range []struct {
		name     string
		files    map[string][]byte
		opts     func(*LoadOptions)
		accepted int64
		want     []string // substrings of rejects, in order ("file:line: field …")
		fileErr  bool
	}{
		{name: "invalid USCC", files: map[string][]byte{"enterprises.csv": []byte(entHeader + good + "91440305MA5F000188,,错码,,,,,,,,,,\n")},
			accepted: 1, want: []string{`enterprises.csv:3: uscc "91440305MA5F000188" character 18`}},
		{name: "lower-case USCC accepted", files: map[string][]byte{"enterprises.csv": []byte(entHeader + "91440305ma5f000189,,小写,,,,,,,,,,\n")},
			accepted: 1},
		{name: "negative capital", files: map[string][]byte{"enterprises.csv": []byte(entHeader + good + "91440305MA5F000264,,负资本,,,-5,,,,,,,\n")},
			accepted: 1, want: []string{`enterprises.csv:3: capital "-5" is negative`}},
		{name: "unparseable date", files: map[string][]byte{"enterprises.csv": []byte(entHeader + good + "91440305MA5F000264,,日期,,,,,2019-13-45,,,,,\n")},
			accepted: 1, want: []string{`enterprises.csv:3: established "2019-13-45" is not a date`}},
		{name: "future date", files: map[string][]byte{"enterprises.csv": []byte(entHeader + good + "91440305MA5F000264,,未来,,,,,2031-01-01,,,,,\n")},
			accepted: 1, want: []string{`enterprises.csv:3: established "2031-01-01" is in the future`}},
		{name: "ratio 120 %", files: map[string][]byte{"shareholdings.csv": []byte("holder_kind,holder,enterprise,ratio\nperson,P1,91440305MA5F000189,1.2\nperson,P2,91440305MA5F000189,0.5\n")},
			accepted: 1, want: []string{`shareholdings.csv:2: ratio "1.2" is outside [0,1]`}},
		{name: "ratio 120 % through a mapping", files: map[string][]byte{"股东.csv": []byte("统一社会信用代码,股东类型,股东证件号码,持股比例\n91440305MA5F000189,自然人股东,440305198001010013,120%\n91440305MA5F000189,自然人股东,110105197512310024,35.5%\n")},
			opts: func(o *LoadOptions) { o.Mapping = loadMapping(t, "samr-shareholders.yaml") }, accepted: 1,
			want: []string{`股东.csv:2: 持股比例 (ratio) "120%" is outside [0,1]`}},
		{name: "missing required column", files: map[string][]byte{"records.csv": []byte("record_id,subject_kind,subject,kind\nR1,enterprise,91440305MA5F000189,blacklist\n")},
			fileErr: true, want: []string{"records.csv:1: decided required column decided is missing"}},
		{name: "header matching no kind", files: map[string][]byte{"export.csv": []byte("a,b,c\n1,2,3\n")},
			fileErr: true, want: []string{"export.csv:1: the header matches no kind of file: a, b, c"}},
		{name: "empty file", files: map[string][]byte{"enterprises.csv": nil},
			fileErr: true, want: []string{"enterprises.csv:1: the file is empty"}},
		{name: "unterminated quote", files: map[string][]byte{"enterprises.csv": []byte(entHeader + "91440305MA5F000264,,\"未闭合,,,,,,,,,,\n" + good)},
			accepted: 1, want: []string{"enterprises.csv:2: the row cannot be read: a quoted value starting on line 2 is never closed"}},
		{name: "ragged rows", files: map[string][]byte{"enterprises.csv": []byte(entHeader + "91440305MA5F000264,,少列\n" + good + "91440305MA5F000264,,多列,,,,,,,,,,,x\n")},
			accepted: 1, want: []string{"enterprises.csv:2: has 3 fields, the header has 13", "enterprises.csv:4: has 14 fields"}},
		{name: "10 MB field", files: map[string][]byte{"enterprises.csv": []byte(entHeader + "91440305MA5F000264,,\"" + strings.Repeat("长", 10<<20/3) + "\",,,,,,,,,,\n" + good)},
			accepted: 1, want: []string{"enterprises.csv:2: the row cannot be read: the row is longer than 4194304 bytes"}},
		{name: "NUL bytes", files: map[string][]byte{"enterprises.csv": []byte(entHeader + "91440305MA5F000264,,空\x00字节,,,,,,,,,,\n" + good)},
			accepted: 1, want: []string{"enterprises.csv:2: name contains a NUL byte"}},
		{name: "truncated gz", files: map[string][]byte{"enterprises.csv.gz": longGZ[:len(longGZ)/2]},
			fileErr: true, want: []string{"reading stopped: ", "truncated gzip data"}},
		{name: "wrong encoding forced", files: map[string][]byte{"enterprises.csv": gbkBytes(t, entHeader+good)},
			opts: func(o *LoadOptions) { o.Encoding = "utf-8" }, want: []string{`is not valid UTF-8 (fix: the file is in another encoding`}},
		{name: "GBK detected", files: map[string][]byte{"enterprises.csv": gbkBytes(t, entHeader+good)}, accepted: 1},
		{name: "references rejected", files: map[string][]byte{
			"enterprises.csv": []byte(entHeader + good),
			"branches.csv":    []byte("branch,parent\n91440305MA5F000189,91440305MA5F000264\n91440305MA5F000264,91440305MA5F000189\n")},
			opts: func(o *LoadOptions) { o.References = RefReject }, accepted: 1,
			want: []string{"branches.csv:2: parent \"91440305MA5F000264\" names a enterprise that is neither in this load nor in the store", "branches.csv:3: branch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(t)
			if tc.opts != nil {
				tc.opts(&opts)
			}
			st := openMemory(t, "")
			sum, rejects, err := loadFiles(t, opts, st, tc.files)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			var got []string
			for _, r := range rejects {
				got = append(got, strings.TrimPrefix(r.String(), filepath.Dir(r.File)+"/"))
				if r.Reason == "" || r.Fix == "" {
					t.Errorf("reject without reason or fix: %s", r)
				}
			}
			if tc.name == "truncated gz" {
				got = []string{strings.Join(got, " ")}
				tc.want = []string{"truncated gzip data"}
			}
			if len(got) < len(tc.want) {
				t.Fatalf("rejects %q, want %q", got, tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("reject %d: %s\nwant …%s…", i, got[i], w)
				}
			}
			if tc.fileErr != (sum.FileErrors > 0) {
				t.Errorf("file errors %d", sum.FileErrors)
			}
			if tc.name != "truncated gz" && sum.Total.Accepted != tc.accepted {
				t.Errorf("accepted %d, want %d", sum.Total.Accepted, tc.accepted)
			}
			if tc.name == "truncated gz" && sum.Total.Accepted == 0 {
				t.Error("the rows before the cut were not loaded")
			}
			if tc.accepted > 0 && tc.name != "references rejected" && tc.name != "ratio 120 % through a mapping" && !strings.HasPrefix(tc.name, "ratio") {
				if _, err := st.Enterprise(context.Background(), "91440305MA5F000189"); err != nil {
					t.Errorf("the good row is not in the store: %v", err)
				}
			}
		})
	}
}

func loadMapping(t *testing.T, name string) *mapping.File {
	t.Helper()
	m, err := mapping.Load(filepath.Join("..", "mappings", name))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRegistrationExportGB18030 loads a Chinese registration export saved
// by Excel (GB18030, BOM-less, Chinese headers, 万元, Chinese dates and
// status words) through the shipped mapping: three passes over one file.
func TestRegistrationExportGB18030(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "mapped", "企业登记信息.csv"))
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t)
	opts.Mapping = loadMapping(t, "samr-registration.yaml")
	st := openMemory(t, "")
	sum, rejects, err := loadFiles(t, opts, st, map[string][]byte{"企业登记信息.csv": gbkBytes(t, string(b))})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rejects {
		t.Log(r)
	}
	if len(sum.Files) != 3 || sum.Files[0].Encoding != reader.EncodingGB18030 {
		t.Fatalf("passes %+v", sum.Files)
	}
	if c := sum.ByKind[FileEnterprises]; c.Read != 4 || c.Accepted != 3 || c.Rejected != 1 {
		t.Errorf("enterprises %+v", c)
	}
	if len(rejects) == 0 || !strings.Contains(rejects[0].String(), "登记状态 (status)") {
		t.Errorf("rejects %v", rejects)
	}
	ctx := context.Background()
	e, err := st.Enterprise(ctx, "91440305MA5F000189")
	if err != nil {
		t.Fatal(err)
	}
	if e.Capital != 1e6 || e.Established.String() != "2016-03-01" || e.Status != models.StatusActive || e.Kind != models.EnterpriseCompany {
		t.Errorf("enterprise %+v", e)
	}
	if r, _ := st.Enterprise(ctx, "91440106MA9C00071Y"); r.Status != models.StatusRevoked || r.Capital != 1.5e8 {
		t.Errorf("revoked enterprise %+v", r)
	}
	pid := testHasher(t).FromIDNumber("440305198001010013")
	if p, err := st.Person(ctx, pid); err != nil || p.Name != "张伟" {
		t.Errorf("legal representative by pid: %+v %v", p, err)
	}
	edges, _, _ := st.Expand(ctx, []models.Ref{models.PersonRef(pid)}, []models.RelType{models.RelLegalRepOf})
	if len(edges) != 1 {
		t.Errorf("LEGAL_REP_OF edges %v", edges)
	}
	for _, r := range rejects {
		if strings.Contains(r.String(), "440305198001010013") {
			t.Errorf("identity number in a reject: %s", r)
		}
	}
}

// TestDuplicatesAndShareSums runs with the default key budget and with a
// budget of one key, where every index lives on disk.
func TestDuplicatesAndShareSums(t *testing.T) {
	for _, budget := range []int{0, 1} {
		t.Run(fmt.Sprintf("budget=%d", budget), func(t *testing.T) { testDuplicatesAndShareSums(t, budget) })
	}
}

func testDuplicatesAndShareSums(t *testing.T, budget int) {
	st := openMemory(t, "")
	opts := testOptions(t)
	opts.KeyBudget = budget
	opts.TempDir = t.TempDir()
	opts.BatchSize = 1 // every row its own batch: the duplicate must still win last
	opts.InFlight = 8
	sum, rejects, err := loadFiles(t, opts, st, map[string][]byte{
		"enterprises.csv": []byte(entHeader + "91440305MA5F000189,,旧名,,,,,,,,,,\n91440305MA5F000264,,其他,,,,,,,,,,\n91440305MA5F000189,,新名,,,,,,,,,,\n"),
		"shareholdings.csv": []byte("holder_kind,holder,enterprise,ratio\nperson,P1,91440305MA5F000189,0.6\nperson,P2,91440305MA5F000189,0.3\n" +
			"person,P2,91440305MA5F000189,0.35\nperson,P3,91440305MA5F000189,0.2\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := st.Enterprise(context.Background(), "91440305MA5F000189")
	if e.Name != "新名" {
		t.Errorf("last row did not win: %q", e.Name)
	}
	if c := sum.ByKind[FileEnterprises]; c.Duplicates != 1 || c.Accepted != 3 || c.Warnings != 1 {
		t.Errorf("enterprises %+v", c)
	}
	if c := sum.ByKind[FileShareholdings]; c.Duplicates != 1 || c.Warnings != 2 || c.Accepted != 4 {
		t.Errorf("shareholdings %+v", c)
	}
	var warn []string
	for _, r := range rejects {
		warn = append(warn, filepath.Base(r.File)+":"+strings.SplitN(r.String(), ": ", 2)[1])
	}
	want := []string{"enterprises.csv:warning: repeats the key of line 2", "shareholdings.csv:warning: repeats the key of line 3",
		"shareholdings.csv:warning: enterprise \"91440305MA5F000189\" the shares of this enterprise in the file add up to 115.0%"}
	if len(warn) != 3 {
		t.Fatalf("warnings %q", warn)
	}
	for i := range want {
		if !strings.HasPrefix(warn[i], want[i]) {
			t.Errorf("warning %q, want %q", warn[i], want[i])
		}
	}
	if left, _ := filepath.Glob(filepath.Join(opts.TempDir, "*")); len(left) != 0 {
		t.Errorf("spill files left behind: %v", left)
	}
}

func TestMaxRejectsStops(t *testing.T) {
	st := openMemory(t, "")
	opts := testOptions(t)
	opts.AbortAfterRejects = 3
	opts.BatchSize = 2
	rows := entHeader + "91440305MA5F000189,,好,,,,,,,,,,\n91440305MA5F000264,,好,,,,,,,,,,\n" + strings.Repeat("x,y\n", 100)
	sum, _, err := loadFiles(t, opts, st, map[string][]byte{"enterprises.csv": []byte(rows)})
	if !errors.Is(err, ErrTooManyRejects) || !strings.Contains(err.Error(), "wrong file") {
		t.Fatalf("err %v", err)
	}
	if sum.Total.Accepted != 2 || sum.Total.Rejected != 4 || sum.Stopped == "" {
		t.Errorf("summary %+v", sum.Total)
	}
	if _, err := st.Enterprise(context.Background(), "91440305MA5F000264"); err != nil {
		t.Errorf("accepted row lost: %v", err)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	opts := testOptions(t)
	opts.DryRun = true
	sum, _, err := loadFiles(t, opts, nil, map[string][]byte{"enterprises.csv": []byte(entHeader + "91440305MA5F000189,,好,,,,,,,,,,\n")})
	if err != nil || sum.Total.Accepted != 1 || !sum.DryRun {
		t.Fatalf("%+v %v", sum, err)
	}
}

func TestStdinAndNDJSON(t *testing.T) {
	st := openMemory(t, "")
	opts := testOptions(t)
	opts.Kind = FilePersons
	opts.Format = reader.FormatNDJSON
	opts.Stdin = strings.NewReader(`{"person_id":"P1","name":"张伟","id_number":"440305198001010013"}` + "\n" + `{"person_id":"P2","name":""}` + "\n")
	sum, err := Load(context.Background(), []reader.Input{{Path: reader.Stdin, Name: "stdin"}}, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total.Accepted != 1 || sum.Total.Rejected != 1 || sum.Rejects[0].File != "stdin" || sum.Rejects[0].Line != 2 {
		t.Errorf("%+v %v", sum.Total, sum.Rejects)
	}
}

// failingWriter fails every write after the first n batches, like a store
// whose server went away in the middle of a load.
type failingWriter struct {
	Writer
	n, done atomic.Int64
}

func (f *failingWriter) WriteBatch(ctx context.Context, b *store.Batch) error {
	if f.done.Add(1) > f.n.Load() {
		return store.ErrUnavailable
	}
	return f.Writer.WriteBatch(ctx, b)
}

// TestResumeAfterStoreFailure stops a load by failing the store midway,
// then runs the same load again: it continues from the checkpoint (skips
// the rows written) and the store ends up complete.
func TestResumeAfterStoreFailure(t *testing.T) {
	smp := generated(t, 300)
	ins, err := reader.Expand([]string{smp.dir})
	if err != nil {
		t.Fatal(err)
	}
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	opts := testOptions(t)
	opts.BatchSize = 100
	opts.Checkpoint = filepath.Join(t.TempDir(), "ck.json")
	fw := &failingWriter{Writer: st}
	fw.n.Store(8)
	first, err := Load(context.Background(), ins, fw, opts)
	if !errors.Is(err, store.ErrUnavailable) || first.Stopped == "" {
		t.Fatalf("first run: %v", err)
	}
	if _, err := os.Stat(opts.Checkpoint); err != nil {
		t.Fatalf("no checkpoint after the failure: %v", err)
	}
	second, err := Load(context.Background(), ins, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Resumed || second.Total.Skipped == 0 || second.Total.Accepted >= second.Total.Read {
		t.Errorf("second run did not resume: %+v", second.Total)
	}
	if _, err := os.Stat(opts.Checkpoint); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkpoint left after a complete load: %v", err)
	}
	all := scanAll(t, st)
	want := fileCounts(smp.gt)
	if got := counts(all); got != want {
		t.Errorf("store holds %v, files have %v", got, want)
	}
	for _, p := range all.Persons {
		if p.Placeholder {
			t.Fatalf("placeholder person after resume: the resumed run lost the persons map")
		}
	}
}
