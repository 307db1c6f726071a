package ingest

import (
	"io"

	"riskgraph/ingest/reader"
)

// Row is one data row of an input file: its values in the order of the
// source's columns, and the line it starts on (the header is line 1).
type Row = reader.Row

// Rows is a source of rows: the seam between a file's encoding, syntax and
// layout (package reader, package mapping) and the canonical parsers.
type Rows = reader.Rows

// RowError is a row that could not be read (e.g. broken CSV quoting) or
// converted by a mapping.
type RowError = reader.RowError

// NewCSVRows reads UTF-8 CSV with a header row (RFC 4180 quoting; the
// delimiter is detected from the header). A byte-order mark before the
// header is dropped. An empty input has no columns and no rows.
func NewCSVRows(r io.Reader) (Rows, error) {
	return reader.NewCSV(r, reader.CSVOptions{})
}
