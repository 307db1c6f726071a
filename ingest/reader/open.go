package reader

import (
	"io"
)

// Options configure OpenRows.
type Options struct {
	// Encoding: EncodingAuto (default), or one to force.
	Encoding string
	// Format overrides the format given by the file name (stdin is CSV
	// unless told).
	Format Format
	CSV    CSVOptions
	// Columns are passed to the NDJSON reader (see NDJSONOptions.Columns).
	Columns []string
}

// Opened is an input being read.
type Opened struct {
	Rows
	decoded *Decoded
	closer  io.Closer
	count   *counter
}

// BytesRead is how many bytes of the input (compressed, for gzip) have
// been read so far.
func (o *Opened) BytesRead() int64 { return o.count.n.Load() }

// Encoding is the input's encoding, as forced or detected so far.
func (o *Opened) Encoding() string { return o.decoded.Encoding() }

// Close closes the input.
func (o *Opened) Close() error { return o.closer.Close() }

// OpenRows opens in, decodes it and reads its header. A header that cannot
// be read is a *RowError; the input is closed then.
func OpenRows(in Input, stdin io.Reader, opts Options) (*Opened, error) {
	rc, cnt, err := in.open(stdin)
	if err != nil {
		return nil, err
	}
	dec, err := Decode(rc, opts.Encoding)
	if err != nil {
		rc.Close()
		return nil, err
	}
	format := in.Format
	if opts.Format != "" {
		format = opts.Format
	}
	var rows Rows
	if format == FormatNDJSON {
		rows, err = NewNDJSON(dec, NDJSONOptions{Columns: opts.Columns, MaxRowBytes: opts.CSV.MaxRowBytes})
	} else {
		rows, err = NewCSV(dec, opts.CSV)
	}
	if err != nil {
		rc.Close()
		return nil, err
	}
	return &Opened{Rows: rows, decoded: dec, closer: rc, count: cnt}, nil
}
