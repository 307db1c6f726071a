package memory

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/storetest"
)

// collectPages scans s and copies every row out of the pages as fn sees
// them (what a consumer that keeps nothing of a page can observe).
func collectPages(t *testing.T, scan func(context.Context, int, func(*store.Batch) error) error, size int) (all store.Batch, pages int) {
	t.Helper()
	err := scan(context.Background(), size, func(b *store.Batch) error {
		if b.Len() == 0 || b.Len() > size {
			t.Errorf("page of %d rows, want 1..%d", b.Len(), size)
		}
		pages++
		all.Enterprises = append(all.Enterprises, b.Enterprises...)
		all.Persons = append(all.Persons, b.Persons...)
		all.Records = append(all.Records, b.Records...)
		all.Shareholdings = append(all.Shareholdings, b.Shareholdings...)
		all.Roles = append(all.Roles, b.Roles...)
		all.Branches = append(all.Branches, b.Branches...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all, pages
}

// TestScanReuseSeesWhatScanSees: the reusing scan hands fn the same rows,
// in the same order and pages, as Scan, although its buffers are recycled.
func TestScanReuseSeesWhatScanSees(t *testing.T) {
	s, err := Open(Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBatch(context.Background(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 2, 3, 1000} {
		want, wantPages := collectPages(t, s.Scan, size)
		got, gotPages := collectPages(t, s.ScanReuse, size)
		if !reflect.DeepEqual(got, want) || gotPages != wantPages {
			t.Errorf("page size %d: ScanReuse gave %d pages\n%+v\nScan gave %d\n%+v", size, gotPages, got, wantPages, want)
		}
		if !slices.IsSortedFunc(want.Enterprises, func(a, b models.Enterprise) int { return strings.Compare(a.Key, b.Key) }) {
			t.Errorf("enterprises not in key order")
		}
	}
	stop := errors.New("stop")
	if err := s.ScanReuse(context.Background(), 1, func(*store.Batch) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error from fn must end the scan and be returned: %v", err)
	}
}

// TestScanReuseRecyclesBuffers: on a store of many rows the reusing scan
// allocates far less than a scan that copies every row into new pages.
func TestScanReuseRecyclesBuffers(t *testing.T) {
	s, err := Open(Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	b := &store.Batch{}
	for i := range 4000 {
		key := fmt.Sprintf("E%05d", i)
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: key, Name: "企业" + key, Address: "某市某路" + key})
		b.Shareholdings = append(b.Shareholdings, models.Shareholding{Holder: models.EnterpriseRef(key), Enterprise: fmt.Sprintf("E%05d", (i+1)%4000), Ratio: 0.3})
	}
	if err := s.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	allocated := func(scan func(context.Context, int, func(*store.Batch) error) error) uint64 {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		rows := 0
		if err := scan(context.Background(), 100, func(p *store.Batch) error { rows += p.Len(); return nil }); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		if rows != 8000 {
			t.Fatalf("scanned %d rows, want 8000", rows)
		}
		return m1.TotalAlloc - m0.TotalAlloc
	}
	copying, reusing := allocated(s.Scan), allocated(s.ScanReuse)
	// Both sort the same node lists; the copying scan also allocates every
	// row (≈ 1.3 MB of enterprises and shareholdings here).
	if reusing*2 > copying {
		t.Errorf("ScanReuse allocated %d bytes, Scan %d: the buffers are not reused", reusing, copying)
	}
}
