package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"riskgraph/models"
	"riskgraph/store"
)

// DefaultBatchSize is the number of rows per store batch.
const DefaultBatchSize = 5000

// DefaultMaxRejects is how many rejects a LoadSummary keeps.
const DefaultMaxRejects = 100

// chinaTime is the zone in which "today" is taken: a decision dated today in
// Beijing is not in the future.
var chinaTime = time.FixedZone("CST", 8*3600)

// LoadOptions configure a load.
type LoadOptions struct {
	// Hasher turns identity numbers and source person keys into pids. Required.
	Hasher *models.PIDHasher
	// Source names the data set (letters, digits, ., _ and -). It namespaces
	// the keys of entities without a USCC (src:<source>:<id>), record ids,
	// and the pids of persons without an identity number. Required; load
	// the same data under the same name to update it in place.
	Source string
	// BatchSize is the number of rows per store batch (DefaultBatchSize when 0).
	BatchSize int
	// MaxRejects is how many rejects LoadSummary.Rejects keeps
	// (DefaultMaxRejects when 0; none when negative). Counting is not limited.
	MaxRejects int
	// OnReject, when set, is called for every rejected row.
	OnReject func(Reject)
	// OnProgress, when set, is called after every batch written.
	OnProgress func(Progress)
	// Now is the clock; dates after today (in China time) are refused.
	// time.Now when nil.
	Now    func() time.Time
	Logger zerolog.Logger
}

var sourcePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// withDefaults fills in the defaults.
func (o LoadOptions) withDefaults() LoadOptions {
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxRejects == 0 {
		o.MaxRejects = DefaultMaxRejects
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Validate reports what is wrong with the options (after defaults).
func (o LoadOptions) Validate() error {
	switch {
	case o.Hasher == nil:
		return errors.New("ingest: LoadOptions.Hasher is required (the pid key)")
	case !sourcePattern.MatchString(o.Source):
		return fmt.Errorf("ingest: source name %q: use 1-64 letters, digits, '.', '_' or '-' (it names the data set)", o.Source)
	case o.BatchSize < 1:
		return fmt.Errorf("ingest: batch size %d: must be at least 1", o.BatchSize)
	}
	return nil
}

// Reject is a row that was not loaded, and why.
type Reject struct {
	File   string `json:"file"`
	Line   int    `json:"line"`            // 1-based; the header is line 1
	Field  string `json:"field,omitempty"` // column, when one is at fault
	Value  string `json:"value,omitempty"` // the offending value (identity numbers masked)
	Reason string `json:"reason"`
	Fix    string `json:"fix,omitempty"` // what to change
}

// String renders the reject as one line:
// `enterprises.csv:3: uscc "9144…": character 18 is 'X', expected check character '6' (fix: …)`.
func (r Reject) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: ", r.File, r.Line)
	if r.Field != "" {
		b.WriteString(r.Field)
		if r.Value != "" {
			fmt.Fprintf(&b, " %q", r.Value)
		}
		b.WriteString(" ")
	}
	b.WriteString(r.Reason)
	if r.Fix != "" {
		b.WriteString(" (fix: " + r.Fix + ")")
	}
	return b.String()
}

// Progress reports a load's advance after each batch.
type Progress struct {
	File     string   `json:"file"`
	Kind     FileKind `json:"kind"`
	Rows     int64    `json:"rows"`     // rows read so far in this file
	Accepted int64    `json:"accepted"` // rows written so far in the whole load
}

// Counts are row counts.
type Counts struct {
	Read     int64 `json:"read"`
	Accepted int64 `json:"accepted"`
	Rejected int64 `json:"rejected"`
}

func (c *Counts) add(o Counts) {
	c.Read += o.Read
	c.Accepted += o.Accepted
	c.Rejected += o.Rejected
}

// FileSummary counts the rows of one file.
type FileSummary struct {
	File string   `json:"file"`
	Kind FileKind `json:"kind"`
	Counts
	// Error is set when the whole file was refused (an empty file, a
	// header without a required column); its rows count as rejected.
	Error string `json:"error,omitempty"`
}

// LoadSummary describes a finished (or failed) load.
type LoadSummary struct {
	Source string              `json:"source"`
	Files  []FileSummary       `json:"files"`
	ByKind map[FileKind]Counts `json:"by_kind"`
	Total  Counts              `json:"total"`
	// FileErrors counts files refused as a whole (see FileSummary.Error).
	FileErrors int `json:"file_errors"`
	// Rejects holds the first LoadOptions.MaxRejects rejects.
	Rejects []Reject `json:"rejects,omitempty"`
	// UnknownPersons counts rows that referred to a person_id no persons
	// row of this load gave; those persons were keyed by the source key and
	// are placeholders until a persons row names them.
	UnknownPersons int64         `json:"unknown_persons"`
	Batches        int           `json:"batches"`
	Elapsed        time.Duration `json:"elapsed_ns"`
}

// Loader loads canonical files into a store, one file after another, in the
// order they are given. It remembers the persons it has read, so load
// persons before the files that refer to them (LoadDir and LoadFiles do).
// A Loader is not safe for concurrent use.
type Loader struct {
	w       store.Writer
	opts    LoadOptions
	log     zerolog.Logger
	p       *parser
	sum     LoadSummary
	started time.Time
}

// NewLoader returns a loader writing to w.
func NewLoader(w store.Writer, opts LoadOptions) (*Loader, error) {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, errors.New("ingest: no store to write to")
	}
	today := models.NewDate(opts.Now().In(chinaTime).Date())
	l := &Loader{
		w:       w,
		opts:    opts,
		log:     opts.Logger.With().Str("source", opts.Source).Logger(),
		p:       newParser(opts.Source, today, opts.Hasher),
		sum:     LoadSummary{Source: opts.Source, ByKind: map[FileKind]Counts{}},
		started: opts.Now(),
	}
	return l, nil
}

// Summary returns the counts so far.
func (l *Loader) Summary() LoadSummary {
	s := l.sum
	s.Files = slices.Clone(l.sum.Files)
	s.Rejects = slices.Clone(l.sum.Rejects)
	s.ByKind = maps.Clone(l.sum.ByKind)
	s.UnknownPersons = l.p.unknownPersons
	s.Elapsed = l.opts.Now().Sub(l.started)
	return s
}

// LoadFile loads one canonical file, whose kind follows from its name.
func (l *Loader) LoadFile(ctx context.Context, path string) error {
	kind, err := KindOfFile(path)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	name := filepath.Base(path)
	rows, err := NewCSVRows(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			fs := l.beginFile(name, kind)
			l.fileError(fs, Reject{File: name, Line: re.Line, Reason: "the header row is not valid CSV: " + re.Err.Error(),
				Fix: "the first line must hold the column names, separated by commas"})
			l.endFile(fs)
			return nil
		}
		return fmt.Errorf("ingest: %s: %w", name, err)
	}
	return l.LoadRows(ctx, kind, name, rows)
}

// fileState is the progress through one file.
type fileState struct {
	idx     int // index in sum.Files
	name    string
	kind    FileKind
	counts  Counts
	pending int64 // rows in the batch not yet written
	batch   *store.Batch
	began   time.Time
}

func (l *Loader) beginFile(name string, kind FileKind) *fileState {
	l.sum.Files = append(l.sum.Files, FileSummary{File: name, Kind: kind})
	return &fileState{idx: len(l.sum.Files) - 1, name: name, kind: kind, batch: &store.Batch{}, began: l.opts.Now()}
}

// endFile folds the file's counts into the summary.
func (l *Loader) endFile(fs *fileState) {
	l.sum.Files[fs.idx].Counts = fs.counts
	c := l.sum.ByKind[fs.kind]
	c.add(fs.counts)
	l.sum.ByKind[fs.kind] = c
	l.sum.Total.add(fs.counts)
	ev := l.log.Info()
	if fs.counts.Rejected > 0 {
		ev = l.log.Warn()
	}
	ev.Str("file", fs.name).Str("kind", string(fs.kind)).Int64("read", fs.counts.Read).
		Int64("accepted", fs.counts.Accepted).Int64("rejected", fs.counts.Rejected).
		Dur("elapsed", l.opts.Now().Sub(fs.began)).Msg("file loaded")
}

// reject counts a rejected row and reports it.
func (l *Loader) reject(fs *fileState, r Reject) {
	fs.counts.Rejected++
	l.report(r)
}

// fileError reports a problem of the whole file (at line 1), which rejects
// all its rows.
func (l *Loader) fileError(fs *fileState, r Reject) {
	l.sum.Files[fs.idx].Error = r.Reason
	l.sum.FileErrors++
	l.report(r)
}

// report keeps, passes on and logs a reject.
func (l *Loader) report(r Reject) {
	if r.Value != "" && (r.Field == "id_number" || looksLikeIDNumber(r.Value)) {
		r.Value = maskIDNumber(r.Value)
	} else if utf8.RuneCountInString(r.Value) > 80 {
		r.Value = string([]rune(r.Value)[:80]) + "…"
	}
	if l.opts.MaxRejects > 0 && len(l.sum.Rejects) < l.opts.MaxRejects {
		l.sum.Rejects = append(l.sum.Rejects, r)
	}
	if l.opts.OnReject != nil {
		l.opts.OnReject(r)
	}
	l.log.Debug().Str("file", r.File).Int("line", r.Line).Str("field", r.Field).Str("reason", r.Reason).Msg("row rejected")
}

// LoadRows loads the rows of one file of the given kind; name is the file
// name used in rejects. Columns are matched by name (case-insensitive) in any
// order; unknown columns are ignored. A header that lacks a required column
// rejects the whole file (reported once, at line 1). Rows that fail
// validation are rejected and the load goes on; the error is non-nil only
// when reading the input or writing the store fails, or ctx ends.
func (l *Loader) LoadRows(ctx context.Context, kind FileKind, name string, rows Rows) (err error) {
	if !kind.Valid() {
		return fmt.Errorf("ingest: unknown file kind %q", kind)
	}
	fs := l.beginFile(name, kind)
	defer func() {
		if err == nil {
			err = l.flush(ctx, fs)
		}
		l.endFile(fs)
	}()
	pos, headerReject := mapColumns(kind, rows.Columns())
	if headerReject != nil {
		headerReject.File = name
		l.fileError(fs, *headerReject) // the rows are counted as rejected below
	}
	if len(rows.Columns()) == 0 {
		return nil
	}
	vals := make([]string, len(pos))
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := rows.Next()
		if err == io.EOF {
			return nil
		}
		var re *RowError
		if errors.As(err, &re) {
			fs.counts.Read++
			l.reject(fs, Reject{File: name, Line: re.Line, Reason: "the row is not valid CSV: " + re.Err.Error(),
				Fix: `enclose fields that contain commas, quotes or line breaks in double quotes, and double the quotes inside them ("")`})
			continue
		}
		if err != nil {
			return fmt.Errorf("ingest: %s: %w", name, err)
		}
		fs.counts.Read++
		if headerReject != nil {
			fs.counts.Rejected++
			continue
		}
		if len(row.Values) != len(rows.Columns()) {
			l.reject(fs, Reject{File: name, Line: row.Line,
				Reason: fmt.Sprintf("has %d fields, the header has %d", len(row.Values), len(rows.Columns())),
				Fix:    `give one value per column; enclose values that contain commas in double quotes`})
			continue
		}
		if ferr := canonicalValues(kind, vals, pos, row.Values); ferr != nil {
			l.reject(fs, Reject{File: name, Line: row.Line, Field: ferr.Field, Value: ferr.Value, Reason: ferr.Reason, Fix: ferr.Fix})
			continue
		}
		if ferr := l.add(fs, vals, row.Line); ferr != nil {
			if ferr.Value == "" && ferr.Field != "" {
				ferr.Value = valueOf(kind, vals, ferr.Field)
			}
			l.reject(fs, Reject{File: name, Line: row.Line, Field: ferr.Field, Value: ferr.Value, Reason: ferr.Reason, Fix: ferr.Fix})
			continue
		}
		fs.pending++
		if fs.batch.Len() >= l.opts.BatchSize {
			if err := l.flush(ctx, fs); err != nil {
				return err
			}
		}
	}
}

// mapColumns returns, for each canonical column of kind, its position in
// the source columns (-1 when absent), or a reject for a bad header.
func mapColumns(kind FileKind, columns []string) ([]int, *Reject) {
	canon := canonicalColumns[kind]
	pos := make([]int, len(canon))
	for i := range pos {
		pos[i] = -1
	}
	if len(columns) == 0 {
		return pos, &Reject{Line: 1, Reason: "the file is empty", Fix: "the first line must be the header: " + strings.Join(kind.ColumnNames(), ",")}
	}
	seen := map[string]int{}
	for j, c := range columns {
		name := strings.ToLower(strings.TrimFunc(c, isTrimmed))
		if prev, dup := seen[name]; dup {
			return pos, &Reject{Line: 1, Field: name, Reason: fmt.Sprintf("the column appears twice (columns %d and %d)", prev+1, j+1), Fix: "remove one of them"}
		}
		seen[name] = j
		for i, cc := range canon {
			if cc.Name == name {
				pos[i] = j
			}
		}
	}
	var missing []string
	for i, cc := range canon {
		if cc.Required && pos[i] < 0 {
			missing = append(missing, cc.Name)
		}
	}
	if kind == FileEnterprises && pos[entUSCC] < 0 && pos[entID] < 0 {
		missing = append(missing, "uscc or id")
	}
	if len(missing) > 0 {
		return pos, &Reject{Line: 1, Field: missing[0],
			Reason: fmt.Sprintf("required column %s missing; no row of the file was loaded", plural(len(missing), strings.Join(missing, ", "))),
			Fix:    fmt.Sprintf("add the column to the header (the %s columns are %s)", kind.FileName(), strings.Join(kind.ColumnNames(), ","))}
	}
	return pos, nil
}

func plural(n int, names string) string {
	if n == 1 {
		return names + " is"
	}
	return names + " are"
}

func isTrimmed(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' }

// canonicalValues fills vals (canonical order) from the source values,
// trimmed, and checks that they are valid UTF-8.
func canonicalValues(kind FileKind, vals []string, pos []int, src []string) *fieldError {
	for i, p := range pos {
		if p < 0 {
			vals[i] = ""
			continue
		}
		v := src[p]
		if !utf8.ValidString(v) {
			return &fieldError{Field: canonicalColumns[kind][i].Name, Value: strings.ToValidUTF8(v, "?"), Reason: "is not valid UTF-8",
				Fix: "save the file as UTF-8 (the canonical loader does not read GB18030 or other encodings yet)"}
		}
		vals[i] = strings.TrimFunc(v, isTrimmed)
	}
	return nil
}

// valueOf returns the value of the named canonical column.
func valueOf(kind FileKind, vals []string, field string) string {
	for i, c := range canonicalColumns[kind] {
		if c.Name == field {
			return vals[i]
		}
	}
	return ""
}

// add parses one row and appends it to the batch.
func (l *Loader) add(fs *fileState, v []string, line int) *fieldError {
	b := fs.batch
	switch fs.kind {
	case FileEnterprises:
		e, err := l.p.enterprise(v)
		if err != nil {
			return err
		}
		b.Enterprises = append(b.Enterprises, e)
	case FilePersons:
		p, err := l.p.person(v, fs.name, line)
		if err != nil {
			return err
		}
		b.Persons = append(b.Persons, p)
	case FileShareholdings:
		s, err := l.p.shareholding(v)
		if err != nil {
			return err
		}
		b.Shareholdings = append(b.Shareholdings, s)
	case FileLegalReps, FileOfficers:
		kind := models.RoleLegalRep
		if fs.kind == FileOfficers {
			kind = models.RoleOfficer
		}
		r, err := l.p.role(v, kind)
		if err != nil {
			return err
		}
		b.Roles = append(b.Roles, r)
	case FileBranches:
		br, err := l.p.branch(v)
		if err != nil {
			return err
		}
		b.Branches = append(b.Branches, br)
	case FileRecords:
		r, err := l.p.record(v)
		if err != nil {
			return err
		}
		b.Records = append(b.Records, r)
	}
	return nil
}

// flush writes the pending batch.
func (l *Loader) flush(ctx context.Context, fs *fileState) error {
	if fs.batch.Len() == 0 {
		return nil
	}
	if err := l.w.WriteBatch(ctx, fs.batch); err != nil {
		return fmt.Errorf("ingest: %s: writing a batch of %d rows (after %d rows read): %w", fs.name, fs.batch.Len(), fs.counts.Read, err)
	}
	fs.counts.Accepted += fs.pending
	fs.pending = 0
	fs.batch = &store.Batch{}
	l.sum.Batches++
	if l.opts.OnProgress != nil {
		l.opts.OnProgress(Progress{File: fs.name, Kind: fs.kind, Rows: fs.counts.Read,
			Accepted: l.sum.Total.Accepted + fs.counts.Accepted})
	}
	return nil
}

// LoadDir loads the canonical files found in dir, in dependency order
// (enterprises, persons, shareholdings, legal_reps, officers, branches,
// records). Files that are absent are skipped; other files are ignored.
func LoadDir(ctx context.Context, dir string, w store.Writer, opts LoadOptions) (LoadSummary, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return LoadSummary{Source: opts.Source}, fmt.Errorf("ingest: %w", err)
	}
	var files []string
	present := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() {
			present[strings.ToLower(e.Name())] = e.Name()
		}
	}
	for _, k := range FileKinds {
		if name, ok := present[k.FileName()]; ok {
			files = append(files, filepath.Join(dir, name))
		}
	}
	if len(files) == 0 {
		names := make([]string, len(FileKinds))
		for i, k := range FileKinds {
			names[i] = k.FileName()
		}
		return LoadSummary{Source: opts.Source}, fmt.Errorf("ingest: %s holds none of the canonical files (%s)", dir, strings.Join(names, ", "))
	}
	return LoadFiles(ctx, files, w, opts)
}

// LoadFiles loads the given canonical files, whose kinds follow from their
// names, in dependency order (a stable sort of files by kind).
func LoadFiles(ctx context.Context, files []string, w store.Writer, opts LoadOptions) (LoadSummary, error) {
	type item struct {
		path string
		kind FileKind
	}
	items := make([]item, 0, len(files))
	for _, f := range files {
		k, err := KindOfFile(f)
		if err != nil {
			return LoadSummary{Source: opts.Source}, fmt.Errorf("ingest: %w", err)
		}
		items = append(items, item{f, k})
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.kind.order() - b.kind.order() })
	l, err := NewLoader(w, opts)
	if err != nil {
		return LoadSummary{Source: opts.Source}, err
	}
	for _, it := range items {
		if err := l.LoadFile(ctx, it.path); err != nil {
			return l.Summary(), err
		}
	}
	s := l.Summary()
	if s.UnknownPersons > 0 {
		l.log.Warn().Int64("unknown_persons", s.UnknownPersons).
			Msg("rows referred to person_ids that no persons row of this load gave; those persons are keyed by person_id, not by identity number; load persons.csv together with the files that refer to it")
	}
	l.log.Info().Int("files", len(s.Files)).Int64("read", s.Total.Read).Int64("accepted", s.Total.Accepted).
		Int64("rejected", s.Total.Rejected).Int64("unknown_persons", s.UnknownPersons).
		Dur("elapsed", s.Elapsed).Msg("load finished")
	return s, nil
}
