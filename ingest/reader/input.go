package reader

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Format is the syntax of an input.
type Format string

// Formats.
const (
	FormatCSV    Format = "csv"
	FormatNDJSON Format = "ndjson"
)

// ParseFormat accepts csv, tsv (CSV with TAB), ndjson or jsonl.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv", "tsv", "txt":
		return FormatCSV, nil
	case "ndjson", "jsonl", "json":
		return FormatNDJSON, nil
	}
	return "", fmt.Errorf("format %q: use csv or ndjson", s)
}

// Stdin is the argument that names standard input.
const Stdin = "-"

// Input is one file to read (or standard input).
type Input struct {
	Path    string // as given or found; "-" for standard input
	Name    string // base name without .gz, for messages and kind detection
	Size    int64
	ModTime time.Time
	Gzip    bool
	Format  Format
}

// IsStdin reports whether the input is standard input.
func (in Input) IsStdin() bool { return in.Path == Stdin }

// Display is the name shown in rejects and logs: the path as given.
func (in Input) Display() string {
	if in.IsStdin() {
		if in.Name != "" {
			return in.Name
		}
		return "stdin"
	}
	return in.Path
}

// dataExts are the extensions a directory listing picks up (also after .gz).
var dataExts = []string{".csv", ".tsv", ".txt", ".ndjson", ".jsonl"}

// Expand resolves arguments to inputs: files as they are, directories to
// the data files directly in them (*.csv, *.tsv, *.txt, *.ndjson, *.jsonl,
// each optionally .gz, sorted by name), glob patterns to what they match,
// and "-" to standard input. A name that matches nothing is an error that
// says so.
func Expand(args []string) ([]Input, error) {
	var out []Input
	seen := map[string]bool{}
	add := func(path string, fi os.FileInfo) {
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		if seen[abs] {
			return
		}
		seen[abs] = true
		out = append(out, newInput(path, fi))
	}
	for _, arg := range args {
		if arg == Stdin {
			if seen[Stdin] {
				return nil, errors.New("standard input (-) is named twice")
			}
			seen[Stdin] = true
			out = append(out, Input{Path: Stdin, Name: "stdin", Format: FormatCSV})
			continue
		}
		fi, err := os.Stat(arg)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) || !strings.ContainsAny(arg, "*?[") {
				return nil, err
			}
			matches, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, fmt.Errorf("pattern %q: %w", arg, gerr)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("pattern %q matches no file", arg)
			}
			for _, m := range matches {
				if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
					add(m, fi)
				}
			}
			continue
		}
		if !fi.IsDir() {
			add(arg, fi)
			continue
		}
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() || !isDataName(e.Name()) {
				continue
			}
			p := filepath.Join(arg, e.Name())
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				add(p, fi)
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("directory %s holds no data files (%s, optionally .gz)", arg, strings.Join(dataExts, ", "))
		}
	}
	return out, nil
}

func isDataName(name string) bool {
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	return slices.Contains(dataExts, filepath.Ext(n))
}

func newInput(path string, fi os.FileInfo) Input {
	base := filepath.Base(path)
	gz := strings.HasSuffix(strings.ToLower(base), ".gz")
	name := base
	if gz {
		name = base[:len(base)-3]
	}
	f := FormatCSV
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl", ".json":
		f = FormatNDJSON
	}
	return Input{Path: path, Name: name, Size: fi.Size(), ModTime: fi.ModTime(), Gzip: gz, Format: f}
}

// Open opens the input for reading, decompressing gzip (by name or by its
// magic bytes). stdin is used for standard input.
func (in Input) Open(stdin io.Reader) (io.ReadCloser, error) {
	rc, _, err := in.open(stdin)
	return rc, err
}

// counter counts the raw (compressed) bytes read from an input.
type counter struct {
	r io.Reader
	n atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (in Input) open(stdin io.Reader) (io.ReadCloser, *counter, error) {
	var rc io.ReadCloser
	if in.IsStdin() {
		if stdin == nil {
			stdin = os.Stdin
		}
		rc = io.NopCloser(stdin)
	} else {
		f, err := os.Open(in.Path)
		if err != nil {
			return nil, nil, err
		}
		rc = f
	}
	cnt := &counter{r: rc}
	br := bufio.NewReaderSize(cnt, 64<<10)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, nil, fmt.Errorf("%s: not readable gzip: %w", in.Display(), err)
		}
		return &gzipFile{zr: zr, under: rc, name: in.Display()}, cnt, nil
	}
	if in.Gzip {
		rc.Close()
		return nil, nil, fmt.Errorf("%s: named .gz but not gzip-compressed", in.Display())
	}
	return struct {
		io.Reader
		io.Closer
	}{br, rc}, cnt, nil
}

// gzipFile turns a cut-short gzip stream into an error that says so.
type gzipFile struct {
	zr    *gzip.Reader
	under io.Closer
	name  string
}

// ErrTruncated marks an input that ends before its compressed data does.
var ErrTruncated = errors.New("the compressed file is cut short (truncated gzip data)")

func (g *gzipFile) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("%s: %w; copy the file again", g.name, ErrTruncated)
	} else if errors.Is(err, gzip.ErrChecksum) {
		err = fmt.Errorf("%s: gzip checksum mismatch, the file is damaged: %w", g.name, err)
	}
	return n, err
}

func (g *gzipFile) Close() error {
	g.zr.Close()
	return g.under.Close()
}
