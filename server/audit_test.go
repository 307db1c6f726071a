package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/auth"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// auditOf reads every entry straight from the store, newest first.
func auditOf(t *testing.T, s store.Store) []store.AuditEntry {
	t.Helper()
	es, err := s.Audit(context.Background(), store.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestAuditedBeforeAnswer: when a request's answer arrives its entry is
// already in the log — nothing is queued behind the answer.
func TestAuditedBeforeAnswer(t *testing.T) {
	s := memStore(t)
	sc := newSecured(t, s, Options{})
	for i := range 20 {
		if code, _, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+storetest.C, ""); code != 200 {
			t.Fatalf("lookup: %d", code)
		}
		if n := len(auditOf(t, s)); n != i+1 {
			t.Fatalf("after %d answers, %d audit entries", i+1, n)
		}
	}
}

// TestAuditFailsClosed: when the audit log cannot write (its segment is on
// a full disk), requests get 503 with a JSON error and never the
// handler's answer.
func TestAuditFailsClosed(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	dir := t.TempDir()
	if err := os.Symlink("/dev/full", filepath.Join(dir, fmt.Sprintf("%016d.open", 1))); err != nil {
		t.Fatal(err)
	}
	s, err := memory.Open(memory.Options{AuditDir: dir, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sc := newSecured(t, s, Options{AuditTimeout: 2 * time.Second})
	for _, rq := range []struct{ method, path, body string }{
		{"GET", "/api/v1/enterprises/" + storetest.C, ""},
		{"POST", "/api/v1/enterprises:batch", `{"keys":["` + storetest.B + `"]}`},
		{"GET", "/api/v1/persons/" + storetest.P3, ""},
		{"GET", "/api/v1/search?q=%E7%8E%8B", ""},
	} {
		code, body, h := sc.do(t, auth.Inspector, rq.method, rq.path, rq.body)
		raw, _ := json.Marshal(body)
		if code != 503 || h.Get("Content-Type") != mimeProblem || !strings.Contains(string(raw), "audit log") {
			t.Errorf("%s %s with a failing audit log: %d %s %s, want 503 naming the audit log", rq.method, rq.path, code, h.Get("Content-Type"), raw)
		}
		if strings.Contains(string(raw), storetest.C) || strings.Contains(string(raw), "王芳") || strings.Contains(string(raw), storetest.B) {
			t.Errorf("%s %s: the handler's answer leaked past a failed audit: %s", rq.method, rq.path, raw)
		}
	}
	// Public routes are not audited and still answer.
	if code, _, _ := sc.do(t, "", "GET", "/healthz", ""); code != 200 {
		t.Errorf("healthz: %d", code)
	}
}

// TestCachedHitFailsClosedOverHTTP: a cached answer (sent with its
// Content-Length) whose audit entry cannot be stored is replaced by the
// 503 on a real connection — the length and the encoding of the cached
// body do not survive into the 503 — and the connection stays usable.
func TestCachedHitFailsClosedOverHTTP(t *testing.T) {
	s, err := memory.Open(memory.Options{AuditDir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	sc := newSecured(t, s, Options{AuditTimeout: 2 * time.Second, VersionTTL: time.Hour, KeyTTL: time.Hour})
	srv := httptest.NewServer(sc.h)
	defer srv.Close()
	get := func() (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/enterprises/"+storetest.C, nil)
		req.Header.Set("Authorization", "Bearer "+sc.keys[auth.Inspector])
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading the answer: %v", err)
		}
		return resp, body
	}
	for range 2 {
		if resp, body := get(); resp.StatusCode != 200 {
			t.Fatalf("before the failure: %d %s", resp.StatusCode, body)
		}
	}
	if resp, body := get(); resp.Header.Get("X-Cache") != "hit" || resp.ContentLength != int64(len(body)) {
		t.Fatalf("a cached hit: X-Cache %q, Content-Length %d for %d bytes", resp.Header.Get("X-Cache"), resp.ContentLength, len(body))
	}
	s.Close() // the audit log is closed: every append fails
	for range 2 {
		resp, body := get()
		if resp.StatusCode != 503 || resp.Header.Get("Content-Type") != mimeProblem || !strings.Contains(string(body), "audit log") ||
			strings.Contains(string(body), storetest.C) || resp.Header.Get("X-Cache") != "" {
			t.Errorf("cached hit with a failing audit log: %d %v %s; want the 503 alone", resp.StatusCode, resp.Header, body)
		}
	}
}

// TestAuditHoldsNoIdentityNumbers: a person looked up by an identity
// number (refused with 400) is recorded by its pid under the server's key,
// or as "invalid" without one; an enterprise path or search text holding
// one never records it; API keys never appear.
func TestAuditHoldsNoIdentityNumbers(t *testing.T) {
	const idNumber = "11010519491231002X"
	hasher, err := models.NewPIDHasher([]byte("0123456789abcdef0123"))
	if err != nil {
		t.Fatal(err)
	}
	for _, withHasher := range []bool{true, false} {
		t.Run(fmt.Sprint("hasher=", withHasher), func(t *testing.T) {
			s := memStore(t)
			opts := Options{}
			if withHasher {
				opts.Hasher = hasher
			}
			sc := newSecured(t, s, opts)
			if code, _, _ := sc.do(t, auth.Inspector, "GET", "/api/v1/persons/"+idNumber, ""); code != 400 {
				t.Fatalf("person by identity number: %d, want 400", code)
			}
			sc.do(t, auth.Inspector, "GET", "/api/v1/persons/"+strings.ToLower(idNumber)+"/records", "")
			sc.do(t, auth.Inspector, "GET", "/api/v1/enterprises/"+idNumber, "")
			sc.do(t, auth.Inspector, "GET", "/api/v1/search?q=%E7%8E%8B+"+idNumber, "")
			sc.do(t, auth.Inspector, "POST", "/api/v1/enterprises:batch", `{"keys":["`+idNumber+`","`+storetest.B+`"]}`)
			entries := auditOf(t, s)
			raw, _ := json.Marshal(entries)
			for _, secret := range []string{idNumber, strings.ToLower(idNumber), idNumber[:17], sc.keys[auth.Inspector], sc.keys[auth.Admin]} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("the audit holds %q: %s", secret, raw)
				}
			}
			want := "person:invalid"
			if withHasher {
				want = "person:" + hasher.FromIDNumber(idNumber)
			}
			var persons, enterprises int
			for _, e := range entries {
				for _, ent := range e.Entities {
					switch {
					case ent == want:
						persons++
					case ent == "enterprise:invalid":
						enterprises++
					}
				}
				if e.Route == "/api/v1/search" && e.Query != "王 [id-number]" {
					t.Errorf("search recorded as %q", e.Query)
				}
				if e.Route == "/api/v1/enterprises:batch" && (len(e.Entities) != 1 || e.Entities[0] != "enterprise:"+storetest.B) {
					t.Errorf("batch recorded %v; want only the valid key", e.Entities)
				}
			}
			if persons != 2 || enterprises != 1 {
				t.Errorf("%d entries name %s (want 2), %d name enterprise:invalid (want 1): %s", persons, want, enterprises, raw)
			}
		})
	}
}

// TestAuditSearchQuery: a search's query is recorded, masked for the
// dashboard role as its answers mask names.
func TestAuditSearchQuery(t *testing.T) {
	s := memStore(t)
	sc := newSecured(t, s, Options{})
	sc.do(t, auth.Inspector, "GET", "/api/v1/search?q=%E7%8E%8B%E8%8A%B3", "")
	sc.do(t, auth.Dashboard, "GET", "/api/v1/search?q=%E7%8E%8B%E8%8A%B3", "")
	entries := auditOf(t, s)
	if len(entries) != 2 {
		t.Fatalf("%d entries", len(entries))
	}
	for _, e := range entries {
		want := "王芳"
		if e.Role == string(auth.Dashboard) {
			want = auth.MaskName("王芳")
		}
		if e.Route != "/api/v1/search" || e.Query != want || e.Status != 200 {
			t.Errorf("%s search recorded as %+v, want query %q", e.Role, e, want)
		}
	}
}
