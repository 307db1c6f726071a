//go:build matchbench

// Full run (issue 15, "Numbers"; the lead records the figures in RESULTS.md):
//
//	RISKGRAPH_MATCH_SIZES=1000000 benchmarks/match.sh
//	= RISKGRAPH_MATCH_SIZES=1000000 go test -tags matchbench -run '^$' -bench '^BenchmarkMatchSet$' -benchtime 1x -timeout 180m ./benchmarks/
//
// Quick check: RISKGRAPH_MATCH_SIZES=20000 benchmarks/match.sh
//
// BenchmarkMatchSet generates N enterprises (synth.Generate, seed 1), loads
// them into a memory store through the canonical loader (as the engine
// benchmarks do), and builds the candidate index from one scan of that
// store, the way POST /api/v1/match does (match.FromStore: page size
// 10 000, enterprises plus current legal representatives). ns/op is the
// index build. It then queries a labelled set made from the stored
// enterprises, each query labelled with the enterprise it should find:
//
//   - name variants (docs/matching.md, issue 15): as registered, city without
//     市, legal form 有限公司 ↔ 有限责任公司, traditional characters (OpenCC
//     s2t), brackets and width, punctuation and spaces, region prefix
//     dropped, and pairs of them;
//   - branch added: the registered name of a non-branch enterprise plus a
//     place and 分公司 that no stored enterprise carries. The label is the
//     parent, which should be listed (within the limit of 5) but not be a
//     match: such a query counts as right when the parent is listed and no
//     candidate matches; any match it gets counts as a wrong match in the
//     precision. Branch classes are reported apart and left out of the
//     overall recall@1;
//   - phone only (reformatted: +86, spaces, no trunk 0), for enterprises whose
//     normalised phone no other enterprise has; it should rank the
//     enterprise first (a phone alone never matches: score 0.5);
//   - address + name: the name without its region prefix plus the address
//     with its province dropped and 栋/室 written 号楼/号房.
//
// Enterprises whose registered name another enterprise shares (after
// textnorm.Key) are not used for name queries: nothing tells them apart.
// Each class takes up to RISKGRAPH_MATCH_PER_VARIANT enterprises (default
// 2 000) from a fixed shuffle (seed 7).
//
// Figures (b.ReportMetric): index build seconds, index heap bytes per
// enterprise, recall@1 per class and overall, precision of match: true
// (matches that are the labelled enterprise / all matches), the same for
// the baseline "exact name after textnorm.Key" (candidates: the enterprises
// whose textnorm.Key(name) equals the query's; match: true when there is
// exactly one), Index.Match latency p50/p99 and POST /api/v1/match
// single-query latency p50/p99 over RISKGRAPH_MATCH_LATENCY_QUERIES queries
// (default 10 000), and the wall time of batches of 1 000 queries through
// the real handler (server.NewAPI on the memory store, httptest, an
// inspector key, rate limit off). The first request's time (the server
// building its own index) is reported as http-first-s.

package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/longbridgeapp/opencc"
	"github.com/rs/zerolog"

	"riskgraph/auth"
	"riskgraph/cache"
	"riskgraph/match"
	"riskgraph/server"
	"riskgraph/store"
	"riskgraph/textnorm"
)

// matchLimit is the candidates asked per query.
const matchLimit = 5

// envInt reads a positive integer from the environment, def when unset.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// labelled is one query of the set and the enterprise it should find.
type labelled struct {
	class  string
	q      match.Query
	want   string // key of the labelled enterprise
	branch bool   // want is the parent: listed, not a match
}

// nameVariant rewrites a registered name; "" when it does not apply.
type nameVariant struct {
	slug string
	f    func(string) string
}

// nameVariants are the name classes of docs/matching.md (the same rewrites
// as match.TestRecallOnSynth).
func nameVariants(b *testing.B) []nameVariant {
	s2t, err := opencc.New("s2t")
	if err != nil {
		b.Fatal(err)
	}
	fullWidth := strings.NewReplacer("(", "（", ")", "）", "（", "(", "）", ")")
	return []nameVariant{
		{"as-registered", func(s string) string { return s }},
		{"city-without-shi", func(s string) string {
			if i := strings.Index(s, "市"); i > 0 && i <= 12 {
				return s[:i] + s[i+len("市"):]
			}
			return ""
		}},
		{"legal-form-swapped", func(s string) string {
			switch {
			case strings.HasSuffix(s, "有限责任公司"):
				return strings.TrimSuffix(s, "有限责任公司") + "有限公司"
			case strings.HasSuffix(s, "股份有限公司"), strings.HasSuffix(s, "集团有限公司"):
				return ""
			case strings.HasSuffix(s, "有限公司"):
				return strings.TrimSuffix(s, "有限公司") + "有限责任公司"
			}
			return ""
		}},
		{"traditional", func(s string) string {
			out, err := s2t.Convert(s)
			if err != nil || out == s {
				return ""
			}
			return out
		}},
		{"brackets-width", func(s string) string {
			out := fullWidth.Replace(s)
			if out == s {
				return strings.ReplaceAll(s, "市", "市 ")
			}
			return out
		}},
		{"punctuation", func(s string) string {
			r := []rune(s)
			if len(r) < 5 {
				return ""
			}
			return string(r[:2]) + "·" + string(r[2:4]) + "　" + string(r[4:]) + "。"
		}},
		{"region-dropped", func(s string) string {
			if i := strings.Index(s, "市"); i > 0 && i <= 12 {
				return s[i+len("市"):]
			}
			return ""
		}},
	}
}

// variantPairs are the combinations of two name variants (first applied first).
var variantPairs = [][2]string{
	{"city-without-shi", "legal-form-swapped"},
	{"traditional", "legal-form-swapped"},
	{"traditional", "brackets-width"},
	{"region-dropped", "legal-form-swapped"},
	{"region-dropped", "traditional"},
	{"city-without-shi", "punctuation"},
	{"brackets-width", "punctuation"},
	{"traditional", "punctuation"},
}

// branchPlaces name the invented branches of the branch-added class.
var branchPlaces = []string{"青原", "滨江", "高新", "城南", "东湖", "江北", "西城", "开发区"}

// matchEnt is what the set needs of a stored enterprise.
type matchEnt struct {
	key, name, phone, address string
}

// phoneVariant writes a phone as another department might: +86, spaces,
// a landline's trunk 0 dropped.
func phoneVariant(p string) string {
	d := textnorm.Digits(p)
	switch {
	case len(d) == 11 && d[0] == '1':
		return "+86 " + d[:3] + " " + d[3:7] + " " + d[7:]
	case len(d) > 8 && d[0] == '0':
		area, local := strings.TrimPrefix(p[:strings.IndexByte(p+"-", '-')], "0"), d[len(d)-8:]
		if !strings.Contains(p, "-") {
			return ""
		}
		return "+86 " + area + " " + local[:4] + " " + local[4:]
	}
	return ""
}

// addressVariant drops the province and writes 栋/室 as 号楼/号房.
func addressVariant(a string) string {
	if i := strings.Index(a, "省"); i > 0 && i <= 12 {
		a = a[i+len("省"):]
	}
	return strings.NewReplacer("栋", "号楼", "室", "号房").Replace(a)
}

// labelledSet builds the queries from the stored enterprises.
func labelledSet(b *testing.B, ents []matchEnt, perVariant int) ([]labelled, int) {
	names := map[string]int{}
	phones := map[string]int{}
	for _, e := range ents {
		names[textnorm.Key(e.name)]++
		if p := match.NormalizePhone(e.phone); p != "" {
			phones[p]++
		}
	}
	shared := 0
	for _, e := range ents {
		if names[textnorm.Key(e.name)] > 1 {
			shared++
		}
	}
	order := rand.New(rand.NewPCG(7, 0)).Perm(len(ents))
	var set []labelled
	// take adds up to perVariant queries of one class.
	take := func(class string, branch bool, mk func(e matchEnt) (match.Query, bool)) {
		n := 0
		for _, i := range order {
			if n == perVariant {
				break
			}
			if q, ok := mk(ents[i]); ok {
				set = append(set, labelled{class: class, q: q, want: ents[i].key, branch: branch})
				n++
			}
		}
	}
	unique := func(e matchEnt) bool { return names[textnorm.Key(e.name)] == 1 }
	vs := nameVariants(b)
	bySlug := map[string]func(string) string{}
	for _, v := range vs {
		bySlug[v.slug] = v.f
		take(v.slug, false, func(e matchEnt) (match.Query, bool) {
			s := v.f(e.name)
			return match.Query{Name: s}, s != "" && unique(e)
		})
	}
	for _, p := range variantPairs {
		f, g := bySlug[p[0]], bySlug[p[1]]
		take(p[0]+"+"+p[1], false, func(e matchEnt) (match.Query, bool) {
			s := f(e.name)
			if s != "" {
				s = g(s)
			}
			return match.Query{Name: s}, s != "" && unique(e)
		})
	}
	k := 0
	branchName := func(e matchEnt) string {
		if !unique(e) || strings.Contains(e.name, "分公司") || !strings.HasSuffix(e.name, "公司") {
			return ""
		}
		k++
		s := e.name + branchPlaces[k%len(branchPlaces)] + "分公司"
		if names[textnorm.Key(s)] > 0 {
			return ""
		}
		return s
	}
	take("branch-added", true, func(e matchEnt) (match.Query, bool) {
		s := branchName(e)
		return match.Query{Name: s}, s != ""
	})
	take("branch-added+traditional", true, func(e matchEnt) (match.Query, bool) {
		s := branchName(e)
		if s != "" {
			s = bySlug["traditional"](s)
		}
		return match.Query{Name: s}, s != ""
	})
	take("phone-only", false, func(e matchEnt) (match.Query, bool) {
		p := phoneVariant(e.phone)
		return match.Query{Phone: p}, p != "" && phones[match.NormalizePhone(e.phone)] == 1
	})
	take("address+name", false, func(e matchEnt) (match.Query, bool) {
		if !unique(e) || e.address == "" {
			return match.Query{}, false
		}
		name := bySlug["region-dropped"](e.name)
		if name == "" {
			name = e.name
		}
		return match.Query{Name: name, Address: addressVariant(e.address)}, true
	})
	return set, shared
}

// tally counts one class's outcomes.
type tally struct {
	n, hit1, listed, matches, rightMatches int
	branchRight                            int // branch classes: parent listed, nothing matched
}

func (t *tally) add(l labelled, keys []string, matched string) {
	t.n++
	if len(keys) > 0 && keys[0] == l.want {
		t.hit1++
	}
	if slices.Contains(keys, l.want) {
		t.listed++
		if l.branch && matched == "" {
			t.branchRight++
		}
	}
	if matched != "" {
		t.matches++
		if matched == l.want && !l.branch {
			t.rightMatches++
		}
	}
}

// outcome of a matcher over the set: per class and overall.
type outcome struct {
	classes []string
	per     map[string]*tally
}

func newOutcome() *outcome { return &outcome{per: map[string]*tally{}} }

func (o *outcome) add(l labelled, keys []string, matched string) {
	t := o.per[l.class]
	if t == nil {
		t = &tally{}
		o.per[l.class] = t
		o.classes = append(o.classes, l.class)
	}
	t.add(l, keys, matched)
}

// report logs the table and reports the metrics (prefix "" or "base-").
func (o *outcome) report(b *testing.B, w io.Writer, prefix string) {
	var all tally
	var branchN int
	for _, c := range o.classes {
		t := o.per[c]
		all.matches += t.matches
		all.rightMatches += t.rightMatches
		if strings.HasPrefix(c, "branch-added") {
			branchN += t.n
			fmt.Fprintf(w, "%s%-42s n %5d  parent listed, no match %.4f  parent listed %.4f  match:true %5d (all wrong)\n", prefix, c, t.n, ratio(t.branchRight, t.n), ratio(t.listed, t.n), t.matches)
			b.ReportMetric(ratio(t.branchRight, t.n), prefix+"right:"+c)
			b.ReportMetric(ratio(t.matches, t.n), prefix+"wrongmatch:"+c)
			continue
		}
		all.n += t.n
		all.hit1 += t.hit1
		fmt.Fprintf(w, "%s%-42s n %5d  recall@1 %.4f  listed %.4f  match:true %5d (right %d)\n", prefix, c, t.n, ratio(t.hit1, t.n), ratio(t.listed, t.n), t.matches, t.rightMatches)
		b.ReportMetric(ratio(t.hit1, t.n), prefix+"recall1:"+c)
	}
	line := fmt.Sprintf("%sall (branch classes apart)  n %d  recall@1 %.4f  precision of match:true %.4f (%d/%d)",
		prefix, all.n, ratio(all.hit1, all.n), ratio(all.rightMatches, all.matches), all.rightMatches, all.matches)
	fmt.Fprintln(w, line)
	b.Log(line)
	b.ReportMetric(ratio(all.hit1, all.n), prefix+"recall1")
	b.ReportMetric(ratio(all.rightMatches, all.matches), prefix+"precision")
	b.ReportMetric(float64(all.matches)/float64(all.n+branchN), prefix+"matchrate")
}

func ratio(a, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(a) / float64(n)
}

// percentile of sorted durations, in milliseconds.
func percentileMs(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	i := min(len(d)-1, int(p*float64(len(d))))
	return float64(d[i]) / float64(time.Millisecond)
}

func BenchmarkMatchSet(b *testing.B) {
	for _, n := range matchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchMatchSet(b, n) })
	}
}

// matchSizes are the generator sizes of BenchmarkMatchSet
// (RISKGRAPH_MATCH_SIZES, comma-separated; default 1 000 000).
func matchSizes() []int {
	if os.Getenv("RISKGRAPH_MATCH_SIZES") == "" {
		return []int{1_000_000}
	}
	return sizesFromEnv("RISKGRAPH_MATCH_SIZES")
}

func benchMatchSet(b *testing.B, n int) {
	ctx := context.Background()
	t0 := time.Now()
	st := loadedStore(b, n)
	b.Logf("generated and loaded %d enterprises in %s", n, time.Since(t0).Round(time.Millisecond))

	// The labelled set, from the stored enterprises.
	var ents []matchEnt
	if err := st.Scan(ctx, 10_000, func(p *store.Batch) error {
		for _, e := range p.Enterprises {
			if !e.Placeholder && e.Key != "" && e.Name != "" {
				ents = append(ents, matchEnt{key: e.Key, name: e.Name, phone: e.Phone, address: e.Address})
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	set, shared := labelledSet(b, ents, envInt("RISKGRAPH_MATCH_PER_VARIANT", 2000))
	b.Logf("labelled set: %d queries over %d stored enterprises (%d share their registered name, not used for name queries)", len(set), len(ents), shared)

	// Index build from the store (ns/op) and its heap.
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var ix *match.Index
	var err error
	start := time.Now()
	for b.Loop() {
		if ix, err = match.FromStore(context.Background(), st); err != nil {
			b.Fatal(err)
		}
	}
	build := time.Since(start) / time.Duration(b.N)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(ix.Len()), "index-B/ent")
	b.Logf("index: %d enterprises, built in %s, %.0f heap bytes per enterprise", ix.Len(), build.Round(time.Millisecond),
		float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(ix.Len()))

	// Quality: the matcher and the baseline.
	got, base := newOutcome(), newOutcome()
	byName := map[string][]string{}
	for _, e := range ents {
		k := textnorm.Key(e.name)
		byName[k] = append(byName[k], e.key)
	}
	for _, ks := range byName {
		slices.Sort(ks)
	}
	var misses strings.Builder
	nMiss := map[string]int{}
	for _, l := range set {
		cands, err := ix.Match(l.q, matchLimit)
		if err != nil {
			b.Fatalf("%s %+v: %v", l.class, l.q, err)
		}
		keys := make([]string, len(cands))
		matched := ""
		for i, c := range cands {
			keys[i] = c.Key
			if c.Match {
				matched = c.Key
			}
		}
		got.add(l, keys, matched)
		if wrong := (len(keys) == 0 || keys[0] != l.want) && !l.branch || l.branch && matched != ""; wrong && nMiss[l.class] < 3 {
			nMiss[l.class]++
			fmt.Fprintf(&misses, "miss %s: %+v want %s, got %v (match %q)\n", l.class, l.q, l.want, keys, matched)
		}
		var bk []string
		if l.q.Name != "" {
			bk = byName[textnorm.Key(l.q.Name)]
		}
		bm := ""
		if len(bk) == 1 {
			bm = bk[0]
		}
		base.add(l, bk[:min(len(bk), matchLimit)], bm)
	}
	var table bytes.Buffer
	fmt.Fprintf(&table, "BenchmarkMatchSet/%d: per class (limit %d)\n", n, matchLimit)
	got.report(b, &table, "")
	base.report(b, &table, "base-")
	table.WriteString(misses.String())
	// The benchmark's log keeps 10 lines: the per-class table goes to a file
	// RISKGRAPH_MATCH_TABLE (benchmarks/match.sh prints it after the run).
	if path := os.Getenv("RISKGRAPH_MATCH_TABLE"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.Write(table.Bytes())
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			b.Fatal(err)
		}
	}

	// Single-query latency, in process.
	latN := envInt("RISKGRAPH_MATCH_LATENCY_QUERIES", 10_000)
	lat := make([]time.Duration, 0, latN)
	for i := range latN {
		q := set[(i*7919)%len(set)].q
		t := time.Now()
		if _, err := ix.Match(q, matchLimit); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	b.ReportMetric(percentileMs(lat, 0.50), "match-p50-ms")
	b.ReportMetric(percentileMs(lat, 0.99), "match-p99-ms")
	b.Logf("Index.Match over %d queries: p50 %.3f ms, p99 %.3f ms, max %.3f ms", latN, percentileMs(lat, 0.5), percentileMs(lat, 0.99), percentileMs(lat, 1))
	ix = nil
	runtime.GC()

	// Through the HTTP handler.
	key, id, err := auth.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	if err := st.SaveKey(ctx, store.APIKey{ID: id, Name: "match bench", Role: string(auth.Inspector), Hash: auth.Hash(key), Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	api := server.NewAPI(server.Options{Store: st, Cache: cache.NewLocal(1000, nil), Logger: zerolog.Nop(), Version: "bench", RateLimit: -1})
	defer api.Close()
	h := api.Handler()
	var gen0 uint64
	post := func(qs []match.Query) time.Duration {
		body, err := json.Marshal(map[string]any{"queries": qs, "limit": matchLimit})
		if err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/api/v1/match", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		t := time.Now()
		h.ServeHTTP(rec, req)
		d := time.Since(t)
		if rec.Code != http.StatusOK {
			b.Fatalf("POST /api/v1/match: %d %s", rec.Code, rec.Body.Bytes()[:min(rec.Body.Len(), 500)])
		}
		var ans struct {
			Generation uint64            `json:"generation"`
			Results    []json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || len(ans.Results) != len(qs) {
			b.Fatalf("answer: %v, %d results for %d queries", err, len(ans.Results), len(qs))
		}
		if gen0 == 0 {
			gen0 = ans.Generation
		} else if ans.Generation != gen0 {
			b.Fatalf("generation moved from %d to %d: the server rebuilt its index during the run", gen0, ans.Generation)
		}
		return d
	}
	first := post([]match.Query{set[0].q})
	b.ReportMetric(first.Seconds(), "http-first-s")
	b.Logf("first POST /api/v1/match (the server builds its index): %s", first.Round(time.Millisecond))
	lat = lat[:0]
	for i := range latN {
		lat = append(lat, post([]match.Query{set[(i*7919)%len(set)].q}))
	}
	slices.Sort(lat)
	b.ReportMetric(percentileMs(lat, 0.50), "http-p50-ms")
	b.ReportMetric(percentileMs(lat, 0.99), "http-p99-ms")
	b.Logf("POST /api/v1/match, one query, %d requests: p50 %.3f ms, p99 %.3f ms, max %.3f ms", latN, percentileMs(lat, 0.5), percentileMs(lat, 0.99), percentileMs(lat, 1))
	const batches, batchSize = 3, 1000
	var worst, total time.Duration
	for k := range batches {
		qs := make([]match.Query, batchSize)
		for i := range qs {
			qs[i] = set[(k*batchSize+i)*104729%len(set)].q
		}
		d := post(qs)
		total += d
		worst = max(worst, d)
	}
	b.ReportMetric((total / batches).Seconds(), "batch1000-s")
	b.ReportMetric(worst.Seconds(), "batch1000-max-s")
	b.Logf("POST /api/v1/match, %d batches of %d queries: mean %s, max %s", batches, batchSize, (total / batches).Round(time.Millisecond), worst.Round(time.Millisecond))
}
