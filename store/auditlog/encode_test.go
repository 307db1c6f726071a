package auditlog

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"riskgraph/store"
)

func checkAsMarshal(t *testing.T, e store.AuditEntry) {
	t.Helper()
	want, werr := json.Marshal(e)
	got, gerr := appendEntry([]byte("prefix"), &e)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("%+v: error %v, json.Marshal's %v", e, gerr, werr)
	}
	if werr == nil && !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Fatalf("%+v:\n got %s\nwant prefix%s", e, got, want)
	}
}

// TestAppendEntryAsMarshal: the hand-written encoding of an entry is
// json.Marshal's, byte for byte, on the fast path and off it.
func TestAppendEntryAsMarshal(t *testing.T) {
	at := time.Date(2026, 12, 7, 5, 30, 1, 123456000, time.UTC)
	base := store.AuditEntry{ID: store.NewAuditID(at), Time: at, KeyID: "e65ebbb2eee70ccf", Role: "inspector",
		Method: "GET", Route: "/api/v1/enterprises/:key/network", Entities: []string{"enterprise:91350100M000100Y43"}, Status: 200}
	cases := []func(e *store.AuditEntry){
		func(e *store.AuditEntry) {},
		func(e *store.AuditEntry) { e.Entities = nil },
		func(e *store.AuditEntry) { e.Entities = []string{} },
		func(e *store.AuditEntry) { e.Entities = []string{"a", "", "person:0123"} },
		func(e *store.AuditEntry) { e.Query = "王*有限公司 [id-number]" },
		func(e *store.AuditEntry) { e.Query = `a "quoted" \ <b> & c` },
		func(e *store.AuditEntry) { e.Query = "tab\tnew\nline\x00\x7f" },
		func(e *store.AuditEntry) { e.Query = "bad \xff utf-8 \xe4\xb8" },
		func(e *store.AuditEntry) { e.Query = "line\u2028para\u2029" },
		func(e *store.AuditEntry) { e.Route = `/api/v1/enterprises\:batch` },
		func(e *store.AuditEntry) { e.Status = -1 },
		func(e *store.AuditEntry) { e.Time = time.Time{} },
		func(e *store.AuditEntry) { e.Time = at.Truncate(time.Second) },
		func(e *store.AuditEntry) { e.Time = at.In(time.FixedZone("CST", 8*3600)) },
		func(e *store.AuditEntry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, // json.Marshal refuses it
		func(e *store.AuditEntry) { e.Time = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) },
		func(e *store.AuditEntry) { e.Time = at.Local() },
	}
	for _, change := range cases {
		e := base
		change(&e)
		checkAsMarshal(t, e)
	}
	// A usual entry takes the fast path: no allocation into a large
	// enough buffer (json.Marshal would allocate).
	e := base
	e.Query = "王*有限公司"
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { _, _ = appendEntry(buf[:0], &e) }); n != 0 {
		t.Errorf("a usual entry: %v allocations; want the fast path's 0", n)
	}
}

func FuzzAppendEntry(f *testing.F) {
	f.Add("id-1", int64(1_800_000_000_123), "k", "dashboard", "GET", "/api/v1/search", "enterprise:x", "王*", 200)
	f.Add("", int64(0), "", "", "", "", "", "", 0)
	f.Add("x", int64(-62135596800_000), "<", ">", "&", "\u2028", "\xff", "\"\\", 503)
	f.Fuzz(func(t *testing.T, id string, ms int64, key, role, method, route, entity, query string, status int) {
		e := store.AuditEntry{ID: id, Time: time.UnixMilli(ms).UTC(), KeyID: key, Role: role, Method: method,
			Route: route, Query: query, Status: status}
		if entity != "" {
			e.Entities = []string{entity, entity + "2"}
		}
		checkAsMarshal(t, e)
	})
}
