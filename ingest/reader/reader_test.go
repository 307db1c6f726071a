package reader

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// readAll returns the rows (as "line:v1|v2") and the row errors (as
// "line: message") of a CSV input.
func readAll(t *testing.T, r Rows) (rows, errs []string) {
	t.Helper()
	for i := 0; i < 1_000_000; i++ {
		row, err := r.Next()
		if err == io.EOF {
			return rows, errs
		}
		var re *RowError
		if errors.As(err, &re) {
			errs = append(errs, re.Error())
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, strconv.Itoa(row.Line)+":"+strings.Join(row.Values, "|"))
	}
	t.Fatal("reader does not end")
	return nil, nil
}

func csvOf(t *testing.T, s string, opts CSVOptions) Rows {
	t.Helper()
	r, err := NewCSV(strings.NewReader(s), opts)
	if err != nil {
		t.Fatalf("NewCSV: %v", err)
	}
	return r
}

func TestCSV(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		opts   CSVOptions
		header []string
		rows   []string
		errs   []string
	}{
		{name: "plain", in: "a,b\n1,2\n3,4\n", header: []string{"a", "b"}, rows: []string{"2:1|2", "3:3|4"}},
		{name: "crlf, no final newline, blank lines", in: "a,b\r\n\r\n1,2\r\n\n3,4", header: []string{"a", "b"}, rows: []string{"3:1|2", "5:3|4"}},
		{name: "bom", in: "\uFEFFa,b\n1,2\n", header: []string{"a", "b"}, rows: []string{"2:1|2"}},
		{name: "quoted comma, quote and newline", in: "a,b\n\"x,y\",\"say \"\"hi\"\"\nthere\"\n5,6\n", header: []string{"a", "b"},
			rows: []string{"2:x,y|say \"hi\"\nthere", "4:5|6"}},
		{name: "tab detected", in: "a\tb\tc\n1\t2,5\t3\n", header: []string{"a", "b", "c"}, rows: []string{"2:1|2,5|3"}},
		{name: "semicolon detected", in: "名称;代码\n甲;1\n", header: []string{"名称", "代码"}, rows: []string{"2:甲|1"}},
		{name: "pipe forced", in: "a|b\n1|2\n", opts: CSVOptions{Comma: '|'}, header: []string{"a", "b"}, rows: []string{"2:1|2"}},
		{name: "single quotes detected", in: "'a','b'\n'x,y','2'\n", header: []string{"a", "b"}, rows: []string{"2:x,y|2"}},
		{name: "no quoting", in: "a,b\n\"x,y\n", opts: CSVOptions{Quote: NoQuote}, header: []string{"a", "b"}, rows: []string{"2:\"x|y"}},
		{name: "bare quote in a value is text", in: "a,b\n5\"x,2\n", header: []string{"a", "b"}, rows: []string{"2:5\"x|2"}},
		{name: "text after closing quote", in: "a,b\n\"x\"y,2\n3,4\n", header: []string{"a", "b"}, rows: []string{"3:3|4"},
			errs: []string{"line 2: field 1: text after the closing quote"}},
		{name: "unterminated quote recovers the next lines", in: "a,b\n1,\"oops\n3,4\n5,6\n", header: []string{"a", "b"},
			rows: []string{"3:3|4", "4:5|6"}, errs: []string{"line 2: a quoted value starting on line 2 is never closed"}},
		{name: "NUL byte", in: "a,b\n1,x\x00y\n3,4\n", header: []string{"a", "b"}, rows: []string{"3:3|4"},
			errs: []string{"line 2: b: contains a NUL byte (0x00)"}},
		{name: "empty", in: "", header: nil},
		{name: "only blank lines", in: "\n\n", header: nil},
		{name: "ragged rows pass through", in: "a,b\n1\n1,2,3\n", header: []string{"a", "b"}, rows: []string{"2:1", "3:1|2|3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := csvOf(t, tc.in, tc.opts)
			if !reflect.DeepEqual(r.Columns(), tc.header) {
				t.Fatalf("header %q, want %q", r.Columns(), tc.header)
			}
			rows, errs := readAll(t, r)
			if !reflect.DeepEqual(rows, tc.rows) || !reflect.DeepEqual(errs, tc.errs) {
				t.Fatalf("rows %q errs %q\nwant rows %q errs %q", rows, errs, tc.rows, tc.errs)
			}
		})
	}
}

func TestCSVLongRow(t *testing.T) {
	big := strings.Repeat("x", 10<<20)
	for _, tc := range []struct{ name, in string }{
		{"unquoted 10 MB value", "a,b\n1," + big + "\n3,4\n5,6\n"},
		{"quoted 10 MB value", "a,b\n1,\"" + big + "\"\n3,4\n5,6\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := csvOf(t, tc.in, CSVOptions{MaxRowBytes: 1 << 20})
			rows, errs := readAll(t, r)
			if want := []string{"3:3|4", "4:5|6"}; !reflect.DeepEqual(rows, want) {
				t.Errorf("rows %q, want %q", rows, want)
			}
			if len(errs) != 1 || !strings.Contains(errs[0], "line 2: the row is longer than 1048576 bytes") {
				t.Errorf("errs %q", errs)
			}
		})
	}
}

func TestCSVHeaderError(t *testing.T) {
	_, err := NewCSV(strings.NewReader("\"a,b\n"), CSVOptions{})
	var re *RowError
	if !errors.As(err, &re) || re.Line != 1 || !strings.Contains(err.Error(), "header") {
		t.Fatalf("err %v", err)
	}
	if err := (CSVOptions{Comma: '，'}).Validate(); err == nil {
		t.Error("a full-width comma was accepted as delimiter")
	}
}

func TestNDJSON(t *testing.T) {
	in := "not json\n{\"uscc\":\"91440305MA5F000189\",\"capital\":1e7,\"ok\":true,\"x\":null}\n\n" +
		"{\"uscc\":\"b\",\"extra\":1,\"capital\":\"5\"}\n{\"uscc\":{\"a\":1}}\n{\"uscc\":\"c\\u0000\"}\n[1]\n"
	r, err := NewNDJSON(strings.NewReader(in), NDJSONOptions{Columns: []string{"name"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"name", "uscc", "capital", "ok", "x"}; !reflect.DeepEqual(r.Columns(), want) {
		t.Fatalf("columns %q, want %q", r.Columns(), want)
	}
	rows, errs := readAll(t, r)
	wantRows := []string{"2:|91440305MA5F000189|1e7|true|", "4:|b|5||"}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("rows %q, want %q", rows, wantRows)
	}
	if len(errs) != 4 || !strings.HasPrefix(errs[0], "line 1:") || !strings.Contains(errs[1], "line 5: uscc: is an object") ||
		!strings.Contains(errs[2], "line 6: uscc: contains a NUL") || !strings.HasPrefix(errs[3], "line 7:") {
		t.Errorf("errs %q", errs)
	}
}

func decodeAll(t *testing.T, b []byte, enc string) (string, string) {
	t.Helper()
	d, err := Decode(bytes.NewReader(b), enc)
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), d.Encoding()
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	text := "统一社会信用代码,企业名称\n91440305MA5F000189,深圳市华信科技有限公司\n"
	ascii := strings.Repeat("a,b\n", 50_000) // detection must not stop at the first buffer
	for _, tc := range []struct {
		name, enc, want, wantEnc string
		in                       []byte
	}{
		{"utf-8", "auto", text, "utf-8", []byte(text)},
		{"utf-8 bom", "auto", text, "utf-8", append([]byte("\uFEFF"), text...)},
		{"gbk detected", "auto", text, "gb18030", gbk(t, text)},
		{"gbk after a long ascii prefix", "auto", ascii + text, "gb18030", append([]byte(ascii), gbk(t, text)...)},
		{"gbk forced", "gbk", text, "gbk", gbk(t, text)},
		{"utf-16le bom", "auto", "a,b\n", "utf-16le", []byte{0xFF, 0xFE, 'a', 0, ',', 0, 'b', 0, '\n', 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, enc := decodeAll(t, tc.in, tc.enc)
			if got != tc.want || enc != tc.wantEnc {
				t.Errorf("got %q (%s), want %q (%s)", got[max(0, len(got)-80):], enc, tc.want[max(0, len(tc.want)-80):], tc.wantEnc)
			}
		})
	}
	// GBK forced as UTF-8 stays invalid UTF-8: the loader refuses the rows.
	got, _ := decodeAll(t, gbk(t, text), "utf-8")
	if got == text {
		t.Error("utf-8 forced decoded GBK")
	}
	if _, err := Decode(strings.NewReader(""), "latin1"); err == nil || !strings.Contains(err.Error(), "gb18030") {
		t.Errorf("unknown encoding: %v", err)
	}
}

func TestExpandAndOpen(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("a,b\n" + strings.Repeat("1,2\n", 10_000)))
	zw.Close()
	write("persons.csv.gz", gz.Bytes())
	write("cut.csv.gz", gz.Bytes()[:gz.Len()/2])
	write("records.ndjson", []byte(`{"a":1}`+"\n"))
	write("notes.md", []byte("x"))

	ins, err := Expand([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range ins {
		names = append(names, in.Name+"/"+string(in.Format))
	}
	if want := []string{"cut.csv/csv", "persons.csv/csv", "records.ndjson/ndjson"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("inputs %q, want %q", names, want)
	}
	if ins, err := Expand([]string{filepath.Join(dir, "*.ndjson"), filepath.Join(dir, "records.ndjson")}); err != nil || len(ins) != 1 {
		t.Errorf("glob and file naming the same input: %v %v", ins, err)
	}
	if _, err := Expand([]string{filepath.Join(dir, "*.xlsx")}); err == nil || !strings.Contains(err.Error(), "matches no file") {
		t.Errorf("empty glob: %v", err)
	}
	if _, err := Expand([]string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no data files") {
		t.Errorf("empty dir: %v", err)
	}

	o, err := OpenRows(ins[1], nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := readAll(t, o)
	o.Close()
	if len(rows) != 10_000 {
		t.Errorf("gzip: %d rows", len(rows))
	}

	o, err = OpenRows(ins[0], nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	n := 0
	for {
		_, err = o.Next()
		if err != nil {
			break
		}
		n++
	}
	if !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "cut.csv.gz") || n == 0 {
		t.Errorf("truncated gzip after %d rows: %v", n, err)
	}

	st, err := OpenRows(Input{Path: Stdin, Name: "stdin"}, strings.NewReader("x;y\n1;2\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Columns(), []string{"x", "y"}) {
		t.Errorf("stdin columns %q", st.Columns())
	}
}
