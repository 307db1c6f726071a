package server

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"riskgraph/auth"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// oddKeys are source keys holding what a path must escape: ':' beyond the
// prefix, '/', '%' (also before two hex digits, which must not be decoded
// twice), CJK and a key that decodes to another route's path.
var oddKeys = []string{
	"src:t:a:b",
	"src:t:a/b",
	"src:t:50%",
	"src:t:%41",
	"src:数据:甲乙/丙",
	"src:t:x",
	"src:t:x/records",
}

// encodeURIComponent escapes as the browser's encodeURIComponent does (the
// UI's enc): everything but letters, digits and -_.!~*'().
func encodeURIComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// TestPathParametersUnescaped: every route with a key or pid in its path
// answers for the entity the caller named, whether the key is escaped as
// encodeURIComponent does (":" → %3A, "/" → %2F, "%" → %25, CJK as UTF-8
// bytes) or only where a path needs it (url.PathEscape); the audit entry
// names the unescaped key; and two keys whose paths decode alike do not
// share a cached answer.
func TestPathParametersUnescaped(t *testing.T) {
	s := memStore(t)
	sc := newSecured(t, s, Options{RateLimit: -1})
	b := &store.Batch{}
	for i, k := range oddKeys {
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: k, Name: "路径测试企业" + string(rune('甲'+i))})
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.EnterpriseRef(k), Enterprise: storetest.C, Ratio: 0.01})
	}
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	var keyRoutes, pidRoutes int
	for _, r := range sc.api.routes() {
		if r.Method != "GET" || !sc.registered(r) {
			continue
		}
		switch {
		case strings.Contains(r.Path, ":key"):
			keyRoutes++
			for _, k := range oddKeys {
				for _, esc := range []func(string) string{encodeURIComponent, url.PathEscape} {
					target := strings.Replace(r.fullPath(), ":key", esc(k), 1)
					before := len(auditOf(t, s))
					code, resp, _ := sc.do(t, auth.Admin, "GET", target, "")
					if code == 400 || code == 404 && strings.Contains(errMessage(resp), "not found") && !strings.Contains(errMessage(resp), k) {
						t.Errorf("GET %s (key %q): %d %q, want an answer for %q", target, k, code, errMessage(resp), k)
						continue
					}
					if code == 200 && r.Path == "/enterprises/:key" {
						if got := resp["enterprise"].(map[string]any)["key"]; got != k {
							t.Errorf("GET %s: the profile of %v, want %q", target, got, k)
						}
					}
					if code == 200 && strings.HasSuffix(r.Path, "/network") && !hasNode(resp, "enterprise:"+k) {
						t.Errorf("GET %s: network without its root enterprise:%s: %v", target, k, resp)
					}
					es := auditOf(t, s)
					if len(es) != before+1 || len(es[0].Entities) != 1 || es[0].Entities[0] != "enterprise:"+k {
						t.Errorf("GET %s: audit entry %+v, want one naming enterprise:%s", target, es[0], k)
					}
				}
			}
		case strings.Contains(r.Path, ":pid"):
			pidRoutes++
			// A pid escaped letter by letter is still the pid.
			var esc strings.Builder
			for _, c := range []byte(storetest.P3) {
				esc.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
			}
			target := strings.Replace(r.fullPath(), ":pid", esc.String(), 1)
			code, resp, _ := sc.do(t, auth.Admin, "GET", target, "")
			if code != 200 {
				t.Errorf("GET %s: %d %q, want 200 for %s", target, code, errMessage(resp), storetest.P3)
			}
			if es := auditOf(t, s); len(es[0].Entities) != 1 || es[0].Entities[0] != "person:"+storetest.P3 {
				t.Errorf("GET %s: audit entry %+v, want person:%s", target, es[0], storetest.P3)
			}
		}
	}
	if keyRoutes < 7 || pidRoutes < 3 {
		t.Fatalf("%d routes with a key and %d with a pid in the path: the route table changed, check this test", keyRoutes, pidRoutes)
	}

	// The profile of "src:t:x/records" (escaped) and the records of
	// src:t:x decode to one path: each has its own answer in the cache.
	sc2 := newSecured(t, memStore(t), Options{RateLimit: -1})
	if err := sc2.s.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	_, recs, h1 := sc2.do(t, auth.Admin, "GET", "/api/v1/enterprises/src:t:x/records", "")
	code, prof, h2 := sc2.do(t, auth.Admin, "GET", "/api/v1/enterprises/"+encodeURIComponent("src:t:x/records"), "")
	if code != 200 || prof["enterprise"] == nil || prof["enterprise"].(map[string]any)["key"] != "src:t:x/records" {
		t.Errorf("profile of src:t:x/records after the records of src:t:x were cached (%s, then %s): %d %v (records: %v)", h1.Get("X-Cache"), h2.Get("X-Cache"), code, prof, recs)
	}

	// Other path parameters are unescaped too: a run id with ':' is looked
	// up as given.
	code, resp, _ := sc.do(t, auth.Admin, "GET", "/api/v1/runs/"+encodeURIComponent("run:甲"), "")
	if code != 404 || !strings.Contains(errMessage(resp), "run:甲") {
		t.Errorf("GET /runs/run%%3A…: %d %q, want 404 naming run:甲", code, errMessage(resp))
	}
}

func hasNode(resp map[string]any, id string) bool {
	nodes, _ := resp["nodes"].([]any)
	for _, n := range nodes {
		if m, ok := n.(map[string]any); ok && m["id"] == id {
			return true
		}
	}
	return false
}
