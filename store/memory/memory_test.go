package memory

import (
	"context"
	"strings"
	"testing"
	"unsafe"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

func newTestStore(t *testing.T) store.Store {
	s, err := Open(Options{DataDir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newTestStore)
}

// TestStoreKeepsNoRowBytes: the store keeps its own copies of the values it
// stores, never the row strings they were read from — a person's row also
// holds the identity number the loader only hashes — and a repeated
// upsert keeps the first copy.
func TestStoreKeepsNoRowBytes(t *testing.T) {
	s, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	row := "0a1b2c3d4e5f60718293a4b5c6d7e8f9,张伟,110101199003077777,src:t:1,深圳市南山区科技园1号"
	pid, name, key, addr := row[:32], row[33:39], row[59:66], row[67:]
	b := &store.Batch{
		Persons:     []models.Person{{PID: pid, Name: name}},
		Enterprises: []models.Enterprise{{Key: key, Name: name, Address: addr}},
		Records:     []models.Record{{ID: "r-" + pid[:4], Subject: models.PersonRef(pid), Kind: models.RecordPenalty, Severity: 0.5, Reason: row[40:58]}},
	}
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	lo, hi := uintptr(unsafe.Pointer(unsafe.StringData(row))), uintptr(unsafe.Pointer(unsafe.StringData(row)))+uintptr(len(row))
	inRow := func(what, v string) {
		t.Helper()
		if v == "" {
			t.Errorf("%s is empty", what)
			return
		}
		if p := uintptr(unsafe.Pointer(unsafe.StringData(v))); p >= lo && p < hi {
			t.Errorf("the store keeps %s as a slice of the row it was read from", what)
		}
	}
	s.mu.RLock()
	perID, _ := s.g.perOf(pid)
	entID, _ := s.g.entOf(key)
	per, ent := s.g.nodes[perID], s.g.nodes[entID]
	inRow("the pid", s.g.text.str(per.key))
	inRow("the person's name", s.g.text.str(per.name))
	inRow("the enterprise key", s.g.text.str(ent.key))
	inRow("the enterprise name", s.g.text.str(ent.name))
	inRow("the address", s.g.text.str(s.g.ents[ent.ent].address))
	inRow("the record's reason", s.g.recs[0].reason)
	first := s.g.text.str(ent.name)
	s.mu.RUnlock()
	if err := s.WriteBatch(context.Background(), &store.Batch{Enterprises: []models.Enterprise{{Key: key, Name: strings.Clone(name), Address: addr}}}); err != nil {
		t.Fatal(err)
	}
	s.mu.RLock()
	again := s.g.text.str(s.g.nodes[entID].name)
	s.mu.RUnlock()
	if unsafe.StringData(again) != unsafe.StringData(first) {
		t.Error("upserting the same name again made a new copy")
	}
	got, err := s.Enterprise(context.Background(), key)
	if err != nil || got.Name != name || got.Address != addr {
		t.Fatalf("enterprise read back as %+v, %v", got, err)
	}
}
