package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"riskgraph/cache/redistest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// scoredSample is a generated sample loaded into a memory store and scored
// through engine.Score, the entry point of riskgraph score.
type scoredSample struct {
	s   *memory.Store
	run store.Run
	// ents are the scored enterprises as the store holds them; persons the
	// flagged persons.
	ents    []models.Enterprise
	persons []models.Person
}

func newScoredSample(t *testing.T, enterprises int, runID string) *scoredSample {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: enterprises, Seed: 11, Out: dir}); err != nil {
		t.Fatal(err)
	}
	s := memStore(t)
	t.Cleanup(func() { s.Close() })
	h, err := models.NewPIDHasher([]byte("server-test-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.LoadDir(ctx, dir, s, ingest.LoadOptions{Hasher: h, Source: "t", Logger: zerolog.Nop()})
	if err != nil || sum.Total.Rejected != 0 {
		t.Fatalf("load: %v, %d rejected", err, sum.Total.Rejected)
	}
	clock := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	_, run, err := engine.Score(ctx, s, engine.Options{Params: engine.DefaultParams(), Today: models.NewDate(2026, 6, 30)}, runID,
		func() time.Time { clock = clock.Add(time.Second); return clock })
	if err != nil {
		t.Fatal(err)
	}
	ss := &scoredSample{s: s, run: run}
	_ = s.Scan(ctx, 5000, func(b *store.Batch) error {
		for _, e := range b.Enterprises {
			if e.Risk != nil && !e.Placeholder {
				ss.ents = append(ss.ents, e)
			}
		}
		for _, p := range b.Persons {
			if p.Risk != nil && len(p.Risk.Flags) > 0 {
				ss.persons = append(ss.persons, p)
			}
		}
		return nil
	})
	if len(ss.ents) < enterprises/2 {
		t.Fatalf("only %d scored enterprises in the store", len(ss.ents))
	}
	for _, e := range ss.ents {
		if e.Risk.Run != runID {
			t.Fatalf("enterprise %s has the result of run %q, want %q", e.Key, e.Risk.Run, runID)
		}
	}
	return ss
}

// expectedRanking is the ranking computed here from the store's results:
// score descending, then key descending.
func (ss *scoredSample) expectedRanking(match func(models.Enterprise) bool) []models.Enterprise {
	var out []models.Enterprise
	for _, e := range ss.ents {
		if match(e) {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Risk.Score != out[j].Risk.Score {
			return out[i].Risk.Score > out[j].Risk.Score
		}
		return out[i].Key > out[j].Key
	})
	return out
}

// rankCase is a ranking query and the store-side filter it means.
type rankCase struct {
	query string
	match func(models.Enterprise) bool
}

// rankCases builds filters that select something in the sample: the
// region (province, city, county), industry, grade and flag of real
// enterprises, alone and combined.
func (ss *scoredSample) rankCases(t *testing.T) []rankCase {
	t.Helper()
	var withRegion, withFlag *models.Enterprise
	grades := map[string]int{}
	for i := range ss.ents {
		e := &ss.ents[i]
		grades[e.Risk.Grade]++
		if withRegion == nil && len(e.Region) == 6 && !strings.HasSuffix(e.Region, "00") && e.Industry != "" {
			withRegion = e
		}
		if withFlag == nil && len(e.Risk.Flags) > 0 {
			withFlag = e
		}
	}
	if withRegion == nil || withFlag == nil || len(grades) < 2 {
		t.Fatalf("the sample lacks a county-level enterprise (%v), a flagged one (%v) or two grades (%v)", withRegion, withFlag, grades)
	}
	prov, city, county, ind := withRegion.Region[:2]+"0000", withRegion.Region[:4]+"00", withRegion.Region, withRegion.Industry
	grade := withRegion.Risk.Grade
	flag := withFlag.Risk.Flags[0]
	all := func(models.Enterprise) bool { return true }
	return []rankCase{
		{"", all},
		{"offset=3&limit=7", all},
		{"limit=500", all},
		{"region=" + prov, func(e models.Enterprise) bool { return strings.HasPrefix(e.Region, prov[:2]) }},
		{"region=" + city + "&limit=20", func(e models.Enterprise) bool { return strings.HasPrefix(e.Region, city[:4]) }},
		{"region=" + county, func(e models.Enterprise) bool { return e.Region == county }},
		{"industry=" + ind, func(e models.Enterprise) bool { return e.Industry == ind }},
		{"grade=" + strings.ToLower(grade), func(e models.Enterprise) bool { return e.Risk.Grade == grade }},
		{"flag=" + flag, func(e models.Enterprise) bool { return slices.Contains(e.Risk.Flags, flag) }},
		{"region=" + prov + "&grade=" + grade + "&offset=2&limit=5", func(e models.Enterprise) bool {
			return strings.HasPrefix(e.Region, prov[:2]) && e.Risk.Grade == grade
		}},
		{"region=" + city + "&industry=" + ind, func(e models.Enterprise) bool {
			return strings.HasPrefix(e.Region, city[:4]) && e.Industry == ind
		}},
		{"region=990000", func(models.Enterprise) bool { return false }},
	}
}

// rankingPage is the ranking endpoint's body.
type rankingPage struct {
	Run     string `json:"run"`
	Source  string `json:"source"`
	Ranking struct {
		Items []struct {
			Ref   models.Ref `json:"ref"`
			Name  string     `json:"name"`
			Score float64    `json:"score"`
			Grade string     `json:"grade"`
			Flags []string   `json:"flags"`
			Run   string     `json:"run"`
		} `json:"items"`
		Offset int `json:"offset"`
		Limit  int `json:"limit"`
		Total  int `json:"total"`
	} `json:"ranking"`
}

func getInto(t *testing.T, h http.Handler, url string, v any) http.Header {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return rec.Header()
}

// checkRanking compares one ranking answer with the store's results.
func (ss *scoredSample) checkRanking(t *testing.T, h http.Handler, c rankCase) rankingPage {
	t.Helper()
	var got rankingPage
	getInto(t, h, "/api/v1/ranking?"+c.query, &got)
	q, _ := url.ParseQuery(c.query)
	offset, limit := 0, 100
	fmt.Sscan(q.Get("offset"), &offset)
	fmt.Sscan(q.Get("limit"), &limit)
	want := ss.expectedRanking(c.match)
	if got.Run != ss.run.ID || got.Ranking.Total != len(want) || got.Ranking.Offset != offset || got.Ranking.Limit != limit {
		t.Errorf("ranking?%s: run %q total %d offset %d limit %d; want run %q total %d offset %d limit %d",
			c.query, got.Run, got.Ranking.Total, got.Ranking.Offset, got.Ranking.Limit, ss.run.ID, len(want), offset, limit)
	}
	want = want[min(offset, len(want)):min(offset+limit, len(want))]
	if len(got.Ranking.Items) != len(want) {
		t.Fatalf("ranking?%s: %d items, want %d", c.query, len(got.Ranking.Items), len(want))
	}
	for i, it := range got.Ranking.Items {
		w := want[i]
		if it.Ref != w.Ref() || it.Name != w.Name || it.Score != w.Risk.Score || it.Grade != w.Risk.Grade ||
			!slices.Equal(it.Flags, w.Risk.Flags) || it.Run != ss.run.ID {
			t.Errorf("ranking?%s item %d: %+v; want %s %s %v %s %v", c.query, offset+i, it, w.Key, w.Name, w.Risk.Score, w.Risk.Grade, w.Risk.Flags)
			break
		}
	}
	return got
}

// TestRankingStatsFlagsOnScoredStore: /ranking, /stats and /flags on a
// store scored by engine.Score give exactly what the store's results say.
func TestRankingStatsFlagsOnScoredStore(t *testing.T) {
	ss := newScoredSample(t, 800, "run-scored")
	h := New(Options{Store: ss.s, Cache: cache.NewLocal(1000, nil), Logger: zerolog.Nop(), InsecureDev: true})
	for _, c := range ss.rankCases(t) {
		if got := ss.checkRanking(t, h, c); got.Source != "store" {
			t.Errorf("ranking?%s: source %q without Redis, want store", c.query, got.Source)
		}
	}
	for _, q := range []string{"grade=E", "region=44", "region=abcdef", "limit=501", "offset=10001", "limit=0"} {
		if code, body := get(t, h, "/api/v1/ranking?"+q); code != 400 || errMessage(body) == "" {
			t.Errorf("ranking?%s: %d %v, want 400", q, code, body)
		}
	}

	// Stats by province, city and industry, computed here from the store.
	for _, by := range []string{"region", "city", "industry"} {
		var got struct {
			Run    string `json:"run"`
			By     string `json:"by"`
			Groups []struct {
				Key       string         `json:"key"`
				Count     int            `json:"count"`
				Mean      float64        `json:"mean"`
				Grades    map[string]int `json:"grades"`
				Histogram [10]int        `json:"histogram"`
			} `json:"groups"`
		}
		getInto(t, h, "/api/v1/stats?by="+by, &got)
		type agg struct {
			n      int
			sum    float64
			grades map[string]int
			hist   [10]int
		}
		want := map[string]*agg{}
		for _, e := range ss.ents {
			k := "unknown"
			switch {
			case by == "industry" && e.Industry != "":
				k = e.Industry
			case by == "city" && len(e.Region) >= 4:
				k = e.Region[:4] + "00"
			case by == "region" && len(e.Region) >= 2:
				k = e.Region[:2] + "0000"
			}
			a := want[k]
			if a == nil {
				a = &agg{grades: map[string]int{}}
				want[k] = a
			}
			a.n++
			a.sum += e.Risk.Score
			a.grades[e.Risk.Grade]++
			a.hist[min(int(e.Risk.Score*10), 9)]++
		}
		if got.Run != ss.run.ID || len(got.Groups) != len(want) {
			t.Fatalf("stats by %s: run %q, %d groups; want %d", by, got.Run, len(got.Groups), len(want))
		}
		total := 0
		for i, g := range got.Groups {
			w := want[g.Key]
			if w == nil || g.Count != w.n || math.Abs(g.Mean-w.sum/float64(w.n)) > 1e-9 || !mapsEqual(g.Grades, w.grades) || g.Histogram != w.hist {
				t.Errorf("stats by %s, group %s: %+v; want %+v", by, g.Key, g, w)
			}
			if i > 0 && got.Groups[i-1].Key >= g.Key {
				t.Errorf("stats by %s: groups not in key order at %s", by, g.Key)
			}
			total += g.Count
		}
		if total != len(ss.ents) {
			t.Errorf("stats by %s count %d enterprises, the store scored %d", by, total, len(ss.ents))
		}
	}
	if code, _ := get(t, h, "/api/v1/stats?by=planet"); code != 400 {
		t.Errorf("stats?by=planet: %d, want 400", code)
	}
	// Stats follow the ranking's filters: under each filter the groups
	// count what the ranking totals.
	e0 := ss.ents[0]
	for _, q := range []string{"grade=" + e0.Risk.Grade, "industry=" + e0.Industry, "region=" + e0.Region[:2] + "0000&grade=" + e0.Risk.Grade} {
		var st struct {
			Groups []struct {
				Count int `json:"count"`
			} `json:"groups"`
		}
		var rk struct {
			Ranking struct {
				Total int `json:"total"`
			} `json:"ranking"`
		}
		getInto(t, h, "/api/v1/stats?by=industry&"+q, &st)
		getInto(t, h, "/api/v1/ranking?limit=1&"+q, &rk)
		n := 0
		for _, g := range st.Groups {
			n += g.Count
		}
		if n != rk.Ranking.Total || n == 0 || n == len(ss.ents) && q != "grade="+e0.Risk.Grade {
			t.Errorf("stats?by=industry&%s count %d, the ranking %d (of %d)", q, n, rk.Ranking.Total, len(ss.ents))
		}
	}
	if code, _ := get(t, h, "/api/v1/stats?grade=E"); code != 400 {
		t.Errorf("stats?grade=E: %d, want 400", code)
	}

	// Flags feed: every flagged enterprise and person of the run.
	type flagPage struct {
		Run   string `json:"run"`
		Flags struct {
			Items []struct {
				Ref   models.Ref `json:"ref"`
				Flags []string   `json:"flags"`
			} `json:"items"`
			Total int `json:"total"`
		} `json:"flags"`
	}
	flagged := map[models.Ref][]string{}
	byFlag := map[string]int{}
	for _, e := range ss.ents {
		if len(e.Risk.Flags) > 0 {
			flagged[e.Ref()] = e.Risk.Flags
		}
	}
	for _, p := range ss.persons {
		flagged[p.Ref()] = p.Risk.Flags
	}
	for _, fs := range flagged {
		for _, f := range fs {
			byFlag[f]++
		}
	}
	if len(flagged) == 0 {
		t.Fatal("the sample has no flagged entity")
	}
	seen := map[models.Ref]bool{}
	for offset := 0; offset < len(flagged); offset += 37 {
		var got flagPage
		getInto(t, h, fmt.Sprintf("/api/v1/flags?offset=%d&limit=37", offset), &got)
		if got.Flags.Total != len(flagged) {
			t.Fatalf("flags total %d, want %d", got.Flags.Total, len(flagged))
		}
		for _, it := range got.Flags.Items {
			if seen[it.Ref] || !slices.Equal(it.Flags, flagged[it.Ref]) {
				t.Errorf("flags feed item %v %v: duplicate or not the store's flags %v", it.Ref, it.Flags, flagged[it.Ref])
			}
			seen[it.Ref] = true
		}
	}
	if len(seen) != len(flagged) {
		t.Errorf("flags feed pages gave %d entities, want %d", len(seen), len(flagged))
	}
	for f, n := range byFlag {
		var got flagPage
		getInto(t, h, "/api/v1/flags?limit=500&flag="+f, &got)
		if got.Flags.Total != n {
			t.Errorf("flags?flag=%s: total %d, want %d", f, got.Flags.Total, n)
		}
	}
	var before, after flagPage
	getInto(t, h, "/api/v1/flags?since="+url.QueryEscape(ss.run.Finished.Add(-time.Second).Format(time.RFC3339)), &before)
	getInto(t, h, "/api/v1/flags?since="+url.QueryEscape(ss.run.Finished.Add(time.Second).Format(time.RFC3339)), &after)
	if before.Flags.Total != len(flagged) || after.Flags.Total != 0 || after.Run != ss.run.ID {
		t.Errorf("flags since before/after the run finished: %d/%d, want %d/0", before.Flags.Total, after.Flags.Total, len(flagged))
	}
	if code, _ := get(t, h, "/api/v1/flags?since=yesterday"); code != 400 {
		t.Errorf("flags?since=yesterday: %d, want 400", code)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// testRedis opens the shared test Redis (see cache/redistest).
func testRedis(t *testing.T) *cache.Redis { return redistest.Open(t) }

// TestRankingRedisMatchesStore: the ranking from Redis's sorted sets and
// the in-process fallback from the store give the same pages. Before the
// run is in Redis the Redis-backed API answers from the store and publishes
// it in the background; after that it answers from Redis.
func TestRankingRedisMatchesStore(t *testing.T) {
	r := testRedis(t)
	run := fmt.Sprintf("run-test-%d", time.Now().UnixNano()) // fresh keys in the shared Redis
	ss := newScoredSample(t, 800, run)
	local := New(Options{Store: ss.s, Cache: cache.NewLocal(1000, nil), Logger: zerolog.Nop(), InsecureDev: true})
	api := NewAPI(Options{Store: ss.s, Cache: r, Logger: zerolog.Nop(), InsecureDev: true})
	t.Cleanup(api.Close)
	redisAPI := api.Handler()
	ctx := context.Background()
	t.Cleanup(func() {
		keys, _ := r.Client().Keys(ctx, "rg:rank:{"+run+"}:*").Result()
		if len(keys) > 0 {
			r.Client().Del(ctx, keys...)
		}
	})

	// Not published yet: the fallback answers, and publishes.
	first := ss.checkRanking(t, redisAPI, rankCase{"limit=11", func(models.Enterprise) bool { return true }})
	if first.Source != "store" {
		t.Errorf("before publication: source %q, want store", first.Source)
	}
	ready := "rg:rank:{" + run + "}:ready"
	for i := 0; ; i++ {
		if n, _ := r.Client().Exists(ctx, ready).Result(); n == 1 {
			break
		}
		if i == 300 {
			t.Fatal("the API did not publish the run's ranking to Redis within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, c := range ss.rankCases(t) {
		fromRedis := ss.checkRanking(t, redisAPI, c)
		fromStore := ss.checkRanking(t, local, c)
		if fromRedis.Source != "redis" || fromStore.Source != "store" {
			t.Errorf("ranking?%s: sources %q and %q, want redis and store", c.query, fromRedis.Source, fromStore.Source)
		}
		a, _ := json.Marshal(fromRedis.Ranking)
		b, _ := json.Marshal(fromStore.Ranking)
		if string(a) != string(b) {
			t.Errorf("ranking?%s differs between Redis and the store:\n redis %s\n store %s", c.query, a, b)
		}
	}
}
