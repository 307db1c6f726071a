package memory

import (
	"context"
	"errors"
	"reflect"
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
