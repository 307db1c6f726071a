package ingest

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// ReportWriter writes rejects and warnings to a report file, one row each,
// as CSV (level, file, line, field, value, reason, fix; UTF-8 with a
// byte-order mark so that Excel shows the Chinese text) or NDJSON. Values
// arrive masked (identity numbers as *) from the loader. Use it as
// LoadOptions.OnReject.
type ReportWriter struct {
	mu   sync.Mutex
	bw   *bufio.Writer
	csv  *csv.Writer
	enc  *json.Encoder
	err  error
	rows int64
}

// NewReportWriter starts a report in format "csv" or "ndjson".
func NewReportWriter(w io.Writer, format string) (*ReportWriter, error) {
	r := &ReportWriter{bw: bufio.NewWriter(w)}
	switch strings.ToLower(format) {
	case "csv":
		r.bw.WriteString("\uFEFF")
		r.csv = csv.NewWriter(r.bw)
		r.err = r.csv.Write([]string{"level", "file", "line", "field", "value", "reason", "fix"})
	case "ndjson", "jsonl":
		r.enc = json.NewEncoder(r.bw)
		r.enc.SetEscapeHTML(false)
	default:
		return nil, fmt.Errorf("rejects format %q: use csv or ndjson", format)
	}
	return r, nil
}

// ReportFormat returns the report format for a file name (.ndjson or
// .jsonl → ndjson, anything else csv).
func ReportFormat(path string) string {
	p := strings.ToLower(path)
	if strings.HasSuffix(p, ".ndjson") || strings.HasSuffix(p, ".jsonl") || strings.HasSuffix(p, ".json") {
		return "ndjson"
	}
	return "csv"
}

// Write adds one reject or warning; errors are kept for Close.
func (r *ReportWriter) Write(rej Reject) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	level := rej.Level
	if level == "" {
		level = "rejected"
	}
	r.rows++
	if r.csv != nil {
		r.err = r.csv.Write([]string{level, rej.File, strconv.Itoa(rej.Line), rej.Field, rej.Value, rej.Reason, rej.Fix})
		return
	}
	rej.Level = level
	r.err = r.enc.Encode(rej)
}

// Rows is how many rows were written.
func (r *ReportWriter) Rows() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rows
}

// Flush writes what is buffered and returns the first error.
func (r *ReportWriter) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.csv != nil {
		r.csv.Flush()
		if r.err == nil {
			r.err = r.csv.Error()
		}
	}
	if err := r.bw.Flush(); r.err == nil {
		r.err = err
	}
	return r.err
}
