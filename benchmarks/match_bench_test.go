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
//     precision. Branch-added classes are reported apart and left out of
//     the overall recall@1;
//   - stored branches (parent + place + 分公司) written in traditional
//     characters, with the parent's legal form swapped, or without 市: the
//     branch itself should come first;
//   - phone only (reformatted: +86, spaces, no trunk 0), for enterprises whose
//     normalised phone no other enterprise has; it should rank the
//     enterprise first (a phone alone never matches: score 0.5);
//   - address + name: the name without its region prefix (or as registered)
//     plus the address with its province dropped and 栋/室 written 号楼/号房;
//   - region dropped plus one other clue: the address (as above), the phone
//     (reformatted) or the legal representative's name;
//   - old codes: the organisation code (12345678-9) alone and with a
//     traditional name; the 15-digit registration number alone and with a
//     traditional name, for enterprises known only by one (synth makes none:
//     the benchmark adds perVariant of them, keyed src:samr:<reg no> and named
//     like individual businesses from stored names, before the index is built).
//
// Every query is labelled determinable or ambiguous from the normal forms
// alone (labelAmbiguous): ambiguous when another stored enterprise has the
// same normal form of every feature the query carries (a name core in some
// reading with the same legal form and a region that agrees, the same
// address, phone, legal representative). The headline recall@1 is over the
// determinable queries; an ambiguous query counts as right when the labelled
// enterprise is listed and nothing matches, and is reported apart; the raw
// recall@1 over all queries is reported too. Each class takes up to
// RISKGRAPH_MATCH_PER_VARIANT enterprises (default 2 000) from a fixed
// shuffle (seed 7).
//
// Figures (b.ReportMetric): index build seconds, index heap bytes per
// enterprise (persons included), recall@1 per class and overall
// (determinable), raw recall@1, the ambiguous queries' outcome, precision of match: true
// (matches that are the labelled enterprise / all matches), the same for
// the baseline "exact name after textnorm.Key" (candidates: the enterprises
// whose textnorm.Key(name) equals the query's; match: true when there is
// exactly one), Index.Match latency p50/p99 and POST /api/v1/match
// single-query latency p50/p99 over RISKGRAPH_MATCH_LATENCY_QUERIES queries
// (default 10 000), and the wall time of batches of 1 000 queries through
// the real handler (server.NewAPI on the memory store, httptest, an
// inspector key, rate limit off). The first request's time (the server
// building its own index) is reported as http-first-s; the first request
// after a batch written through POST /api/v1/batches (applied to the live
// index, no rebuild) as http-after-write-ms.

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
	"riskgraph/models"
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
	// ambiguous: another stored enterprise has the same normal form of
	// every feature the query carries (ambiguity below); right when want
	// is listed and nothing matches.
	ambiguous bool
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
	key, name, phone, address, region, uscc string
	legalRep                                string // the current legal representative's name
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

// labelledSet builds the queries from the stored enterprises (regNos: the
// enterprises known only by a registration number, which the benchmark
// adds), and labels each query determinable or ambiguous.
func labelledSet(b *testing.B, ents []matchEnt, regNos []matchEnt, perVariant int) ([]labelled, int) {
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
	vs := nameVariants(b)
	bySlug := map[string]func(string) string{}
	for _, v := range vs {
		bySlug[v.slug] = v.f
		take(v.slug, false, func(e matchEnt) (match.Query, bool) {
			s := v.f(e.name)
			return match.Query{Name: s}, s != ""
		})
	}
	for _, p := range variantPairs {
		f, g := bySlug[p[0]], bySlug[p[1]]
		take(p[0]+"+"+p[1], false, func(e matchEnt) (match.Query, bool) {
			s := f(e.name)
			if s != "" {
				s = g(s)
			}
			return match.Query{Name: s}, s != ""
		})
	}
	k := 0
	branchName := func(e matchEnt) string {
		if names[textnorm.Key(e.name)] > 1 || strings.Contains(e.name, "分公司") || !strings.HasSuffix(e.name, "公司") {
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
	// Stored branches (the parent's name plus a place and 分公司) written
	// another way: the branch itself should come first.
	for _, v := range []string{"traditional", "legal-form-swapped-parent", "city-without-shi"} {
		take("branch-stored+"+v, false, func(e matchEnt) (match.Query, bool) {
			if !strings.HasSuffix(e.name, "分公司") {
				return match.Query{}, false
			}
			s := ""
			if v == "legal-form-swapped-parent" {
				s = strings.Replace(e.name, "有限公司", "有限责任公司", 1)
				if s == e.name {
					s = ""
				}
			} else {
				s = bySlug[v](e.name)
			}
			return match.Query{Name: s}, s != ""
		})
	}
	take("phone-only", false, func(e matchEnt) (match.Query, bool) {
		p := phoneVariant(e.phone)
		return match.Query{Phone: p}, p != "" && phones[match.NormalizePhone(e.phone)] == 1
	})
	regionDropped := func(e matchEnt) string {
		if name := bySlug["region-dropped"](e.name); name != "" {
			return name
		}
		return e.name
	}
	take("address+name", false, func(e matchEnt) (match.Query, bool) {
		if e.address == "" {
			return match.Query{}, false
		}
		return match.Query{Name: regionDropped(e), Address: addressVariant(e.address)}, true
	})
	// Region dropped with one other clue: these must be decidable.
	take("region-dropped+address", false, func(e matchEnt) (match.Query, bool) {
		name := bySlug["region-dropped"](e.name)
		return match.Query{Name: name, Address: addressVariant(e.address)}, name != "" && e.address != ""
	})
	take("region-dropped+phone", false, func(e matchEnt) (match.Query, bool) {
		name, p := bySlug["region-dropped"](e.name), phoneVariant(e.phone)
		return match.Query{Name: name, Phone: p}, name != "" && p != ""
	})
	take("region-dropped+legal-rep", false, func(e matchEnt) (match.Query, bool) {
		name := bySlug["region-dropped"](e.name)
		return match.Query{Name: name, LegalRep: e.legalRep}, name != "" && e.legalRep != ""
	})
	// Old codes: the organisation code (USCC characters 9–17, written
	// 12345678-9), alone and with a traditional name.
	take("org-code", false, func(e matchEnt) (match.Query, bool) {
		if e.uscc == "" {
			return match.Query{}, false
		}
		oc := e.uscc[8:17]
		return match.Query{OrgCode: oc[:8] + "-" + oc[8:]}, true
	})
	take("org-code+traditional", false, func(e matchEnt) (match.Query, bool) {
		s := bySlug["traditional"](e.name)
		if e.uscc == "" || s == "" {
			return match.Query{}, false
		}
		return match.Query{OrgCode: e.uscc[8:17], Name: s}, true
	})
	// Registration numbers of the enterprises known only by one.
	for i, e := range regNos {
		if i == perVariant {
			break
		}
		rn := e.key[strings.LastIndexByte(e.key, ':')+1:]
		set = append(set, labelled{class: "reg-no", q: match.Query{RegNo: rn[:6] + " " + rn[6:]}, want: e.key})
		if s := bySlug["traditional"](e.name); s != "" {
			set = append(set, labelled{class: "reg-no+traditional", q: match.Query{RegNo: rn, Name: s}, want: e.key})
		}
	}
	labelAmbiguous(set, append(append([]matchEnt(nil), ents...), regNos...))
	return set, shared
}

// regionsAllAgree reports whether every region a query names agrees with
// (contains or lies inside) the enterprise's registered region.
func regionsAllAgree(named []string, region string) bool {
	for _, c := range named {
		if match.RegionAgrees([]string{c}, region) != 1 {
			return false
		}
	}
	return true
}

// ambiguity: a query is ambiguous when another stored enterprise has the
// same normal form of every feature the query carries — nothing in the
// query tells the two apart, so no matcher can be right by more than luck:
//
//   - name: the same core in some reading of each name (match.Name's Core
//     or Alt), the same legal-form class, branch flag and branch place; in
//     that reading every region the query names (its region field, else
//     what its name names) agrees with the other enterprise's registered
//     region;
//   - address: the same normalised address (after the region);
//   - phone: the same normalised number (or one ending the other);
//   - legal_rep: the same normalised name;
//   - a code (USCC, org code, reg no) is never shared: such queries are
//     never ambiguous.
//
// The label comes from the normal forms alone, not from the matcher.
func labelAmbiguous(set []labelled, ents []matchEnt) {
	type sig struct {
		core   string
		form   match.LegalForm
		branch bool
		place  string
	}
	byName := map[sig][]int32{}
	for i, e := range ents {
		n := match.NormalizeName(e.name)
		k := sig{n.Core, n.Form, n.Branch, n.Place}
		byName[k] = append(byName[k], int32(i))
		if n.Alt != "" {
			k.core = n.Alt
			byName[k] = append(byName[k], int32(i))
		}
	}
	byPhone := map[string][]int32{}
	for i, e := range ents {
		if p := match.NormalizePhone(e.phone); p != "" {
			t := p[max(0, len(p)-7):]
			byPhone[t] = append(byPhone[t], int32(i))
		}
	}
	for k := range set {
		l := &set[k]
		q := l.q
		if q.USCC != "" || q.OrgCode != "" || q.RegNo != "" || l.branch {
			continue
		}
		// Enterprises that agree on the name (or, without a name, on the phone).
		var others []int32
		if q.Name != "" {
			n := match.NormalizeName(q.Name)
			readings := [][2]any{{n.Core, n.Regions}}
			if n.Alt != "" {
				readings = append(readings, [2]any{n.Alt, n.AltRegions})
			}
			explicit := match.ParseRegion(q.Region)
			seen := map[int32]bool{}
			for _, r := range readings {
				regions := r[1].([]string)
				if len(explicit) > 0 {
					regions = explicit
				}
				for _, j := range byName[sig{r[0].(string), n.Form, n.Branch, n.Place}] {
					if !seen[j] && ents[j].key != l.want && regionsAllAgree(regions, ents[j].region) {
						seen[j] = true
						others = append(others, j)
					}
				}
			}
		} else if p := match.NormalizePhone(q.Phone); p != "" {
			for _, j := range byPhone[p[max(0, len(p)-7):]] {
				if ents[j].key != l.want && match.ComparePhone(p, match.NormalizePhone(ents[j].phone)) > 0 {
					others = append(others, j)
				}
			}
		}
		for _, j := range others {
			o := &ents[j]
			if q.Address != "" && match.NormalizeAddress(q.Address).Rest != match.NormalizeAddress(o.address).Rest {
				continue
			}
			if q.Phone != "" && q.Name != "" && match.ComparePhone(match.NormalizePhone(q.Phone), match.NormalizePhone(o.phone)) == 0 {
				continue
			}
			if q.LegalRep != "" && match.NormalizePersonName(q.LegalRep) != match.NormalizePersonName(o.legalRep) {
				continue
			}
			l.ambiguous = true
			break
		}
	}
}

// tally counts one class's outcomes.
type tally struct {
	n, hit1, listed, matches, rightMatches int
	// determinable queries (not ambiguous): their recall@1 is the headline.
	det, detHit1 int
	// ambiguous queries: right when the labelled key is listed and nothing
	// matched.
	amb, ambListed, ambMatched int
	branchRight                int // branch classes: parent listed, nothing matched
}

func (t *tally) add(l labelled, keys []string, matched string) {
	t.n++
	hit := len(keys) > 0 && keys[0] == l.want
	if hit {
		t.hit1++
	}
	listed := slices.Contains(keys, l.want)
	if listed {
		t.listed++
		if l.branch && matched == "" {
			t.branchRight++
		}
	}
	if l.ambiguous {
		t.amb++
		if listed && matched == "" {
			t.ambListed++
		}
		if matched != "" {
			t.ambMatched++
		}
	} else {
		t.det++
		if hit {
			t.detHit1++
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
// The headline recall@1 is over the determinable queries; the ambiguous
// ones are reported apart (labelled key listed with no match), and the raw
// recall@1 over every query too.
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
		all.det += t.det
		all.detHit1 += t.detHit1
		all.amb += t.amb
		all.ambListed += t.ambListed
		all.ambMatched += t.ambMatched
		fmt.Fprintf(w, "%s%-42s n %5d  determinable %5d recall@1 %.4f | ambiguous %4d listed+no match %.4f matched %3d | raw recall@1 %.4f  match:true %5d (right %d)\n",
			prefix, c, t.n, t.det, ratio(t.detHit1, t.det), t.amb, ratio(t.ambListed, t.amb), t.ambMatched, ratio(t.hit1, t.n), t.matches, t.rightMatches)
		b.ReportMetric(ratio(t.detHit1, t.det), prefix+"recall1:"+c)
	}
	line := fmt.Sprintf("%sall (branch classes apart)  n %d  recall@1 determinable %.4f (%d)  ambiguous %d: listed, no match %.4f (%d matched)  raw recall@1 %.4f  precision of match:true %.4f (%d/%d)",
		prefix, all.n, ratio(all.detHit1, all.det), all.det, all.amb, ratio(all.ambListed, all.amb), all.ambMatched, ratio(all.hit1, all.n),
		ratio(all.rightMatches, all.matches), all.rightMatches, all.matches)
	fmt.Fprintln(w, line)
	b.Log(line)
	b.ReportMetric(ratio(all.detHit1, all.det), prefix+"recall1")
	b.ReportMetric(ratio(all.hit1, all.n), prefix+"recall1-raw")
	b.ReportMetric(ratio(all.ambListed, all.amb), prefix+"ambiguous-listed")
	b.ReportMetric(float64(all.ambMatched), prefix+"ambiguous-matched")
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

	// Enterprises known only by a registration number (src:<source>:<15
	// digits>): synth makes none, so the benchmark adds some, named like
	// individual businesses (…商行) from stored names, before the index is
	// built.
	perVariant := envInt("RISKGRAPH_MATCH_PER_VARIANT", 2000)
	var regNos []matchEnt
	{
		var add []models.Enterprise
		k := 0
		if err := st.Scan(ctx, 10_000, func(p *store.Batch) error {
			for _, e := range p.Enterprises {
				if len(add) < perVariant && e.USCC != "" && strings.HasSuffix(e.Name, "有限公司") && (k*7919)%13 == 0 {
					rn := fmt.Sprintf("%s%09d", e.USCC[2:8], 900_000_000+len(add))
					add = append(add, models.Enterprise{Key: "src:samr:" + rn, Name: strings.TrimSuffix(e.Name, "有限公司") + "商行", Region: e.USCC[2:8]})
				}
				k++
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if err := st.WriteBatch(ctx, &store.Batch{Enterprises: add}); err != nil {
			b.Fatal(err)
		}
		for _, e := range add {
			regNos = append(regNos, matchEnt{key: e.Key, name: e.Name, region: e.Region})
		}
	}

	// The labelled set, from the stored enterprises (and their current
	// legal representatives' names).
	var ents []matchEnt
	pos := map[string]int{}
	personNames := map[string]string{}
	if err := st.Scan(ctx, 10_000, func(p *store.Batch) error {
		for _, e := range p.Enterprises {
			if !e.Placeholder && e.Key != "" && e.Name != "" && !strings.HasPrefix(e.Key, "src:samr:") {
				pos[e.Key] = len(ents)
				ents = append(ents, matchEnt{key: e.Key, name: e.Name, phone: e.Phone, address: e.Address, region: e.Region, uscc: e.USCC})
			}
		}
		for _, pr := range p.Persons {
			personNames[pr.PID] = pr.Name
		}
		for _, r := range p.Roles {
			if i, ok := pos[r.Enterprise]; ok && r.Kind == models.RoleLegalRep && r.Until.IsZero() {
				ents[i].legalRep = personNames[r.Person]
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	personNames, pos = nil, nil
	set, shared := labelledSet(b, ents, regNos, perVariant)
	amb := 0
	for _, l := range set {
		if l.ambiguous {
			amb++
		}
	}
	b.Logf("labelled set: %d queries over %d stored enterprises (%d share their registered name with another); %d queries ambiguous", len(set), len(ents), shared, amb)

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
	b.Logf("index: %d enterprises and %d persons, built in %s, %.0f heap bytes per enterprise (persons included)", ix.Len(), ix.Persons(), build.Round(time.Millisecond),
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
		var shown []string
		for i, c := range cands {
			keys[i] = c.Key
			if c.Match {
				matched = c.Key
			}
			shown = append(shown, fmt.Sprintf("%s %s %.3f", c.Key, c.Name, c.Score))
		}
		got.add(l, keys, matched)
		var wrong bool
		switch {
		case l.branch:
			wrong = matched != ""
		case l.ambiguous:
			wrong = matched != "" || !slices.Contains(keys, l.want)
		default:
			wrong = len(keys) == 0 || keys[0] != l.want
		}
		if wrong && nMiss[l.class] < 3 {
			nMiss[l.class]++
			amb := ""
			if l.ambiguous {
				amb = " (ambiguous)"
			}
			fmt.Fprintf(&misses, "miss %s%s: %+v want %s, got %v (match %q)\n", l.class, amb, l.q, l.want, shown, matched)
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
	// A write through the server (POST /batches, writer key) is applied to
	// its index: the next match request does not rebuild it.
	wkey, wid, err := auth.NewKey()
	if err != nil {
		b.Fatal(err)
	}
	if err := st.SaveKey(ctx, store.APIKey{ID: wid, Name: "match bench writer", Role: string(auth.Writer), Hash: auth.Hash(wkey), Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	{
		body := `{"enterprises": [{"key": "src:bench:live-1", "name": "吉安市新写入实业有限公司", "region": "360802"}]}`
		req := httptest.NewRequest("POST", "/api/v1/batches", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+wkey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("POST /api/v1/batches: %d %s", rec.Code, rec.Body.String())
		}
		gen0 = 0 // the generation moved with the write
		d := post([]match.Query{{Name: "吉安新写入实业有限公司"}})
		b.ReportMetric(float64(d)/float64(time.Millisecond), "http-after-write-ms")
		b.Logf("first POST /api/v1/match after a write through the server (applied to the index, no rebuild): %s", d.Round(time.Microsecond))
	}
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
