package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"riskgraph/store"
)

func testAPIKeys(t *testing.T, s store.Store) {
	c := ctx()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	k1 := store.APIKey{ID: "k1", Name: "大屏", Role: "dashboard", Hash: "h1", Created: t0}
	k2 := store.APIKey{ID: "k0", Name: "inspector Li", Role: "inspector", Hash: "h2", Created: t0.Add(time.Hour)}
	for _, k := range []store.APIKey{k1, k2} {
		if err := s.SaveKey(c, k); err != nil {
			t.Fatalf("SaveKey %s: %v", k.ID, err)
		}
	}
	if err := s.SaveKey(c, store.APIKey{ID: "k1", Role: "admin", Hash: "h3", Created: t0}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a second key with id k1: %v, want ErrInvalid", err)
	}
	if err := s.SaveKey(c, store.APIKey{ID: "k9", Role: "admin", Hash: "h1", Created: t0}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a second key with hash h1: %v, want ErrInvalid", err)
	}
	if err := s.SaveKey(c, store.APIKey{ID: "k8", Role: "admin", Created: t0}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a key without a hash: %v, want ErrInvalid", err)
	}
	got, err := s.KeyByHash(c, "h1")
	if err != nil || got.ID != "k1" || got.Role != "dashboard" || got.Name != "大屏" || !got.Created.Equal(t0) || !got.Revoked.IsZero() {
		t.Errorf("KeyByHash h1: %+v, %v", got, err)
	}
	if _, err := s.KeyByHash(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown hash: %v, want ErrNotFound", err)
	}
	list, err := s.Keys(c)
	if err != nil || len(list) != 2 || list[0].ID != "k1" || list[1].ID != "k0" {
		t.Errorf("Keys: %+v, %v; want k1 then k0 (by creation)", list, err)
	}
	at := t0.Add(48 * time.Hour)
	if err := s.RevokeKey(c, "k1", at); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeKey(c, "k1", at.Add(time.Hour)); err != nil {
		t.Errorf("second revocation: %v", err)
	}
	if got, _ := s.KeyByHash(c, "h1"); !got.Revoked.Equal(at) {
		t.Errorf("revoked at %v, want the first revocation %v", got.Revoked, at)
	}
	if err := s.RevokeKey(c, "missing", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoke unknown: %v, want ErrNotFound", err)
	}
}

func testAudit(t *testing.T, s store.Store) {
	c := ctx()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var entries []store.AuditEntry
	for i := range 25 {
		e := store.AuditEntry{ID: fmt.Sprintf("%04d", i), Time: t0.Add(time.Duration(i) * time.Minute), KeyID: "k1",
			Role: "inspector", Method: "GET", Route: "/api/v1/enterprises/:key", Entities: []string{"enterprise:" + B}, Status: 200}
		if i%5 == 0 {
			e.KeyID, e.Entities, e.Route = "k2", []string{"person:" + P1}, "/api/v1/persons/:pid"
		}
		if i == 7 { // one request naming many entities is one entry
			e.Route, e.Method, e.Entities = "/api/v1/enterprises:batch", "POST", []string{"enterprise:" + B, "enterprise:" + C, "person:" + P2}
		}
		if i == 8 {
			e.Route, e.Entities, e.Query = "/api/v1/search", nil, "星河 贸易"
		}
		entries = append(entries, e)
	}
	// Out of order across two appends, and the second repeats one entry.
	if err := s.AppendAudit(c, entries[10:]); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(c, append(entries[:10:10], entries[12])); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(c, []store.AuditEntry{{Time: t0}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("entry without id: %v", err)
	}
	if err := s.AppendAudit(c, []store.AuditEntry{{ID: "../x_y", Time: t0}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("entry with an id of other characters: %v", err)
	}
	all, err := s.Audit(c, store.AuditQuery{Limit: 100})
	if err != nil || len(all) != 25 || all[0].ID != "0024" || all[24].ID != "0000" {
		t.Fatalf("all entries: %d, %v; want 25 newest first", len(all), err)
	}
	if e := all[24]; !e.Time.Equal(t0) || e.KeyID != "k2" || e.Role != "inspector" || e.Method != "GET" ||
		e.Route != "/api/v1/persons/:pid" || len(e.Entities) != 1 || e.Entities[0] != "person:"+P1 || e.Status != 200 {
		t.Errorf("entry round trip: %+v", e)
	}
	if e := all[24-7]; e.ID != "0007" || e.Method != "POST" || len(e.Entities) != 3 || e.Entities[2] != "person:"+P2 {
		t.Errorf("batch entry round trip: %+v", e)
	}
	if e := all[24-8]; e.ID != "0008" || e.Query != "星河 贸易" || len(e.Entities) != 0 {
		t.Errorf("search entry round trip: %+v", e)
	}
	for _, ent := range []string{"enterprise:" + C, "person:" + P2} {
		if got, err := s.Audit(c, store.AuditQuery{Entity: ent, Limit: 10}); err != nil || len(got) != 1 || got[0].ID != "0007" {
			t.Errorf("entity %s: %d entries, %v; want the batch entry 0007 that names it among three", ent, len(got), err)
		}
	}
	if none, err := s.Audit(c, store.AuditQuery{Limit: 0}); err != nil || len(none) != 0 {
		t.Errorf("limit 0: %d entries, %v", len(none), err)
	}
	// Paging by cursor gives every entry once, in order.
	var paged []string
	before := ""
	for {
		page, err := s.Audit(c, store.AuditQuery{Limit: 7, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			paged = append(paged, e.ID)
		}
		if len(page) < 7 {
			break
		}
		before = page[len(page)-1].ID
	}
	if len(paged) != 25 || paged[0] != "0024" || paged[24] != "0000" {
		t.Errorf("paged: %v", paged)
	}
	byPerson, _ := s.Audit(c, store.AuditQuery{Entity: "person:" + P1, Limit: 100})
	byKey, _ := s.Audit(c, store.AuditQuery{KeyID: "k1", Limit: 100})
	byRoute, _ := s.Audit(c, store.AuditQuery{Route: "/api/v1/persons/:pid", Limit: 100})
	window, _ := s.Audit(c, store.AuditQuery{Since: t0.Add(5 * time.Minute), Until: t0.Add(10 * time.Minute), Limit: 100})
	byEnterprise, _ := s.Audit(c, store.AuditQuery{Entity: "enterprise:" + B, Limit: 100})
	if len(byPerson) != 5 || len(byKey) != 20 || len(byRoute) != 5 || len(window) != 5 || window[0].ID != "0009" || window[4].ID != "0005" || len(byEnterprise) != 19 {
		t.Errorf("filters: person %d, key %d, route %d, window %d, enterprise %d; want 5, 20, 5, 5 (0009…0005), 19",
			len(byPerson), len(byKey), len(byRoute), len(window), len(byEnterprise))
	}
	// A window and a cursor together page within the window.
	page, _ := s.Audit(c, store.AuditQuery{Since: t0.Add(5 * time.Minute), Until: t0.Add(10 * time.Minute), Before: "0008", Limit: 2})
	if len(page) != 2 || page[0].ID != "0007" || page[1].ID != "0006" {
		t.Errorf("window with cursor: %+v; want 0007, 0006", page)
	}
	// Injection-shaped values are data.
	if none, err := s.Audit(c, store.AuditQuery{Entity: "x' OR 1=1 //", KeyID: "k1\") MATCH (n) DETACH DELETE n //", Limit: 10}); err != nil || len(none) != 0 {
		t.Errorf("injection-shaped filters: %d entries, %v", len(none), err)
	}
	if again, _ := s.Audit(c, store.AuditQuery{Limit: 100}); len(again) != 25 {
		t.Errorf("entries after injection-shaped query: %d", len(again))
	}
}

// testAccessWithData checks that keys and audit entries do not disturb the
// graph: the generation, scans and traversals ignore them.
func testAccessWithData(t *testing.T, s store.Store) {
	c := ctx()
	load(t, s)
	gen, err := s.Generation(c)
	if err != nil {
		t.Fatal(err)
	}
	before := counts(scanAll(t, s, 100))
	if err := s.SaveKey(c, store.APIKey{ID: "k1", Role: "admin", Hash: "h", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(c, []store.AuditEntry{{ID: "1", Time: time.Now(), KeyID: "k1", Entities: []string{"enterprise:" + B}}}); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Generation(c); g != gen {
		t.Errorf("generation moved from %d to %d by keys and audit entries", gen, g)
	}
	if after := counts(scanAll(t, s, 100)); after != before {
		t.Errorf("scan changed: %v → %v", before, after)
	}
}
