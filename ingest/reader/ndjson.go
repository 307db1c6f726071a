package reader

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// NDJSONOptions configure the NDJSON reader.
type NDJSONOptions struct {
	// Columns are names the caller knows (e.g. a kind's columns); the keys
	// of the first object that are not among them are added after them.
	// Keys of later objects that are not columns are ignored.
	Columns []string
	// MaxRowBytes bounds one line (DefaultMaxRowBytes when 0).
	MaxRowBytes int
}

// ndjsonRows reads one JSON object per line. Blank lines are skipped.
type ndjsonRows struct {
	br      *bufio.Reader
	line    int
	max     int
	columns []string
	index   map[string]int
	vals    []string
	queue   []queued // rows read while looking for the first object
	buf     []byte
	eof     bool
}

type queued struct {
	row Row
	err error
}

// NewNDJSON reads newline-delimited JSON objects from r (UTF-8). Values
// become strings: strings as they are, numbers as written, true/false,
// null as empty. Nested objects and arrays are refused.
func NewNDJSON(r io.Reader, opts NDJSONOptions) (Rows, error) {
	n := &ndjsonRows{br: bufio.NewReaderSize(r, 256<<10), max: opts.MaxRowBytes, index: map[string]int{}}
	if n.max <= 0 {
		n.max = DefaultMaxRowBytes
	}
	for _, c := range opts.Columns {
		n.addColumn(c)
	}
	// The first object that parses names the columns.
	for {
		line, start, err := n.readLine()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				n.queue = append(n.queue, queued{err: err})
				continue
			}
			return nil, err
		}
		keys, err := objectKeys(line)
		if err != nil {
			n.queue = append(n.queue, queued{err: &RowError{Line: start, Err: err, Fix: ndjsonFix}})
			continue
		}
		for _, k := range keys {
			n.addColumn(k)
		}
		row, err := n.parse(line, start)
		n.queue = append(n.queue, queued{row: Row{Line: row.Line, Values: append([]string(nil), row.Values...)}, err: err})
		return n, nil
	}
}

const ndjsonFix = `write one JSON object per line, e.g. {"uscc":"91440305MA5F000189","name":"…"}`

func (n *ndjsonRows) addColumn(c string) {
	if _, ok := n.index[c]; !ok {
		n.index[c] = len(n.columns)
		n.columns = append(n.columns, c)
	}
}

func (n *ndjsonRows) Columns() []string { return n.columns }

// readLine returns the next non-blank line and its number.
func (n *ndjsonRows) readLine() ([]byte, int, error) {
	for {
		if n.eof {
			return nil, 0, io.EOF
		}
		n.buf = n.buf[:0]
		start := n.line + 1
		tooLong := false
		for {
			b, err := n.br.ReadSlice('\n')
			if err == io.EOF {
				n.eof = true
			} else if err != nil && err != bufio.ErrBufferFull {
				return nil, 0, err
			}
			if !tooLong {
				n.buf = append(n.buf, b...)
				if len(n.buf) > n.max {
					tooLong, n.buf = true, n.buf[:0]
				}
			}
			if err == nil || err == io.EOF {
				break
			}
		}
		n.line++
		if tooLong {
			return nil, 0, &RowError{Line: start, Err: fmt.Errorf("the line is longer than %d bytes", n.max),
				Fix: "values are limited in size; raise --max-row-bytes if the line is right"}
		}
		line := bytes.TrimSpace(n.buf)
		if len(line) == 0 {
			if n.eof {
				return nil, 0, io.EOF
			}
			continue
		}
		return line, start, nil
	}
}

// objectKeys returns the keys of a JSON object in order.
func objectKeys(line []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return nil, errors.New("is not a JSON object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("is not valid JSON: %v", err)
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, fmt.Errorf("is not valid JSON: %v", err)
		}
	}
	return keys, nil
}

func (n *ndjsonRows) Next() (Row, error) {
	if len(n.queue) > 0 {
		q := n.queue[0]
		n.queue = n.queue[1:]
		return q.row, q.err
	}
	line, start, err := n.readLine()
	if err != nil {
		return Row{}, err
	}
	return n.parse(line, start)
}

func (n *ndjsonRows) parse(line []byte, start int) (Row, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		msg := "is not a JSON object"
		var se *json.SyntaxError
		if errors.As(err, &se) {
			msg = fmt.Sprintf("is not valid JSON (at byte %d: %v)", se.Offset, se)
		}
		return Row{}, &RowError{Line: start, Err: errors.New(msg), Fix: ndjsonFix}
	}
	if cap(n.vals) < len(n.columns) {
		n.vals = make([]string, len(n.columns))
	}
	n.vals = n.vals[:len(n.columns)]
	clear(n.vals)
	for k, raw := range obj {
		i, ok := n.index[k]
		if !ok {
			continue
		}
		v, err := scalar(raw)
		if err != nil {
			return Row{}, &RowError{Line: start, Field: k, Err: err, Fix: "give a string or a number"}
		}
		n.vals[i] = v
	}
	if err := checkNUL(start, n.columns, n.vals); err != nil {
		return Row{}, err
	}
	return Row{Line: start, Values: n.vals}, nil
}

// scalar renders a JSON value as text.
func scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case 'n':
		return "", nil
	case 't', 'f':
		return string(raw), nil
	case '{', '[':
		return "", errors.New("is an object or array")
	}
	if _, err := strconv.ParseFloat(string(raw), 64); err != nil {
		return "", fmt.Errorf("is not a number: %s", raw)
	}
	return string(raw), nil
}
