package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

func newTestAPI(t *testing.T) (http.Handler, *memory.Store) {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(context.Background(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	return New(Options{Store: s, Cache: cache.NewLocal(10, nil), Logger: zerolog.Nop(), Version: "test", InsecureDev: true}), s
}

func get(t *testing.T, h http.Handler, url string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("GET %s: status %d, body not JSON: %q", url, rec.Code, rec.Body.String())
	}
	return rec.Code, body
}

// errMessage is an error body's message: its problem detail, which the
// v1 member error.message repeats. A body where the two differ (or that is
// not a problem) gives a text no test expects, so the test fails.
func errMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	m, _ := e["message"].(string)
	d, _ := body["detail"].(string)
	if m != d || body["type"] != "about:blank" || body["status"] != e["status"] {
		return fmt.Sprintf("not a problem body: detail %q, error.message %q, type %v", d, m, body["type"])
	}
	return d
}

func TestHealthAndReadiness(t *testing.T) {
	h, s := newTestAPI(t)
	if code, _ := get(t, h, "/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, body := get(t, h, "/readyz"); code != 200 || body["ready"] != true {
		t.Errorf("readyz %d %v", code, body)
	}
	s.Close()
	if code, body := get(t, h, "/readyz"); code != 503 || body["ready"] != false {
		t.Errorf("readyz with a closed store: %d %v", code, body)
	}
	code, body := get(t, h, "/api/v1/enterprises/"+storetest.B)
	if code != 503 || strings.Contains(errMessage(body), "closed") {
		t.Errorf("store down: %d %q; want 503 without internal detail", code, errMessage(body))
	}
}

func TestEnterprise(t *testing.T) {
	h, _ := newTestAPI(t)
	code, body := get(t, h, "/api/v1/enterprises/"+strings.ToLower(storetest.C))
	if code != 200 {
		t.Fatalf("status %d %v", code, body)
	}
	e := body["enterprise"].(map[string]any)
	region := body["region"].(map[string]any)
	recs := body["records"].([]any)
	if e["name"] != "深圳市南山区云帆科技有限公司" || region["county"] != "南山区" || region["city"] != "深圳市" || len(recs) != 1 {
		t.Errorf("profile of C: %v", body)
	}
	if body["code"].(map[string]any)["division"] != "440305" {
		t.Errorf("code parts: %v", body["code"])
	}
	if code, body := get(t, h, "/api/v1/enterprises/src:hk:0001"); code != 200 || body["enterprise"].(map[string]any)["name"] != "Harbour Holdings Ltd" {
		t.Errorf("source key: %d %v", code, body)
	}
	code, body = get(t, h, "/api/v1/enterprises/914403001922038217")
	if code != 400 || !strings.Contains(errMessage(body), "expected check character '6'") {
		t.Errorf("bad check character: %d %q", code, errMessage(body))
	}
	if code, body := get(t, h, "/api/v1/enterprises/91440300MA5FXXXX0Y"); code != 400 {
		t.Errorf("bad code: %d %v", code, body)
	}
	if code, _ := get(t, h, "/api/v1/enterprises/914403004JURQ283F0"); code != 200 {
		t.Errorf("known code: %d", code)
	}
	if code, body := get(t, h, "/api/v1/enterprises/91310115NE8PR7JY3Y"); code != 200 || len(body["records"].([]any)) != 1 {
		t.Errorf("G: %d %v", code, body)
	}
	code, body = get(t, h, "/api/v1/enterprises/91350100M000100Y43")
	if code != 404 || !strings.Contains(errMessage(body), "not found") {
		t.Errorf("unknown enterprise: %d %v", code, body)
	}
}

func TestPerson(t *testing.T) {
	h, _ := newTestAPI(t)
	code, body := get(t, h, "/api/v1/persons/"+storetest.P3)
	if code != 200 || body["person"].(map[string]any)["name"] != "王芳" || len(body["records"].([]any)) != 1 {
		t.Errorf("person P3: %d %v", code, body)
	}
	if code, body := get(t, h, "/api/v1/persons/11010519491231002X"); code != 400 || !strings.Contains(errMessage(body), "looks like an identity number") ||
		strings.Contains(fmt.Sprint(body), "11010519491231002X") {
		t.Errorf("identity number as pid: %d %v", code, body)
	}
	if code, _ := get(t, h, "/api/v1/persons/ffffffffffffffffffffffffffffffff"); code != 404 {
		t.Errorf("unknown pid: %d", code)
	}
}

func TestNetwork(t *testing.T) {
	h, _ := newTestAPI(t)
	code, body := get(t, h, "/api/v1/enterprises/"+storetest.B+"/network?depth=2&types=holds_shares,LEGAL_REP_OF&limit=50")
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	// B, F, P1, C over shares and legal reps at depth 1; P2, D at depth 2.
	if n, e := len(body["nodes"].([]any)), len(body["edges"].([]any)); n != 6 || e != 7 {
		t.Errorf("network of B: %d nodes, %d edges; want 6, 7", n, e)
	}
	edge := body["edges"].([]any)[0].(map[string]any)
	if edge["from"] == nil || edge["to"] == nil || edge["type"] == nil {
		t.Errorf("edge shape: %v", edge)
	}
	if code, body := get(t, h, "/api/v1/persons/"+storetest.P1+"/network?depth=1"); code != 200 || len(body["nodes"].([]any)) != 3 {
		t.Errorf("person network: %d %v", code, body)
	}
	for _, q := range []string{"depth=4", "depth=0", "depth=two", "limit=0", "limit=5001", "types=OWNS"} {
		code, body := get(t, h, "/api/v1/enterprises/"+storetest.B+"/network?"+q)
		if code != 400 || errMessage(body) == "" {
			t.Errorf("%s: %d %v", q, code, body)
		}
	}
	if code, _ := get(t, h, "/api/v1/enterprises/91350100M000100Y43/network"); code != 404 {
		t.Errorf("network of an unknown enterprise: %d", code)
	}
}

func TestPaths(t *testing.T) {
	h, _ := newTestAPI(t)
	code, body := get(t, h, "/api/v1/paths?from=src:hk:0001&to="+storetest.D+"&max_depth=4")
	if code != 200 || len(body["paths"].([]any)) != 1 {
		t.Fatalf("F→D: %d %v", code, body)
	}
	path := body["paths"].([]any)[0].(map[string]any)
	if len(path["nodes"].([]any)) != 4 || len(path["edges"].([]any)) != 3 {
		t.Errorf("path shape: %v", path)
	}
	if code, body := get(t, h, "/api/v1/paths?from=person:"+storetest.P2+"&to="+storetest.D); code != 200 || len(body["paths"].([]any)) != 2 {
		t.Errorf("P2→D: %d %v", code, body)
	}
	if code, body := get(t, h, "/api/v1/paths?from="+storetest.A+"&to="+storetest.B); code != 200 || len(body["paths"].([]any)) != 0 {
		t.Errorf("no path: %d %v", code, body)
	}
	for _, q := range []string{"from=" + storetest.A, "from=" + storetest.A + "&to=x", "from=" + storetest.A + "&to=" + storetest.B + "&max_depth=9"} {
		if code, _ := get(t, h, "/api/v1/paths?"+q); code != 400 {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
}

func TestSearch(t *testing.T) {
	h, _ := newTestAPI(t)
	code, body := get(t, h, "/api/v1/search?q=%E6%98%9F%E6%B2%B3") // 星河
	if code != 200 || len(body["hits"].([]any)) != 3 {
		t.Errorf("search 星河: %d %v", code, body)
	}
	if code, body := get(t, h, "/api/v1/search?q=%20"); code != 400 || errMessage(body) == "" {
		t.Errorf("empty q: %d %v", code, body)
	}
	if code, _ := get(t, h, "/api/v1/search?q=abc&limit=1000"); code != 400 {
		t.Errorf("limit 1000: %d", code)
	}
	if code, body := get(t, h, "/api/v1/search?q=zzzz"); code != 200 || len(body["hits"].([]any)) != 0 {
		t.Errorf("no hits must be an empty list: %d %v", code, body)
	}
}

var _ store.Store = (*memory.Store)(nil)
