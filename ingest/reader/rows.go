// Package reader turns bytes into rows: it opens inputs (files, directories,
// globs, gzip, standard input), detects and decodes their character
// encoding (UTF-8, GB18030/GBK, UTF-16 with a byte-order mark), and reads
// CSV (delimiter and quote detection) and NDJSON as a stream of rows with a
// header, without holding more than one row in memory.
//
// It knows nothing of riskgraph's data model: the ingest package maps the
// columns to canonical fields and validates the values.
package reader

import (
	"fmt"
	"strings"
)

// Row is one data row: its values in the order of the source's columns, and
// the physical line it starts on (the header is line 1).
type Row struct {
	Line   int
	Values []string
}

// Rows is a source of rows with a header.
type Rows interface {
	// Columns returns the column names, in the order of Row.Values.
	Columns() []string
	// Next returns the next row, io.EOF after the last one, or a *RowError
	// for a row that could not be read (the caller rejects it and calls
	// Next again). Any other error ends the input. Row.Values may be
	// reused by the next call.
	Next() (Row, error)
}

// RowError is a row that could not be read or converted. Field, Value and
// Fix are set when one value is at fault.
type RowError struct {
	Line  int
	Field string
	Value string
	Err   error
	Fix   string
}

func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d: ", e.Line)
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *RowError) Unwrap() error { return e.Err }

// checkNUL returns a RowError when a value holds a NUL byte, which no text
// export contains: the input is binary or in an encoding not detected.
func checkNUL(line int, columns, values []string) error {
	for i, v := range values {
		if strings.IndexByte(v, 0) >= 0 {
			field := ""
			if i < len(columns) {
				field = columns[i]
			}
			return &RowError{Line: line, Field: field, Err: fmt.Errorf("contains a NUL byte (0x00)"),
				Fix: "the file holds binary data or is UTF-16 without a byte-order mark: export it again as UTF-8 or GB18030 text"}
		}
	}
	return nil
}
