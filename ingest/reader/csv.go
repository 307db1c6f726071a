package reader

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DefaultMaxRowBytes bounds one CSV row or NDJSON line. A longer row is
// refused (reported at its first line) and reading goes on after it, so
// memory stays bounded whatever the input holds.
const DefaultMaxRowBytes = 4 << 20

// NoQuote as CSVOptions.Quote makes quote characters ordinary text.
const NoQuote = -1

// CSVOptions configure the CSV reader. The zero value detects the delimiter
// and quote from the header line.
type CSVOptions struct {
	// Comma is the field delimiter; 0 detects it from the header line
	// (the most frequent of , TAB ; | outside quotes; a comma on a tie).
	Comma rune
	// Quote encloses values holding delimiters, quotes or line breaks
	// (doubled inside); 0 means '"' (or '\'' when the header is quoted
	// with it); NoQuote disables quoting.
	Quote rune
	// MaxRowBytes bounds a row (DefaultMaxRowBytes when 0).
	MaxRowBytes int
	// NoHeader: the first line is a row. The columns are then Names, or
	// when Names is empty the positions "$1", "$2" … of the first row.
	NoHeader bool
	// Names name the columns of a file without a header, by position.
	Names []string
}

// Position returns n for a column addressed by position ("$n", n ≥ 1 when
// ok); ok is false for a name.
func Position(name string) (n int, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(name), "$")
	if !found || rest == "" {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || strings.ContainsAny(rest, "+-") {
		return 0, false
	}
	return n, true
}

// PositionName is the column name of position n (1-based) in a file without
// a header: "$n".
func PositionName(n int) string { return "$" + strconv.Itoa(n) }

// ParseDelimiter reads a delimiter as given on the command line or in a
// mapping: one ASCII character, or "tab" (0 for "": detect).
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	}
	r := []rune(s)
	if len(r) != 1 || r[0] >= 0x80 || r[0] == '\n' || r[0] == '\r' {
		return 0, fmt.Errorf("delimiter %q: give one ASCII character (, ; |) or tab", s)
	}
	return r[0], nil
}

// ParseQuote reads a quote character: one ASCII character, or "none"
// (NoQuote; 0 for "": detect).
func ParseQuote(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "none":
		return NoQuote, nil
	}
	r := []rune(s)
	if len(r) != 1 || r[0] >= 0x80 || r[0] == '\n' || r[0] == '\r' {
		return 0, fmt.Errorf("quote %q: give one ASCII character (\" or ') or none", s)
	}
	return r[0], nil
}

// Validate reports options the reader cannot honour.
func (o CSVOptions) Validate() error {
	for _, r := range []rune{o.Comma, o.Quote} {
		if r == NoQuote && r == o.Quote {
			continue
		}
		if r < 0 || r >= 0x80 || r == '\n' || r == '\r' {
			return fmt.Errorf("csv: delimiter and quote must be single ASCII characters other than line breaks, got %q", r)
		}
	}
	if o.Comma != 0 && o.Comma == o.Quote {
		return errors.New("csv: the delimiter and the quote character must differ")
	}
	if o.MaxRowBytes < 0 {
		return errors.New("csv: MaxRowBytes is negative")
	}
	return nil
}

// csvRows is a streaming RFC 4180 reader that survives broken input: a
// quote that is never closed or a row longer than the limit is reported once
// and reading resumes on the next line, instead of swallowing the rest of
// the file.
type csvRows struct {
	br      *bufio.Reader
	pending []byte // bytes to read before br, after a recovery
	line    int    // physical lines consumed
	comma   byte
	quote   int // -1 when quoting is off
	max     int
	header  []string
	rec     []byte // the current row's values, concatenated
	ends    []int  // end offsets of the values in rec
	raw     []byte // the current row's raw bytes, for recovery
	vals    []string
	eof     bool
	first   *Row // the first row of a file without a header, not yet returned
}

// NewCSV reads CSV with a header row from r, which must be UTF-8 (see
// Decode). A byte-order mark before the header is dropped. An empty input
// has no columns and no rows. A header that cannot be read is a *RowError.
func NewCSV(r io.Reader, opts CSVOptions) (Rows, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	c := &csvRows{br: bufio.NewReaderSize(r, 256<<10), max: opts.MaxRowBytes, quote: '"'}
	if c.max == 0 {
		c.max = DefaultMaxRowBytes
	}
	head, _ := c.br.Peek(64 << 10)
	head = bytes.TrimPrefix(head, []byte("\uFEFF"))
	switch {
	case opts.Quote == NoQuote:
		c.quote = -1
	case opts.Quote != 0:
		c.quote = int(opts.Quote)
	case len(head) > 0 && head[0] == '\'' && bytes.IndexByte(firstLine(head, -1), '"') < 0:
		c.quote = '\''
	}
	c.comma = byte(opts.Comma)
	if opts.Comma == 0 {
		c.comma = detectComma(firstLine(head, c.quote), c.quote)
	}
	row, err := c.Next()
	if err == io.EOF {
		return c, nil
	}
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			re.Err = fmt.Errorf("header: %w", re.Err)
		}
		return nil, err
	}
	vals := append([]string(nil), row.Values...)
	if len(vals) > 0 {
		vals[0] = string(bytes.TrimPrefix([]byte(vals[0]), []byte("\uFEFF")))
	}
	if !opts.NoHeader {
		c.header = vals
		return c, nil
	}
	c.first = &Row{Line: row.Line, Values: vals}
	c.header = append([]string(nil), opts.Names...)
	if len(c.header) == 0 {
		for i := range vals {
			c.header = append(c.header, PositionName(i+1))
		}
	}
	return c, nil
}

// firstLine returns b up to the first line break outside quotes.
func firstLine(b []byte, quote int) []byte {
	in := false
	for i, ch := range b {
		switch {
		case int(ch) == quote:
			in = !in
		case ch == '\n' && !in:
			return b[:i]
		}
	}
	return b
}

// detectComma picks the delimiter of a header line.
func detectComma(line []byte, quote int) byte {
	best, n := byte(','), 0
	for _, d := range []byte{',', '\t', ';', '|'} {
		k, in := 0, false
		for _, ch := range line {
			switch {
			case int(ch) == quote:
				in = !in
			case ch == d && !in:
				k++
			}
		}
		if k > n {
			best, n = d, k
		}
	}
	return best
}

// Comma returns the delimiter in use (for logs and tests).
func (c *csvRows) Comma() rune { return rune(c.comma) }

func (c *csvRows) Columns() []string { return c.header }

// chunk returns the next piece of input up to and including a line break,
// or less when the line is longer than the buffer.
func (c *csvRows) chunk() ([]byte, error) {
	if len(c.pending) > 0 {
		i := bytes.IndexByte(c.pending, '\n')
		var b []byte
		if i < 0 {
			b, c.pending = c.pending, nil
		} else {
			b, c.pending = c.pending[:i+1], c.pending[i+1:]
		}
		return b, nil
	}
	if c.eof {
		return nil, io.EOF
	}
	b, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		err = nil
	}
	if err == io.EOF {
		c.eof = true
		if len(b) > 0 {
			err = nil
		}
	}
	return b, err
}

// skipLine discards input up to and including the next line break.
func (c *csvRows) skipLine() error {
	for {
		b, err := c.chunk()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(b) > 0 && b[len(b)-1] == '\n' {
			c.line++
			return nil
		}
	}
}

const (
	stFieldStart = iota
	stUnquoted
	stQuoted
	stQuoteInQuoted
)

// Next reads one row.
func (c *csvRows) Next() (Row, error) {
	if c.first != nil {
		row := *c.first
		c.first = nil
		return row, nil
	}
	for {
		row, blank, err := c.next()
		if err != nil || !blank {
			return row, err
		}
	}
}

func (c *csvRows) next() (row Row, blank bool, err error) {
	c.rec, c.ends, c.raw = c.rec[:0], c.ends[:0], c.raw[:0]
	start := c.line + 1
	state := stFieldStart
	var badQuote error
	consumed := 0
	endField := func() { c.ends = append(c.ends, len(c.rec)) }
	for {
		b, rerr := c.chunk()
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return Row{}, false, rerr
		}
		consumed += len(b)
		c.raw = append(c.raw, b...)
		for i := 0; i < len(b); i++ {
			ch := b[i]
			switch state {
			case stFieldStart:
				switch {
				case int(ch) == c.quote:
					state = stQuoted
				case ch == c.comma:
					endField()
				case ch == '\n':
					c.line++
					endField()
					return c.finish(start, badQuote)
				default:
					c.rec = append(c.rec, ch)
					state = stUnquoted
				}
			case stUnquoted:
				switch ch {
				case c.comma:
					endField()
					state = stFieldStart
				case '\n':
					c.line++
					c.rec = bytes.TrimSuffix(c.rec, []byte("\r"))
					endField()
					return c.finish(start, badQuote)
				default:
					c.rec = append(c.rec, ch)
				}
			case stQuoted:
				if int(ch) == c.quote {
					state = stQuoteInQuoted
				} else {
					if ch == '\n' {
						c.line++
					}
					c.rec = append(c.rec, ch)
				}
			case stQuoteInQuoted:
				switch {
				case int(ch) == c.quote:
					c.rec = append(c.rec, ch)
					state = stQuoted
				case ch == c.comma:
					endField()
					state = stFieldStart
				case ch == '\n':
					c.line++
					endField()
					return c.finish(start, badQuote)
				case ch == '\r':
				default:
					if badQuote == nil {
						badQuote = fmt.Errorf("field %d: text after the closing quote", len(c.ends)+1)
					}
					c.rec = append(c.rec, ch)
					state = stUnquoted
				}
			}
		}
		if consumed > c.max {
			return c.recover(start, fmt.Errorf("the row is longer than %d bytes (a value this long, or a quote that is never closed)", c.max),
				"values are limited in size; check that every opening quote is closed, or raise --max-row-bytes")
		}
	}
	// End of input.
	if consumed == 0 {
		return Row{}, false, io.EOF
	}
	if state == stQuoted {
		return c.recover(start, fmt.Errorf("a quoted value starting on line %d is never closed", start),
			`close the quote, or double quotes inside quoted values ("")`)
	}
	if state == stUnquoted {
		c.rec = bytes.TrimSuffix(c.rec, []byte("\r"))
	}
	endField()
	return c.finish(start, badQuote)
}

// finish turns the parsed row into strings.
func (c *csvRows) finish(start int, badQuote error) (Row, bool, error) {
	if len(c.ends) == 1 && c.ends[0] == 0 {
		return Row{}, true, nil // blank line
	}
	if badQuote != nil {
		return Row{}, false, &RowError{Line: start, Err: badQuote,
			Fix: `enclose the whole value in quotes and double the quotes inside it ("")`}
	}
	s := string(c.rec)
	c.vals = c.vals[:0]
	from := 0
	for _, e := range c.ends {
		c.vals = append(c.vals, s[from:e])
		from = e
	}
	if err := checkNUL(start, c.header, c.vals); err != nil {
		return Row{}, false, err
	}
	return Row{Line: start, Values: c.vals}, false, nil
}

// recover reports the row starting on line start as unreadable and resumes
// reading on the line after it: the bytes consumed after that line are read
// again (they were probably rows swallowed by an open quote).
func (c *csvRows) recover(start int, err error, fix string) (Row, bool, error) {
	rest := c.raw
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		c.line = start
		c.pending = append(bytes.Clone(rest[i+1:]), c.pending...)
	} else {
		c.line = start - 1
		if serr := c.skipLine(); serr != nil {
			return Row{}, false, serr
		}
	}
	return Row{}, false, &RowError{Line: start, Err: err, Fix: fix}
}
