package frame

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// file frames n JSON payloads of varying sizes and returns the file and
// each record's start offset (plus the end as a last element).
func file(t testing.TB, n int) ([]byte, []int64) {
	t.Helper()
	var f []byte
	offs := []int64{0}
	for i := range n {
		p := fmt.Sprintf(`{"i":%d,"pad":%q}`, i, strings.Repeat("x", (i*37)%300))
		var err error
		if f, err = Append(f, []byte(p)); err != nil {
			t.Fatal(err)
		}
		offs = append(offs, int64(len(f)))
	}
	return f, offs
}

func scan(t testing.TB, f []byte) (Result, []int64) {
	t.Helper()
	var seen []int64
	res, err := Scan(bytes.NewReader(f), int64(len(f)), func(off int64, p []byte) error {
		if p[0] != '{' {
			t.Fatalf("record at %d does not start a JSON object", off)
		}
		seen = append(seen, off)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return res, seen
}

func TestAppendRefusesUnreadablePayloads(t *testing.T) {
	for _, c := range []struct {
		p    []byte
		want error
	}{{nil, ErrEmpty}, {[]byte("[1]"), ErrNotJSON}, {[]byte(" {}"), ErrNotJSON}} {
		if _, err := Append(nil, c.p); !errors.Is(err, c.want) {
			t.Errorf("Append(%q) = %v, want %v", c.p, err, c.want)
		}
	}
}

func TestCleanFile(t *testing.T) {
	f, offs := file(t, 50)
	res, seen := scan(t, f)
	if !res.Clean() || res.Records != 50 || res.End != int64(len(f)) || len(seen) != 50 || seen[49] != offs[49] {
		t.Fatalf("clean file: %+v, %d seen", res, len(seen))
	}
}

// Damage inside any record but the last is corruption, reported with the
// records on both sides of it still visited; damage inside the last
// record, or a cut anywhere, is a torn tail that keeps every record
// before it.
func TestDamageIsClassified(t *testing.T) {
	f, offs := file(t, 30)
	last := len(offs) - 2 // index of the last record
	type damage struct {
		name string
		rec  int // the record damaged
		do   func(g []byte, at int64) []byte
		at   func(rec int) int64
	}
	flip := func(g []byte, at int64) []byte { g[at] ^= 0x5a; return g }
	zero := func(g []byte, at int64) []byte {
		for i := at; i < min(at+20, int64(len(g))); i++ {
			g[i] = 0
		}
		return g
	}
	cut := func(g []byte, at int64) []byte { return g[:at] }
	var cases []damage
	for _, rec := range []int{0, 1, 13, last - 1, last} {
		cases = append(cases,
			damage{"flip length", rec, flip, func(r int) int64 { return offs[r] + 1 }},
			damage{"flip checksum", rec, flip, func(r int) int64 { return offs[r] + 5 }},
			damage{"flip payload", rec, flip, func(r int) int64 { return offs[r] + HeaderSize + 3 }},
			damage{"zero header", rec, zero, func(r int) int64 { return offs[r] }},
			damage{"length high byte", rec, func(g []byte, at int64) []byte { g[at] = 0x7f; return g }, func(r int) int64 { return offs[r] + 3 }},
		)
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s of record %d", c.name, c.rec), func(t *testing.T) {
			at := c.at(c.rec)
			res, seen := scan(t, c.do(bytes.Clone(f), at))
			if len(seen) < c.rec || (c.rec > 0 && seen[c.rec-1] != offs[c.rec-1]) {
				t.Fatalf("records before the damage lost: %d seen, want at least %d", len(seen), c.rec)
			}
			if len(res.Damaged) == 0 || res.Damaged[0].Offset != offs[c.rec] {
				t.Fatalf("damage reported at %+v, want a region at %d", res.Damaged, offs[c.rec])
			}
			if c.rec == last {
				if !res.Torn || res.Corrupt() || res.End != offs[last] {
					t.Fatalf("damage in the last record: %+v, want a torn tail at %d", res, offs[last])
				}
				return
			}
			if !res.Corrupt() {
				t.Fatalf("damage in record %d of %d was taken for a torn tail: %+v", c.rec, last+1, res)
			}
			if res.Damaged[0].End != offs[c.rec+1] || seen[len(seen)-1] != offs[last] {
				t.Fatalf("scan did not resume at the next record %d: %+v", offs[c.rec+1], res.Damaged)
			}
		})
	}
	for _, at := range []int64{1, HeaderSize, offs[3] + 2, offs[last] + HeaderSize + 1, int64(len(f)) - 1} {
		t.Run(fmt.Sprintf("cut at %d", at), func(t *testing.T) {
			res, seen := scan(t, cut(bytes.Clone(f), at))
			want := 0
			for want < len(offs)-1 && offs[want+1] <= at {
				want++
			}
			if !res.Torn || len(seen) != want {
				t.Fatalf("cut at %d: %+v, %d records seen, want a torn tail after %d", at, res, len(seen), want)
			}
		})
	}
}

// A zero-filled tail (the file grew, its data never reached the disk) is
// a torn tail, not a string of empty records.
func TestZeroTailIsTorn(t *testing.T) {
	f, offs := file(t, 5)
	res, seen := scan(t, append(f, make([]byte, 4096)...))
	if !res.Torn || len(seen) != 5 || res.End != offs[5] || res.Damaged[0].Reason != "zero length" {
		t.Fatalf("zero tail: %+v", res)
	}
}

func TestEveryDamagedRegionIsReported(t *testing.T) {
	f, offs := file(t, 20)
	g := bytes.Clone(f)
	g[offs[2]+HeaderSize] ^= 1
	g[offs[9]+6] ^= 1
	g[offs[15]] = 0xff
	res, seen := scan(t, g)
	if len(res.Damaged) != 3 || len(seen) != 17 || res.Torn {
		t.Fatalf("three damaged records: %+v, %d seen", res, len(seen))
	}
	for i, rec := range []int{2, 9, 15} {
		if r := res.Damaged[i]; r.Offset != offs[rec] || r.End != offs[rec+1] {
			t.Errorf("region %d = %+v, want [%d,%d)", i, r, offs[rec], offs[rec+1])
		}
	}
}

func TestCallbackErrorStops(t *testing.T) {
	f, _ := file(t, 5)
	stop := errors.New("stop")
	n := 0
	_, err := Scan(bytes.NewReader(f), int64(len(f)), func(int64, []byte) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Fatalf("err %v after %d records", err, n)
	}
}

// FuzzScan damages a valid file at fuzzed places: records wholly before
// the first damaged byte are always visited, and damage that leaves a
// later record intact is never taken for a torn tail.
func FuzzScan(f *testing.F) {
	f.Add(uint16(0), byte(1), uint8(0), false)
	f.Add(uint16(3), byte(0xff), uint8(8), false)
	f.Add(uint16(200), byte(0), uint8(200), true)
	f.Fuzz(func(t *testing.T, at uint16, x byte, n uint8, truncate bool) {
		orig, offs := file(t, 12)
		g := bytes.Clone(orig)
		pos := int64(at) % int64(len(g))
		end := min(pos+int64(n)+1, int64(len(g)))
		if truncate {
			g = g[:pos]
		} else {
			for i := pos; i < end; i++ {
				g[i] ^= x
			}
		}
		if bytes.Equal(g, orig) {
			return
		}
		res, seen := scan(t, g)
		intact := 0 // records ending before the damage
		for intact < len(offs)-1 && offs[intact+1] <= pos {
			intact++
		}
		if len(seen) < intact {
			t.Fatalf("damage at %d lost records before it: %d seen, %d intact", pos, len(seen), intact)
		}
		for i := 0; i < intact; i++ {
			if seen[i] != offs[i] {
				t.Fatalf("record %d seen at %d, want %d", i, seen[i], offs[i])
			}
		}
		// An untouched record after the damaged range must survive: then
		// the file is corrupt, not torn.
		if !truncate && len(offs) > 0 && end < offs[len(offs)-2] && !res.Corrupt() {
			t.Fatalf("damage [%d,%d) before the last record was taken for a torn tail: %+v", pos, end, res)
		}
	})
}
