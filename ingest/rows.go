package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Row is one data row of an input file: its values in the order of the
// source's columns, and the line it starts on (the header is line 1).
type Row struct {
	Line   int
	Values []string
}

// Rows is a source of rows: the abstraction between a file's encoding and
// layout and the canonical parsers. The canonical CSV reader is one
// implementation; readers for other encodings and layouts (mapped columns,
// NDJSON) are others.
type Rows interface {
	// Columns returns the column names of the source, in the order of
	// Row.Values.
	Columns() []string
	// Next returns the next row, io.EOF after the last one, or a *RowError
	// for a row that could not be read; the loader rejects that row and
	// calls Next again. Any other error ends the file. Row.Values may be
	// reused by the next call.
	Next() (Row, error)
}

// RowError is a row that could not be read (e.g. broken CSV quoting).
type RowError struct {
	Line int
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *RowError) Unwrap() error { return e.Err }

// csvRows reads RFC 4180 CSV with a header row.
type csvRows struct {
	r      *csv.Reader
	header []string
}

// NewCSVRows reads UTF-8 CSV (RFC 4180: comma-separated, fields containing
// commas, quotes or line breaks quoted with "). The first row is the header;
// a UTF-8 byte-order mark before it is dropped. An empty input has no
// columns and no rows.
func NewCSVRows(r io.Reader) (Rows, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return &csvRows{r: cr}, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &RowError{Line: pe.StartLine, Err: fmt.Errorf("header: %w", pe.Err)}
		}
		return nil, err
	}
	h := make([]string, len(header))
	copy(h, header)
	if len(h) > 0 {
		h[0] = strings.TrimPrefix(h[0], "\uFEFF")
	}
	return &csvRows{r: cr, header: h}, nil
}

func (c *csvRows) Columns() []string { return c.header }

func (c *csvRows) Next() (Row, error) {
	if c.header == nil {
		return Row{}, io.EOF
	}
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Row{}, &RowError{Line: pe.StartLine, Err: pe.Err}
		}
		return Row{}, err
	}
	line, _ := c.r.FieldPos(0)
	return Row{Line: line, Values: rec}, nil
}
