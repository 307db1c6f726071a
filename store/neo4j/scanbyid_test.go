package neo4j

import (
	"reflect"
	"testing"

	"riskgraph/models"
)

// TestDayOf: a date staged as a day number comes back as the very value
// dateOf builds (reflect.DeepEqual, as the scan tests compare pages),
// before 1970 too; the zero date stays zero.
func TestDayOf(t *testing.T) {
	for _, d := range []models.Date{
		models.NewDate(1970, 1, 1), models.NewDate(1969, 12, 31), models.NewDate(1900, 3, 1),
		models.NewDate(2024, 2, 29), models.NewDate(2026, 12, 8), models.NewDate(9999, 12, 31),
	} {
		n := dayOf(d)
		if n == noDay {
			t.Errorf("%v: no day", d)
		}
		if back := dateOfDay(n); !reflect.DeepEqual(back, d) {
			t.Errorf("%v → %d → %#v, want %#v", d, n, back, d)
		}
	}
	if got := dayOf(models.Date{}); got != noDay {
		t.Errorf("zero date → %d, want noDay", got)
	}
	if got := dateOfDay(noDay); !reflect.DeepEqual(got, models.Date{}) {
		t.Errorf("noDay → %#v, want the zero date", got)
	}
	if got, want := dayOf(models.NewDate(1970, 1, 2)), int32(1); got != want {
		t.Errorf("1970-01-02 → %d, want %d", got, want)
	}
}

// TestRanks: ranks follow the order of add, dense or sparse; an id never
// added has none.
func TestRanks(t *testing.T) {
	var r ranks
	ids := []int64{7, 3, 1 << 40, 0, 12}
	for _, id := range ids {
		r.add(id)
	}
	for i, id := range ids {
		if got := r.of(id); got != int32(i) {
			t.Errorf("rank of %d = %d, want %d", id, got, i)
		}
	}
	for _, id := range []int64{1, 5, 1<<40 + 1, -1} {
		if got := r.of(id); got != -1 {
			t.Errorf("rank of unlisted %d = %d, want -1", id, got)
		}
	}
}

// TestSortByRank: rows come out by their owner's rank, in chunk order
// within a rank, the rows whose owner has no rank last (by owner id), and
// only the kinds asked for; chunk cuts ranks into ranges.
func TestSortByRank(t *testing.T) {
	var r ranks
	for _, id := range []int64{30, 10, 20} { // ranks 0, 1, 2
		r.add(id)
	}
	staged := [][]stagedRel{
		{{from: 1, to: 20, kind: 0}, {from: 2, to: 99, kind: 0}, {from: 3, to: 30, kind: 2}},
		{{from: 4, to: 20, kind: 1}, {from: 5, to: 98, kind: 0}, {from: 6, to: 10, kind: 4}, {from: 7, to: 30, kind: 0}},
	}
	b := sortByRank(staged, &r, func(k uint8) bool { return k != 4 }, func(s *stagedRel) int64 { return s.to })
	var tt titles
	tt.intern([]relRow{{}}, make([]uint32, 1))
	from := func(rows []relRow) (out []int64) {
		for _, x := range rows {
			out = append(out, x.from)
		}
		return out
	}
	if got, want := from(b.chunk(0, 4, &tt, nil)), []int64{3, 7, 1, 4, 5, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("all rows: %v, want %v", got, want)
	}
	if got, want := from(b.chunk(0, 2, &tt, nil)), []int64{3, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("ranks 0-1: %v, want %v", got, want)
	}
	if got, want := from(b.chunk(2, 3, &tt, nil)), []int64{1, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("rank 2: %v, want %v", got, want)
	}
	if got, want := from(b.chunk(3, 4, &tt, nil)), []int64{5, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("no rank: %v, want %v", got, want)
	}
}
