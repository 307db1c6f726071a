package reader

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// drainRows reads r to the end, checking that lines advance and that the
// reader ends; it returns the rows read.
func drainRows(t *testing.T, r Rows, limit int) int {
	n, last := 0, 0
	for i := 0; ; i++ {
		if i > limit {
			t.Fatalf("reader does not end after %d calls", i)
		}
		row, err := r.Next()
		if err == io.EOF {
			return n
		}
		var re *RowError
		if errors.As(err, &re) {
			if re.Line <= 0 || re.Err == nil {
				t.Fatalf("row error without a line or reason: %#v", re)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if row.Line <= last {
			t.Fatalf("line %d after line %d", row.Line, last)
		}
		last = row.Line
		for _, v := range row.Values {
			if bytes.IndexByte([]byte(v), 0) >= 0 {
				t.Fatalf("a value with a NUL byte was returned")
			}
		}
		n++
	}
}

// FuzzCSV: any bytes, through encoding detection and the CSV reader: no
// panic, no endless loop, lines ascending, bounded rows.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a;b\r\n\"x;\"\"y\",2\r\n", "\uFEFFa\tb\n1\t2", "a,b\n\"open,1\n2,3\n", "a\n\x00\n", "'a','b'\n'1',2\n", ""} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, b []byte, mode uint8) {
		enc := []string{EncodingAuto, EncodingUTF8, EncodingGB18030}[int(mode)%3]
		d, err := Decode(bytes.NewReader(b), enc)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewCSV(d, CSVOptions{MaxRowBytes: 64})
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("header error of the wrong type: %v", err)
			}
			return
		}
		if d.Encoding() == EncodingUTF8 && enc == EncodingAuto {
			for _, c := range r.Columns() {
				if !utf8.ValidString(c) && utf8.Valid(b) {
					t.Fatalf("valid UTF-8 input gave an invalid column %q", c)
				}
			}
		}
		drainRows(t, r, len(b)+2)
	})
}

// FuzzNDJSON: any bytes through the NDJSON reader.
func FuzzNDJSON(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":"x"}` + "\n" + `{"a":null}`, "not json\n{\"a\":[1]}\n", `{"a":"\u0000"}`, "\n\n{}\n", `{"a":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewNDJSON(bytes.NewReader(b), NDJSONOptions{Columns: []string{"a"}, MaxRowBytes: 128})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Columns()) == 0 || r.Columns()[0] != "a" {
			t.Fatalf("columns %q", r.Columns())
		}
		drainRows(t, r, len(b)+2)
	})
}
