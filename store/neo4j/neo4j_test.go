package neo4j_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/rs/zerolog"

	"riskgraph/cypher"
	"riskgraph/models"
	"riskgraph/store"
	rgneo4j "riskgraph/store/neo4j"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/store/storetest"
)

// The tests here share one database and must not run in parallel.

func TestConformance(t *testing.T) {
	neo4jtest.Options(t) // skip (or fail under CI) once, not in every subtest
	storetest.Run(t, func(t *testing.T) store.Store { return neo4jtest.Open(t) })
}

// TestConformanceRouting runs the suite through a neo4j:// routing URI on
// the same server (docs/scaling.md: clustered deployments are reached this
// way): reads in read sessions, writes in write sessions, read-your-writes
// through the store's bookmarks.
func TestConformanceRouting(t *testing.T) {
	opts := neo4jtest.Options(t)
	if u := neo4jtest.RoutingURI(opts.URI); !strings.HasPrefix(u, "neo4j") {
		t.Fatalf("NEO4J_URI %s has no routing form", opts.URI)
	}
	storetest.Run(t, func(t *testing.T) store.Store { return neo4jtest.OpenRouting(t) })
}

// TestStatementsReferenced checks that every statement file in cypher/ is
// named by a q… string constant in this package's Go source (or its helper
// packages), that each such constant names a file, and that each is used.
func TestStatementsReferenced(t *testing.T) {
	type constant struct {
		value string
		pkg   string
		pos   token.Position
	}
	consts := map[string]constant{} // pkg.ident → constant
	uses := map[string]int{}        // pkg.ident → references other than the declaration
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files = append(files, f)
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "q") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					consts[f.Name.Name+"."+name.Name] = constant{v, f.Name.Name, fset.Position(name.Pos())}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if c, ok := consts[f.Name.Name+"."+id.Name]; ok && fset.Position(id.Pos()) != c.pos {
					uses[f.Name.Name+"."+id.Name]++
				}
			}
			return true
		})
	}
	named := map[string]bool{}
	for id, c := range consts {
		named[c.value] = true
		if _, err := cypher.Get(c.value); err != nil {
			t.Errorf("%s: constant %s = %q names no statement: %v", c.pos, id, c.value, err)
		}
		if uses[id] == 0 {
			t.Errorf("%s: constant %s (%q) is never used", c.pos, id, c.value)
		}
	}
	for _, n := range cypher.Names() {
		if !named[n] {
			t.Errorf("cypher/%s%s is not used by store/neo4j: delete it or reference it through a q… constant", n, cypher.Ext)
		}
	}
}

// explainParams holds representative parameters for every statement.
// Adding a statement file means adding its entry here.
func explainParams() map[string]map[string]any {
	day := driver.DateOf(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	ent := map[string]any{"key": "914403001922038216", "uscc": "914403001922038216", "name": "华为技术有限公司",
		"kind": "company", "status": "active", "capital": 4.0411e10, "currency": "CNY", "established": day,
		"region": "440300", "industry": nil, "address": nil, "phone": nil, "email": nil}
	rec := map[string]any{"id": "r1", "subject": "914403001922038216", "kind": "administrative_penalty", "severity": 0.4,
		"authority": "深圳市市场监督管理局", "decided": day, "removed": nil, "amount": 50000.0, "doc_no": nil, "reason": nil}
	rows := func(m map[string]any) map[string]any { return map[string]any{"rows": []any{m}, "gen": int64(7)} }
	res := rows(map[string]any{"key": "914403001922038216", "score": 0.42, "grade": "C", "run": "run-1", "flags": []string{"mutual_holding"}, "details": `{"top":[]}`})
	expand := map[string]any{"keys": []string{"914403001922038216"}, "types": []string{"HOLDS_SHARES"}}
	scan := map[string]any{"after": "", "upto": "z", "limit": 1000}
	return map[string]map[string]any{
		"schema_enterprise_key":           nil,
		"schema_enterprise_uscc":          nil,
		"schema_person_pid":               nil,
		"schema_record_id":                nil,
		"schema_enterprise_region":        nil,
		"schema_enterprise_industry":      nil,
		"schema_enterprise_status":        nil,
		"schema_enterprise_risk_score":    nil,
		"schema_person_risk_score":        nil,
		"schema_record_kind":              nil,
		"schema_names_fulltext":           nil,
		"schema_names_analyzer":           nil,
		"schema_await_indexes":            {"seconds": 10},
		"ping":                            nil,
		"delete_all":                      nil,
		"enterprise_upsert":               rows(ent),
		"enterprise_placeholder":          rows(map[string]any{"key": "src:hk:0001"}),
		"person_upsert":                   rows(map[string]any{"pid": "0a1b", "name": "张伟"}),
		"person_placeholder":              rows(map[string]any{"pid": "0a1b", "name": nil}),
		"shareholding_by_enterprise":      rows(map[string]any{"holder": "src:hk:0001", "enterprise": "914403001922038216", "ratio": 0.6, "amount": 6e6, "since": day}),
		"shareholding_by_person":          rows(map[string]any{"holder": "0a1b", "enterprise": "914403001922038216", "ratio": 0.4, "amount": nil, "since": nil}),
		"role_legal_rep":                  rows(map[string]any{"person": "0a1b", "enterprise": "914403001922038216", "title": "", "since": day, "until": nil}),
		"role_officer":                    rows(map[string]any{"person": "0a1b", "enterprise": "914403001922038216", "title": "director", "since": day, "until": day}),
		"branch":                          rows(map[string]any{"branch": "91330106WA000LH0YG", "parent": "914403004JURQ283F0"}),
		"relation":                        rows(map[string]any{"a": "0a1b", "b": "1a1b", "kind": "spouse", "since": "2010-05-01"}),
		"record_of_enterprise":            rows(rec),
		"record_of_person":                rows(rec),
		"results_enterprise":              res,
		"results_person":                  res,
		"promote_enterprise":              {"run": "run-1"},
		"promote_person":                  {"run": "run-1"},
		"discard_staged_enterprise":       nil,
		"discard_staged_person":           nil,
		"schema_enterprise_risk_next_run": nil,
		"schema_person_risk_next_run":     nil,
		"schema_run_id":                   nil,
		"schema_meta_id":                  nil,
		"run_save": {"id": "run-1", "started": time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), "finished": nil, "status": "running",
			"generation": int64(3), "params": `{"alpha":0.85}`, "summary": nil, "error": nil},
		"run_get":               {"id": "run-1"},
		"runs_list":             {"limit": 10},
		"generation_get":        nil,
		"enterprise_get":        {"key": "914403001922038216"},
		"person_get":            {"pid": "0a1b"},
		"records_of_enterprise": {"key": "914403001922038216"},
		"records_of_person":     {"key": "0a1b"},
		"records_of_many":       {"enterprises": []string{"k"}, "persons": []string{"0a1b"}},
		"expand_enterprise":     expand,
		"expand_person":         expand,
		"expand_record":         expand,
		"expand_upward":         {"keys": []string{"914403001922038216"}},
		"network": {"kind": "enterprise", "key": "914403001922038216", "types": []string{"HOLDS_SHARES", "SAME_AS"},
			"depth": int64(2), "limit": int64(500)},
		"search_names":       {"query": `"星河"`, "limit": 30},
		"search_code":        {"key": "914403001922038216", "code": "914403001922038216"},
		"scan_enterprises":   scan,
		"scan_persons":       scan,
		"scan_records":       scan,
		"scan_relationships": scan,
		"scan_relations":     scan,
		"scan_refs":          {"ids": []int64{0, 1}},

		"scan_projection_enterprises":      scan,
		"scan_projection_persons":          scan,
		"scan_projection_records":          scan,
		"scan_projection_relationships":    scan,
		"scan_projection_count":            nil,
		"scan_projection_rel_spans":        nil,
		"scan_projection_holdings_by_id":   {"lo": int64(0), "hi": int64(19999)},
		"scan_projection_legal_reps_by_id": {"lo": int64(0), "hi": int64(19999)},
		"scan_projection_officers_by_id":   {"lo": int64(0), "hi": int64(19999)},
		"scan_projection_branches_by_id":   {"lo": int64(0), "hi": int64(19999)},
		"scan_projection_relations_by_id":  {"lo": int64(0), "hi": int64(19999)},
		"scan_split_enterprises":           {"skip": int64(10)},
		"scan_split_persons":               {"skip": int64(10)},
		"scan_split_records":               {"skip": int64(10)},
		"scan_last_enterprises":            nil,
		"scan_last_persons":                nil,
		"scan_last_records":                nil,
		"schema_enterprise_gen":            nil,
		"schema_person_gen":                nil,
		"schema_record_gen":                nil,
		"schema_holds_gen":                 nil,
		"schema_legal_rep_gen":             nil,
		"schema_officer_gen":               nil,
		"schema_branch_gen":                nil,
		"schema_related_gen":               nil,
		"generation_next":                  {"state": "open", "lease": int64(10000)},
		"generation_claim":                 {"gen": int64(3)},
		"generation_abandon":               {"gens": []int64{3}},
		"generation_open":                  nil,
		"schema_generation_stamp":          nil,
		"schema_generation_state":          nil,
		"lineage_get":                      nil,
		"changes_enterprises":              {"since": int64(3), "limit": int64(10)},
		"changes_persons":                  {"since": int64(3), "limit": int64(10)},
		"changes_records":                  {"since": int64(3), "limit": int64(10)},
		"changes_relationships":            {"since": int64(3), "limit": int64(10)},
		"schema_apikey_id":                 nil,
		"schema_apikey_hash":               nil,
		"apikey_create": {"id": "k1", "name": "dashboard wall", "role": "dashboard", "hash": "ab12",
			"created": time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		"apikey_by_hash": {"hash": "ab12"},
		"apikeys_list":   nil,
		"apikey_revoke":  {"id": "k1", "at": time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
	}
}

// TestStatementsExplain checks that the server accepts every statement.
func TestStatementsExplain(t *testing.T) {
	s := neo4jtest.Open(t) // applies the schema the statements refer to
	_ = s
	d, database := neo4jtest.Driver(t)
	ctx := context.Background()
	params := explainParams()
	maps.Copy(params, reportExplainParams())
	maps.Copy(params, reviewExplainParams())
	maps.Copy(params, xrefExplainParams())
	maps.Copy(params, checkExplainParams())
	maps.Copy(params, fileExplainParams())
	maps.Copy(params, licenceExplainParams())
	maps.Copy(params, ownerExplainParams())
	maps.Copy(params, caseExplainParams())
	for _, name := range cypher.Names() {
		t.Run(name, func(t *testing.T) {
			p, ok := params[name]
			if !ok {
				t.Fatalf("no representative parameters for %s; add them to explainParams", name)
			}
			sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database})
			defer sess.Close(ctx)
			res, err := sess.Run(ctx, "EXPLAIN "+cypher.MustGet(name), p)
			if err == nil {
				_, err = res.Consume(ctx)
			}
			if err != nil {
				t.Errorf("EXPLAIN %s: %v", name, err)
			}
		})
	}
	for name := range params {
		if _, err := cypher.Get(name); err != nil {
			t.Errorf("explainParams names a statement that does not exist: %s", name)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		opts rgneo4j.Options
		ok   bool
	}{
		{rgneo4j.Options{URI: "bolt://127.0.0.1:7687"}, true},
		{rgneo4j.Options{URI: "neo4j+s://db.example.cn", User: "neo4j", Password: "x", Database: "riskgraph"}, true},
		{rgneo4j.Options{}, false},
		{rgneo4j.Options{URI: "http://127.0.0.1:7474"}, false},
		{rgneo4j.Options{URI: "bolt://"}, false},
		{rgneo4j.Options{URI: "bolt://neo4j:secret@127.0.0.1:7687"}, false},
		{rgneo4j.Options{URI: "bolt://127.0.0.1:7687", Password: "secret"}, false},
		{rgneo4j.Options{URI: "bolt://127.0.0.1:7687", MaxConnectionPoolSize: -1}, false},
	} {
		err := tc.opts.Validate()
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, store.ErrInvalid)) {
			t.Errorf("Validate(%+v) = %v, want ok=%v", tc.opts, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Validate leaks the password: %v", err)
		}
	}
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := rgneo4j.Open(ctx, rgneo4j.Options{URI: "bolt://127.0.0.1:1", Logger: zerolog.Nop()})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open on a closed port: %v, want ErrUnavailable", err)
	}
}

func TestClosed(t *testing.T) {
	s := neo4jtest.Open(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Ping after Close: %v, want ErrUnavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestSearchSyntax sends text that is not a valid Lucene query, or analyzes
// to nothing; none of it may fail.
func TestSearchSyntax(t *testing.T) {
	s := neo4jtest.Open(t)
	if err := s.WriteBatch(context.Background(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"*", "()", `\`, `"`, "星河\\", "AND", "the", "NOT 星河", "a:b", "星", "（）", "~1", "深圳市前海星河投资有限公司"} {
		if _, err := s.Search(context.Background(), q, 10); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	hits, err := s.Search(context.Background(), "深圳市前海星河投资有限公司", 10)
	if err != nil || len(hits) != 2 || hits[0].Ref.Key != storetest.B || hits[0].Score != 1 {
		t.Errorf("full name: %+v, %v; want B first (exact) and its branch", hits, err)
	}
	if hits, _ := s.Search(context.Background(), strings.ToLower(storetest.B), 10); len(hits) == 0 || hits[0].Ref.Key != storetest.B {
		t.Errorf("lower-case USCC: %+v", hits)
	}
	if hits, _ := s.Search(context.Background(), storetest.F, 10); len(hits) != 1 || hits[0].Ref.Key != storetest.F {
		t.Errorf("source key: %+v", hits)
	}
}

// TestLargeBatchAndScan writes more rows than one statement chunk and one
// scan chunk, then scans them back in odd-sized pages.
func TestLargeBatchAndScan(t *testing.T) {
	s := neo4jtest.Open(t)
	ctx := context.Background()
	const n = 6001
	b := &store.Batch{}
	for i := range n {
		key := fmt.Sprintf("src:test:%05d", i)
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: key, Name: fmt.Sprintf("测试企业%d有限公司", i), Status: models.StatusActive})
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.PersonRef(fmt.Sprintf("p%05d", i%1000)), Enterprise: key, Ratio: 0.5})
		if i > 0 {
			b.Branches = append(b.Branches, models.Branch{Branch: key, Parent: "src:test:00000"})
		}
	}
	start := time.Now()
	if err := s.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d rows in %v", b.Len(), time.Since(start))
	total := &store.Batch{}
	relSeen := false
	err := s.Scan(ctx, 997, func(p *store.Batch) error {
		if p.Len() == 0 || p.Len() > 997 {
			t.Errorf("page of %d rows", p.Len())
		}
		if len(p.Shareholdings)+len(p.Roles)+len(p.Branches) > 0 {
			relSeen = true
		} else if relSeen {
			t.Error("a node page after a relationship page")
		}
		total.Append(p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(total.Enterprises) != n || len(total.Persons) != 1000 || len(total.Shareholdings) != n || len(total.Branches) != n-1 {
		t.Errorf("scanned %d enterprises, %d persons, %d shareholdings, %d branches; want %d, 1000, %d, %d",
			len(total.Enterprises), len(total.Persons), len(total.Shareholdings), len(total.Branches), n, n, n-1)
	}
	if !slices.IsSortedFunc(total.Enterprises, func(a, b models.Enterprise) int { return strings.Compare(a.Key, b.Key) }) {
		t.Error("enterprises not in key order")
	}
	if p := total.Persons[0]; !p.Placeholder {
		t.Errorf("holder %+v should be a placeholder", p)
	}
}

// TestRecordMovesWithinBatch: the last row for a record id wins, and the
// subjects of earlier rows still become placeholders.
func TestRecordMovesWithinBatch(t *testing.T) {
	s := neo4jtest.Open(t)
	ctx := context.Background()
	b := &store.Batch{Records: []models.Record{
		{ID: "rm", Subject: models.EnterpriseRef("src:x:1"), Kind: models.RecordPenalty, Severity: 0.1},
		{ID: "rm", Subject: models.PersonRef("pm"), Kind: models.RecordBlacklist, Severity: 0.9},
	}}
	if err := s.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	if recs, _ := s.Records(ctx, models.EnterpriseRef("src:x:1")); len(recs) != 0 {
		t.Errorf("first subject keeps %+v", recs)
	}
	recs, err := s.Records(ctx, models.PersonRef("pm"))
	if err != nil || len(recs) != 1 || recs[0].Kind != models.RecordBlacklist || recs[0].Subject != models.PersonRef("pm") {
		t.Errorf("records of pm: %+v, %v", recs, err)
	}
	if e, err := s.Enterprise(ctx, "src:x:1"); err != nil || !e.Placeholder {
		t.Errorf("first subject: %+v, %v; want a placeholder", e, err)
	}
}

// TestScanResolvesUnlistedNodes: a scan that meets, in a relationship row,
// a node its node streams did not list (created while it ran) looks it up
// by internal id with scan_refs; other nodes stay unknown.
func TestScanResolvesUnlistedNodes(t *testing.T) {
	st := neo4jtest.Open(t)
	ctx := context.Background()
	e := models.Enterprise{Key: "914403001922038216", USCC: "914403001922038216", Name: "深圳测试有限公司", Kind: models.EnterpriseCompany, Status: models.StatusActive}
	p := models.Person{PID: "0123456789abcdef0123456789abcdef", Name: "张三"}
	if err := st.WriteBatch(ctx, &store.Batch{Enterprises: []models.Enterprise{e}, Persons: []models.Person{p}}); err != nil {
		t.Fatal(err)
	}
	d, database := neo4jtest.Driver(t)
	sess := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database, AccessMode: driver.AccessModeWrite})
	defer sess.Close(ctx)
	idOf := func(q string) int64 {
		res, err := sess.Run(ctx, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := res.Single(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Values[0].(int64)
	}
	ie := idOf("MATCH (n:Enterprise {key: '914403001922038216'}) RETURN id(n)")
	ip := idOf("MATCH (n:Person {pid: '0123456789abcdef0123456789abcdef'}) RETURN id(n)")
	io := idOf("CREATE (n:NotRiskgraph) RETURN id(n)")
	got, err := rgneo4j.ResolveIDs(ctx, st, []int64{ie, ip, io})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]models.Ref{ie: models.EnterpriseRef(e.Key), ip: models.PersonRef(p.PID)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resolved %v, want %v", got, want)
	}
}

// TestProjectionNumbersNodesCreatedDuringScan creates, while a projection
// scan runs, an enterprise whose key the enterprise stream has passed and a
// shareholding from it to the last enterprise, which the relationship
// stream cannot have read yet (with a read-ahead of `ahead` chunks, it
// reads at most ahead+3 chunks ahead of a consumer still taking nodes).
// The scan meets the new enterprise only in that relationship row; it must
// look it up (scan_refs) and give it a number of its own.
func TestProjectionNumbersNodesCreatedDuringScan(t *testing.T) {
	st := neo4jtest.Open(t)
	ctx := context.Background()
	const ahead = 4
	defer rgneo4j.SetScanAhead(ahead)()
	// One session per stream: the read-ahead bound below is a stream's.
	defer rgneo4j.SetScanSessions(st, 1)()
	n := rgneo4j.ScanChunk*(ahead+3) + 1
	b := &store.Batch{}
	for i := range n {
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: fmt.Sprintf("src:test:%06d", i), Status: models.StatusActive})
	}
	if err := st.WriteBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	const created = "src:aaa:created-during-scan" // sorts before every listed key
	last := b.Enterprises[n-1].Key
	var (
		pages   int
		listed  = map[int32]string{}
		holding []store.Ends
	)
	err := st.ScanProjection(ctx, 1000, func(p *store.ProjectionPage) error {
		pages++
		if pages == 1 {
			// The enterprise stream has read past created's key.
			add := &store.Batch{Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef(created), Enterprise: last, Ratio: 0.3}}}
			if err := st.WriteBatch(ctx, add); err != nil {
				return err
			}
		}
		for i, e := range p.Enterprises {
			if e.Key == created {
				t.Errorf("the enterprise stream listed %s, created after it passed that key", created)
			}
			listed[p.EnterpriseNums[i]] = e.Key
		}
		for i, sh := range p.Shareholdings {
			if sh.Holder == models.EnterpriseRef(created) && sh.Enterprise == last {
				holding = append(holding, p.ShareholdingEnds[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != n {
		t.Errorf("%d enterprises numbered, want %d", len(listed), n)
	}
	if len(holding) != 1 {
		t.Fatalf("the shareholding from %s to %s came %d times, want once", created, last, len(holding))
	}
	from, to := holding[0].From, holding[0].To
	if from < 0 {
		t.Errorf("the created enterprise has no number (%d)", from)
	} else if key, ok := listed[from]; ok {
		t.Errorf("the created enterprise has number %d, already %s's", from, key)
	}
	if listed[to] != last {
		t.Errorf("the held enterprise has number %d, which is %q's, not %s's", to, listed[to], last)
	}
}
