package match

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/longbridgeapp/opencc"

	"riskgraph/models"
	"riskgraph/synth"
)

// small is a hand-built set: near-namesakes that a matcher must tell apart.
func small(t *testing.T) *Index {
	t.Helper()
	b := NewBuilder()
	for _, e := range []models.Enterprise{
		{Key: "91360802MA35ABCD1X", USCC: "", Name: "吉安市汇骏实业有限公司", Region: "360802", Address: "江西省吉安市吉州区井冈山大道88号3栋502室", Phone: "0796-8225123", Email: "hj@example.cn"},
		{Key: "src:gs:360802000012345", Name: "吉安市汇骏实业有限公司井冈山分公司", Region: "360881", Address: "江西省吉安市井冈山市红军路1号"},
		{Key: "k-nanchang", Name: "南昌市汇骏实业有限公司", Region: "360102", Phone: "13800138000"},
		{Key: "k-huijun-stock", Name: "吉安市汇骏科技股份有限公司", Region: "360802"},
		{Key: "k-partner", Name: "吉安市汇骏投资合伙企业（有限合伙）", Region: "360802"},
		{Key: "k-beijing", Name: "恒赢（北京）供应链管理有限公司", Region: "110106"},
		{Key: "k-placeholder", Placeholder: true},
	} {
		b.Add(e)
	}
	b.SetLegalRep("k-nanchang", "王小明")
	return b.Build()
}

func TestMatchVariants(t *testing.T) {
	ix := small(t)
	if ix.Len() != 6 {
		t.Fatalf("indexed %d, want 6 (the placeholder skipped)", ix.Len())
	}
	for _, c := range []struct {
		class string
		q     Query
		want  string // key of the top candidate
		match bool
	}{
		{"exact name", Query{Name: "吉安市汇骏实业有限公司"}, "91360802MA35ABCD1X", true},
		{"region without 市", Query{Name: "吉安汇骏实业有限公司"}, "91360802MA35ABCD1X", true},
		{"province and city", Query{Name: "江西省吉安市汇骏实业有限公司"}, "91360802MA35ABCD1X", true},
		{"legal form spelling", Query{Name: "吉安市汇骏实业有限责任公司"}, "91360802MA35ABCD1X", true},
		{"traditional", Query{Name: "吉安市匯駿實業有限公司"}, "91360802MA35ABCD1X", true},
		{"full width and punctuation", Query{Name: "吉安市 汇骏·实业（有限公司）"}, "91360802MA35ABCD1X", true},
		{"region in query field picks Nanchang", Query{Name: "汇骏实业有限公司", Region: "南昌"}, "k-nanchang", true},
		{"branch finds branch", Query{Name: "吉安汇骏实业有限公司井冈山分公司"}, "src:gs:360802000012345", true},
		{"phone alone", Query{Phone: "+86 138 0013 8000"}, "k-nanchang", false},
		{"landline without area code plus name", Query{Name: "汇骏实业", Phone: "8225123"}, "91360802MA35ABCD1X", true},
		{"reg no decides", Query{RegNo: "360802000012345"}, "src:gs:360802000012345", true},
		{"address and name", Query{Name: "汇骏实业", Address: "吉州区井冈山大道88号3号楼502房"}, "91360802MA35ABCD1X", true},
		{"legal rep helps", Query{Name: "汇骏实业", LegalRep: "王 小明"}, "k-nanchang", true},
		{"bracket region", Query{Name: "北京恒赢供应链管理有限公司"}, "k-beijing", true},
		{"email", Query{Email: "HJ@example.cn"}, "91360802MA35ABCD1X", false},
	} {
		got, err := ix.Match(c.q, 3)
		if err != nil {
			t.Errorf("%s: %v", c.class, err)
			continue
		}
		if len(got) == 0 || got[0].Key != c.want || got[0].Match != c.match {
			t.Errorf("%s: got %+v, want top %s match=%v", c.class, got, c.want, c.match)
		}
	}
}

func TestMatchContradictions(t *testing.T) {
	ix := small(t)
	top := func(q Query, key string) Candidate {
		t.Helper()
		got, err := ix.Match(q, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			if c.Key == key {
				return c
			}
		}
		t.Fatalf("%+v: %s not among %+v", q, key, got)
		return Candidate{}
	}
	// Same core, other city: a candidate, never a match.
	if c := top(Query{Name: "南昌市汇骏实业有限公司"}, "91360802MA35ABCD1X"); c.Match || c.Features.Map()["region"] != 0 {
		t.Errorf("other city: %+v", c)
	}
	// A partnership is not the limited company of the same core.
	if c := top(Query{Name: "吉安市汇骏投资合伙企业（有限合伙）"}, "k-partner"); !c.Match || c.Features.Map()["legal_form"] != 1 {
		t.Errorf("partnership: %+v", c)
	}
	if c := top(Query{Name: "吉安市汇骏投资有限公司"}, "k-partner"); c.Match {
		t.Errorf("limited company against partnership matched: %+v", c)
	}
	// A branch query against its parent: linked, not a match.
	if c := top(Query{Name: "吉安市汇骏实业有限公司青原分公司"}, "91360802MA35ABCD1X"); c.Match || c.Features.Map()["branch"] != 0 {
		t.Errorf("branch vs parent: %+v", c)
	}
	// Near namesake: 汇骏科技 is not 汇骏实业.
	if c := top(Query{Name: "吉安市汇骏实业有限公司"}, "k-huijun-stock"); c.Match {
		t.Errorf("near namesake matched: %+v", c)
	}
	// An exact USCC decides even when the name is another's.
	u := models.MustParseUSCC("91110106020994209F")
	b := NewBuilder()
	b.Add(models.Enterprise{Key: string(u), USCC: string(u), Name: "北京恒赢源供应链管理有限公司"})
	ix2 := b.Build()
	for _, q := range []Query{{USCC: string(u), Name: "完全不同有限公司"}, {OrgCode: u.OrgCode()[:8] + "-" + u.OrgCode()[8:]}} {
		got, err := ix2.Match(q, 5)
		if err != nil || len(got) != 1 || got[0].Score != 1 || !got[0].Match {
			t.Errorf("%+v: %+v %v", q, got, err)
		}
	}
}

func TestMatchBadQueries(t *testing.T) {
	ix := small(t)
	for _, q := range []Query{{}, {Address: "吉安市"}, {LegalRep: "王小明"}, {USCC: "not a code"}, {Name: "（）·"}} {
		if _, err := ix.Match(q, 5); !errors.Is(err, ErrNoFeature) {
			t.Errorf("%+v: err %v, want ErrNoFeature", q, err)
		}
	}
	if _, err := ix.Match(Query{Name: "x", Kind: "company"}, 5); !errors.Is(err, ErrKind) {
		t.Errorf("kind company: %v", err)
	}
	for _, q := range []Query{{Kind: KindPerson}, {Kind: KindPerson, Enterprise: "吉安市汇骏实业有限公司", Region: "吉安"}, {Kind: KindPerson, Name: "·"}} {
		if _, err := ix.Match(q, 5); !errors.Is(err, ErrNoPersonFeature) {
			t.Errorf("%+v: err %v, want ErrNoPersonFeature", q, err)
		}
	}
	for _, q := range []Query{{Kind: KindPerson, Name: "王小明", IDNumber: "11010519491231002X"}, {Name: "汇骏实业", IDNumber: "11010519491231002X"}} {
		if _, err := ix.Match(q, 5); !errors.Is(err, ErrUnhashedID) {
			t.Errorf("%+v: err %v, want ErrUnhashedID", q, err)
		}
	}
}

// synthEnterprises generates a synthetic data set and reads its
// enterprises (foreign shareholders without a USCC included).
func synthEnterprises(t testing.TB, n int) []models.Enterprise {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 7, Out: dir}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "enterprises.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []models.Enterprise
	for _, r := range rows[1:] {
		key := r[col["uscc"]]
		if key == "" {
			key = "src:synth:" + r[col["id"]]
		}
		out = append(out, models.Enterprise{Key: key, USCC: r[col["uscc"]], Name: r[col["name"]], Region: r[col["region"]],
			Address: r[col["address"]], Phone: r[col["phone"]], Email: r[col["email"]]})
	}
	return out
}

// perturbations rewrite a registered name the ways other departments
// write it; each returns "" when it does not apply to the name.
func perturbations(t testing.TB) map[string]func(string) string {
	s2t, err := opencc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	fullWidth := strings.NewReplacer("(", "（", ")", "）", "（", "(", "）", ")")
	return map[string]func(string) string{
		"as registered": func(s string) string { return s },
		"city without 市": func(s string) string {
			if i := strings.Index(s, "市"); i > 0 && i <= 12 {
				return s[:i] + s[i+len("市"):]
			}
			return ""
		},
		"legal form swapped": func(s string) string {
			switch {
			case strings.HasSuffix(s, "有限责任公司"):
				return strings.TrimSuffix(s, "有限责任公司") + "有限公司"
			case strings.HasSuffix(s, "股份有限公司"), strings.HasSuffix(s, "集团有限公司"):
				return ""
			case strings.HasSuffix(s, "有限公司"):
				return strings.TrimSuffix(s, "有限公司") + "有限责任公司"
			}
			return ""
		},
		"traditional": func(s string) string {
			out, err := s2t.Convert(s)
			if err != nil || out == s {
				return ""
			}
			return out
		},
		"brackets and width": func(s string) string {
			out := fullWidth.Replace(s)
			if out == s {
				return strings.ReplaceAll(s, "市", "市 ")
			}
			return out
		},
		"region dropped": func(s string) string {
			if i := strings.Index(s, "市"); i > 0 && i <= 12 {
				return s[i+len("市"):]
			}
			return ""
		},
		"punctuation and spaces": func(s string) string {
			r := []rune(s)
			if len(r) < 5 {
				return ""
			}
			return string(r[:2]) + "·" + string(r[2:4]) + "　" + string(r[4:]) + "。"
		},
	}
}

// TestRecallOnSynth perturbs every name of a 2,000-enterprise synthetic
// set in each way and checks that the registered enterprise comes first.
func TestRecallOnSynth(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a data set")
	}
	ents := synthEnterprises(t, 2000)
	b := NewBuilder()
	for _, e := range ents {
		b.Add(e)
	}
	ix := b.Build()
	// Names that two enterprises share cannot be told apart by name alone.
	names := map[string]int{}
	for _, e := range ents {
		names[e.Name]++
	}
	total, hits, matched := 0, 0, 0
	for class, p := range perturbations(t) {
		n, h := 0, 0
		var misses []string
		for _, e := range ents {
			q := p(e.Name)
			if q == "" || names[e.Name] > 1 {
				continue
			}
			got, err := ix.Match(Query{Name: q}, 1)
			if err != nil {
				t.Fatalf("%s: %q: %v", class, q, err)
			}
			n++
			if len(got) > 0 && got[0].Key == e.Key {
				h++
				if got[0].Match {
					matched++
				}
			} else if len(misses) < 3 {
				misses = append(misses, fmt.Sprintf("%q → %+v (want %s)", q, got, e.Name))
			}
		}
		if n < 200 {
			t.Errorf("%s: only %d names perturbed", class, n)
		}
		recall := float64(h) / float64(n)
		t.Logf("%-24s recall@1 %.4f (%d/%d)", class, recall, h, n)
		if recall < 0.95 {
			t.Errorf("%s: recall@1 %.4f < 0.95; e.g. %v", class, recall, misses)
		}
		total += n
		hits += h
	}
	t.Logf("all: recall@1 %.4f (%d/%d), match=true on %.4f of the hits", float64(hits)/float64(total), hits, total, float64(matched)/float64(hits))
	if float64(hits)/float64(total) < 0.97 {
		t.Errorf("overall recall@1 %.4f < 0.97", float64(hits)/float64(total))
	}
}

// TestIndexMemory measures the index's heap per enterprise (logged; the
// bound only catches a gross regression such as storing names twice over).
func TestIndexMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a data set")
	}
	ents := synthEnterprises(t, 20_000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b := NewBuilder()
	for _, e := range ents {
		b.Add(e)
	}
	ix := b.Build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / float64(ix.Len())
	t.Logf("index heap: %.0f bytes per enterprise (%d enterprises)", per, ix.Len())
	if per > 2000 {
		t.Errorf("index uses %.0f bytes per enterprise, over 2000", per)
	}
	runtime.KeepAlive(ix)
	runtime.KeepAlive(ents)
}

// BenchmarkMatch measures one name query against a 20,000-enterprise index
// (RISKGRAPH_MATCH_BENCH_N enterprises when set, for profiling at scale).
func BenchmarkMatch(b *testing.B) {
	ents := synthEnterprises(b, benchSize())
	bd := NewBuilder()
	for _, e := range ents {
		bd.Add(e)
	}
	ix := bd.Build()
	drop := perturbations(b)["region dropped"]
	b.ResetTimer()
	for i := range b.N {
		e := ents[i%len(ents)]
		q := drop(e.Name)
		if q == "" {
			q = e.Name
		}
		if _, err := ix.Match(Query{Name: q}, 5); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSize is the generator size of BenchmarkMatch: 20 000, or
// RISKGRAPH_MATCH_BENCH_N.
func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("RISKGRAPH_MATCH_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// BenchmarkBuild measures building the index of 20,000 enterprises.
func BenchmarkBuild(b *testing.B) {
	ents := synthEnterprises(b, 20_000)
	b.ResetTimer()
	for range b.N {
		bd := NewBuilder()
		for _, e := range ents {
			bd.Add(e)
		}
		bd.Build()
	}
}

// Namesakes in two cities: a query by the core name alone lists both and
// matches neither (attaching a record to one would be a guess); with the
// city, or with a phone, it matches the right one only.
func TestAmbiguousTopIsNoMatch(t *testing.T) {
	b := NewBuilder()
	b.Add(models.Enterprise{Key: "k-gz", Name: "广州市华信科技有限公司", Region: "440106", Phone: "020-83001234"})
	b.Add(models.Enterprise{Key: "k-sz", Name: "深圳市华信科技有限公司", Region: "440305"})
	ix := b.Build()
	for _, c := range []struct {
		q    Query
		want string // the one match, "" for none
	}{
		{Query{Name: "华信科技有限公司"}, ""},
		{Query{Name: "华信科技有限公司", Region: "440305"}, "k-sz"},
		{Query{Name: "深圳华信科技有限公司"}, "k-sz"},
		{Query{Name: "华信科技有限公司", Phone: "+86 20 8300 1234"}, "k-gz"},
	} {
		got, err := ix.Match(c.q, 5)
		if err != nil || len(got) != 2 {
			t.Fatalf("%+v: %+v %v; want both namesakes listed", c.q, got, err)
		}
		matched := ""
		for i, cand := range got {
			if cand.Match {
				if i != 0 || matched != "" {
					t.Errorf("%+v: a match that is not the single best: %+v", c.q, got)
				}
				matched = cand.Key
			}
		}
		if matched != c.want {
			t.Errorf("%+v: matched %q, want %q (%+v)", c.q, matched, c.want, got)
		}
	}
}

// TestPlaceNameTradeNames: trade names that begin with a place name (东方,
// 新宁, 海丰) are found whether or not the query or the registered name
// carries a region, and a region that contradicts still keeps them apart.
func TestPlaceNameTradeNames(t *testing.T) {
	b := NewBuilder()
	for _, e := range []models.Enterprise{
		{Key: "k-dongfang-ja", Name: "吉安市东方红科技有限公司", Region: "360802"},
		{Key: "k-xinning-wh", Name: "新宁电子科技有限公司", Region: "420102"},
		{Key: "k-dianzi-xinning", Name: "新宁县电子科技有限公司", Region: "430528"},
		{Key: "k-haifeng", Name: "海丰（上海）进出口有限责任公司", Region: "310107"},
		{Key: "k-huaxin-gz", Name: "广州市华信科技有限公司", Region: "440106"},
	} {
		b.Add(e)
	}
	// Many enterprises share the bigrams of a short core (进出口): the
	// candidate list must still hold the one whose whole core is equal.
	for i := range 300 {
		b.Add(models.Enterprise{Key: fmt.Sprintf("k-jck-%03d", i), Name: fmt.Sprintf("上海%s进出口有限公司", string(rune('甲'+i))), Region: "310101"})
	}
	ix := b.Build()
	for _, c := range []struct {
		q     Query
		want  string // top candidate
		match bool
	}{
		{Query{Name: "东方红科技有限公司"}, "k-dongfang-ja", true},
		{Query{Name: "吉安东方红科技有限责任公司"}, "k-dongfang-ja", true},
		{Query{Name: "新宁电子科技有限公司", Region: "武汉"}, "k-xinning-wh", true},
		{Query{Name: "武汉市新宁电子科技有限公司"}, "k-xinning-wh", true},
		{Query{Name: "新宁县电子科技有限公司"}, "k-dianzi-xinning", true},
		{Query{Name: "海丰（上海）进出口有限公司"}, "k-haifeng", true},
		{Query{Name: "海丰进出口有限公司", Region: "上海"}, "k-haifeng", true},
		{Query{Name: "上海海丰进出口有限公司"}, "k-haifeng", true},
	} {
		got, err := ix.Match(c.q, 5)
		if err != nil || len(got) == 0 || got[0].Key != c.want || got[0].Match != c.match {
			t.Errorf("%+v: %+v %v; want top %s match %v", c.q, got, err, c.want, c.match)
		}
	}
	// Written as registered, 新宁电子科技 is also 新宁县's 电子科技: both
	// readings explain the query fully, so both are listed and neither is
	// a match.
	got, err := ix.Match(Query{Name: "新宁电子科技有限公司"}, 5)
	if err != nil || len(got) < 2 || got[0].Match || got[0].Score != 1 || got[1].Score != 1 ||
		!slices.Contains([]string{got[0].Key, got[1].Key}, "k-xinning-wh") || !slices.Contains([]string{got[0].Key, got[1].Key}, "k-dianzi-xinning") {
		t.Errorf("新宁电子科技: %+v %v; want both 新宁 enterprises listed at 1, no match", got, err)
	}
	// The second reading does not lift a name whose region contradicts.
	for _, q := range []Query{{Name: "深圳市华信科技有限公司"}, {Name: "北京东方红科技有限公司"}} {
		got, err := ix.Match(q, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			if c.Match {
				t.Errorf("%+v matched %+v", q, c)
			}
		}
	}
}

// TestScoreAgreesWithMatch: score (the one-candidate scorer other code in
// the package uses, e.g. to compare two stored enterprises) gives the
// score, evidence and support Match ranks by.
func TestScoreAgreesWithMatch(t *testing.T) {
	ix := small(t)
	for _, q := range []Query{{Name: "吉安汇骏实业有限责任公司"}, {Name: "汇骏实业", Phone: "8225123"}, {Name: "南昌市汇骏实业有限公司", LegalRep: "王小明"}} {
		got, err := ix.Match(q, 10)
		if err != nil {
			t.Fatal(err)
		}
		pq := prepare(q)
		for _, c := range got {
			s := ix.score(&pq, &ix.ents[ix.byKey[c.Key]])
			if s.Score != c.Score || s.support != c.support || fmt.Sprint(s.Features.Map()) != fmt.Sprint(c.Features.Map()) {
				t.Errorf("%+v: score gives %+v, Match %+v", q, s, c)
			}
		}
	}
	if v := nameSimilarity("汇骏实业", "汇骏实业"); v != 1 {
		t.Errorf("equal names: %v", v)
	}
	if v := nameSimilarity("汇骏实业", "恒信科技"); v != 0 {
		t.Errorf("names without a common character: %v", v)
	}
}

// TestManyEqualCores: more enterprises than the candidate cap share the
// query's core in other cities (and so its Dice bound); the one in the
// query's city, entered last, is still found and matched.
func TestManyEqualCores(t *testing.T) {
	b := NewBuilder()
	cities := []string{"北京市", "上海市", "天津市", "重庆市", "南昌市", "长沙市", "武汉市", "成都市", "西安市", "郑州市"}
	n := 0
	for _, c := range cities {
		for d := range 10 {
			n++
			b.Add(models.Enterprise{Key: fmt.Sprintf("k-%03d", n), Name: c + "恒信科技有限公司", Region: fmt.Sprintf("%d", 110101+d)})
		}
	}
	b.Add(models.Enterprise{Key: "k-jian", Name: "吉安市恒信科技有限公司", Region: "360802"})
	ix := b.Build()
	got, err := ix.Match(Query{Name: "吉安恒信科技有限公司"}, 5)
	if err != nil || len(got) == 0 || got[0].Key != "k-jian" || !got[0].Match {
		t.Errorf("%+v %v; want k-jian matched among %d namesakes", got, err, n)
	}
}
