package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/ingest/keyindex"
	"riskgraph/ingest/mapping"
	"riskgraph/ingest/reader"
	"riskgraph/models"
	"riskgraph/store"
)

// DefaultBatchSize is the number of rows per store batch.
const DefaultBatchSize = 5000

// DefaultMaxRejects is how many rejects a LoadSummary keeps.
const DefaultMaxRejects = 100

// DefaultInFlight is how many batches are written at once.
const DefaultInFlight = 4

// chinaTime is the zone in which "today" is taken: a decision dated today in
// Beijing is not in the future.
var chinaTime = time.FixedZone("CST", 8*3600)

// References says what happens to a row that names an enterprise or person
// that is neither in the load nor in the store.
type References string

const (
	// RefPlaceholder accepts the row; the store creates the missing
	// endpoint as a placeholder node, which a later row fills in.
	RefPlaceholder References = "placeholder"
	// RefReject refuses the row.
	RefReject References = "reject"
)

// Writer is what a load writes to: a store (or a forwarder to the server
// holding one) that takes batches and says its data generation after them,
// for the summary.
type Writer interface {
	store.Writer
	Generation(ctx context.Context) (uint64, error)
}

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
	// InFlight is how many batches are written concurrently, each in its
	// own transaction (DefaultInFlight when 0). Batches of one file are
	// written in any order, except that a batch repeating a key of an
	// earlier one waits for it (last row wins); every batch of a file is
	// acknowledged before the next file starts, so entities are written
	// before the relationships that name them.
	InFlight int
	// MaxRejects is how many rejects (and warnings) LoadSummary keeps
	// (DefaultMaxRejects when 0; none when negative). Counting is not limited.
	MaxRejects int
	// AbortAfterRejects stops the load once more rows than this were
	// rejected (0: never): a run fed the wrong file, encoding or mapping
	// stops early. Rows accepted before stay accepted.
	AbortAfterRejects int64
	// OnReject, when set, is called for every rejected row and every warning.
	OnReject func(Reject)
	// OnProgress, when set, is called every few thousand rows and after
	// every file, from the goroutine running the load.
	OnProgress func(Progress)
	// OnBatch, when set, is called when the store acknowledges a batch,
	// from the goroutine that wrote it.
	OnBatch func(BatchDone)

	// Encoding of the inputs: "auto" (default) or one to force (package reader).
	Encoding string
	// Format forces the syntax of every input (csv or ndjson); by default
	// it follows the file name, and standard input is CSV.
	Format reader.Format
	// CSV configures the CSV reader (delimiter, quote, row size limit).
	CSV reader.CSVOptions
	// Mapping maps foreign layouts to the canonical one (package mapping).
	Mapping *mapping.File
	// Kind forces the kind of every input (for standard input, or files
	// whose name and header do not tell).
	Kind FileKind
	// Stdin is read for the input "-" (os.Stdin when nil).
	Stdin io.Reader

	// Match switches matching at ingest on: enterprise references that are
	// not keys (names, old codes) are resolved with the matcher (nil: off,
	// unless the mapping asks for it, which needs a Resolver here).
	Match *MatchOptions

	// References: RefPlaceholder (default) or RefReject.
	References References
	// Reader is asked whether an entity the load does not hold exists
	// (RefReject only); without it only the load's own entities count.
	Reader store.Reader
	// DryRun reads and validates everything and writes nothing.
	DryRun bool
	// Checkpoint, when set, is a file recording how far each input was
	// written; a load of the same inputs (same paths, sizes and
	// modification times) continues from it. It is removed when the load
	// finishes without error.
	Checkpoint string

	// KeyBudget is how many keys each of the load's key indexes (duplicate
	// keys per file, the load's entities, person_ids, share sums) holds in
	// memory before it spills to a sorted file in TempDir
	// (keyindex.DefaultBudget when 0). Memory stays flat past it; lookups
	// then read the file.
	KeyBudget int
	// TempDir holds the key indexes' spill files (the system's temporary
	// directory when empty). They are removed when the load ends.
	TempDir string

	// Now is the clock; dates after today (in China time) are refused.
	// time.Now when nil.
	Now    func() time.Time
	Logger zerolog.Logger
}

var sourcePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidSource reports whether s can name a data set.
func ValidSource(s string) bool { return sourcePattern.MatchString(s) }

// withDefaults fills in the defaults.
func (o LoadOptions) withDefaults() LoadOptions {
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.InFlight == 0 {
		o.InFlight = DefaultInFlight
	}
	if o.MaxRejects == 0 {
		o.MaxRejects = DefaultMaxRejects
	}
	if o.References == "" {
		o.References = RefPlaceholder
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.KeyBudget == 0 {
		o.KeyBudget = keyindex.DefaultBudget
	}
	if o.Match != nil {
		m := o.Match.withDefaults()
		o.Match = &m
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
	case o.KeyBudget < 0:
		return fmt.Errorf("ingest: key budget %d: must be 0 (the default, %d) or more", o.KeyBudget, keyindex.DefaultBudget)
	case o.InFlight < 1 || o.InFlight > 64:
		return fmt.Errorf("ingest: %d batches in flight: use 1 to 64", o.InFlight)
	case o.References != RefPlaceholder && o.References != RefReject:
		return fmt.Errorf("ingest: references %q: use placeholder or reject", o.References)
	case o.Kind != "" && !o.Kind.Valid():
		return fmt.Errorf("ingest: kind %q: use one of %s", o.Kind, kindList())
	case o.AbortAfterRejects < 0:
		return errors.New("ingest: AbortAfterRejects is negative")
	}
	if _, err := reader.ParseEncoding(o.Encoding); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if err := o.CSV.Validate(); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	switch {
	case len(o.CSV.Names) > 0 && !o.CSV.NoHeader:
		return errors.New("ingest: column names for positions (--columns) apply to files without a header: give --no-header too, or leave them out and let the header name the columns")
	case o.CSV.NoHeader && o.Mapping == nil && len(o.CSV.Names) == 0:
		return errors.New("ingest: a file without a header needs its columns named: give --columns with the canonical names in file order (e.g. uscc,name,status), or a --mapping that addresses them by position ($1, $2 …)")
	case o.CSV.NoHeader && o.Mapping != nil && len(o.CSV.Names) > 0:
		return errors.New("ingest: give --columns or --mapping for a file without a header, not both (a mapping addresses the columns by position: $1, $2 …)")
	}
	for _, n := range o.CSV.Names {
		if _, ok := reader.Position(n); ok {
			return fmt.Errorf("ingest: --columns %s: name the canonical field at this position (uscc, name …), not a position", n)
		}
	}
	if o.Mapping != nil {
		if err := CheckMapping(o.Mapping); err != nil {
			return err
		}
		if o.Mapping.Match != nil && o.Match == nil {
			return fmt.Errorf("ingest: the mapping %s asks for matching at ingest (match:), but the load has no matcher: give LoadOptions.Match with a Resolver", o.Mapping.Name)
		}
	}
	if o.Match != nil {
		if err := o.Match.withDefaults().Validate(); err != nil {
			return err
		}
	}
	return nil
}

func kindList() string {
	names := make([]string, len(FileKinds))
	for i, k := range FileKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// CheckMapping checks a mapping's kinds and fields against the canonical
// layout.
func CheckMapping(f *mapping.File) error {
	for i, t := range f.Tables {
		k := FileKind(t.Kind)
		if !k.Valid() {
			return fmt.Errorf("mapping %s, table %d: kind %q: use one of %s", f.Name, i+1, t.Kind, kindList())
		}
		cols := k.FieldNames()
		for _, field := range t.Targets() {
			if !slices.Contains(cols, field) {
				return fmt.Errorf("mapping %s, table %d (%s): field %q is not a column of %s (its columns are %s)",
					f.Name, i+1, t.Kind, field, k, strings.Join(cols, ", "))
			}
		}
		for _, c := range k.Columns() {
			_, named := t.Columns[c.Name+"_name"] // an enterprise reference given by name, for the matcher
			if _, ok := t.Columns[c.Name]; c.Required && !ok && !named && !(k == FileEnterprises && c.Name == "name") {
				return fmt.Errorf("mapping %s, table %d (%s): the required field %s is not mapped", f.Name, i+1, t.Kind, c.Name)
			}
		}
	}
	return nil
}

// Reject is a row that was not loaded, or a row loaded with a warning, and why.
type Reject struct {
	File   string `json:"file"`
	Line   int    `json:"line"`            // 1-based; the header is line 1
	Field  string `json:"field,omitempty"` // column, when one is at fault
	Value  string `json:"value,omitempty"` // the offending value (identity numbers masked)
	Reason string `json:"reason"`
	Fix    string `json:"fix,omitempty"` // what to change
	// Level is "warning" for a row that was loaded but deserves a look;
	// empty for a rejected row.
	Level string `json:"level,omitempty"`
	// Statement is the statementId of the BODS statement the row came
	// from (LoadBODS; Line is then the statement's position in the input).
	Statement string `json:"statement,omitempty"`
}

// LevelWarning marks warnings among rejects.
const LevelWarning = "warning"

// String renders the reject as one line:
// `enterprises.csv:3: uscc "9144…": character 18 is 'X', expected check character '6' (fix: …)`.
func (r Reject) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: ", r.File, r.Line)
	if r.Statement != "" {
		fmt.Fprintf(&b, "statement %s: ", r.Statement)
	}
	if r.Level != "" {
		b.WriteString(r.Level + ": ")
	}
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

// Progress reports a load's advance.
type Progress struct {
	File string   `json:"file"`
	Kind FileKind `json:"kind"`
	Rows int64    `json:"rows"` // rows read so far in this file
	// Load-wide counts so far.
	Read     int64 `json:"read"`
	Accepted int64 `json:"accepted"` // rows written (acknowledged by the store)
	Rejected int64 `json:"rejected"`
	Warnings int64 `json:"warnings"`
	// Bytes of input read so far and in all (0 when unknown: stdin).
	Bytes      int64 `json:"bytes"`
	TotalBytes int64 `json:"total_bytes"`
}

// BatchDone reports an acknowledged batch.
type BatchDone struct {
	File string   `json:"file"`
	Kind FileKind `json:"kind"`
	Rows int64    `json:"rows"` // rows in the batch
	// Line is the last line up to which every row of the file is written
	// (batches in flight may finish out of order).
	Line int `json:"line"`
	// Accepted is the load's total of written rows.
	Accepted int64 `json:"accepted"`
}

// Counts are row counts.
type Counts struct {
	Read     int64 `json:"read"`
	Accepted int64 `json:"accepted"`
	Rejected int64 `json:"rejected"`
	// Warnings counts rows loaded with a warning (duplicates, share sums).
	Warnings int64 `json:"warnings,omitempty"`
	// Duplicates counts rows whose key an earlier row of the same file
	// had; the last row wins.
	Duplicates int64 `json:"duplicates,omitempty"`
	// Skipped counts rows a resumed load did not write again.
	Skipped int64 `json:"skipped,omitempty"`
	// Matching at ingest (docs/ingest.md): Matched counts rows attached to
	// an enterprise the matcher found (or a reviewer chose), also counted
	// in Accepted; Queued rows went to the review queue and QueuedBefore
	// rows joined an entry an earlier load queued (neither is written
	// yet); MatchRejected counts the rows of Rejected refused because no
	// enterprise matched well enough or a reviewer rejected the candidates.
	Matched       int64 `json:"matched,omitempty"`
	Queued        int64 `json:"queued,omitempty"`
	QueuedBefore  int64 `json:"queued_before,omitempty"`
	MatchRejected int64 `json:"match_rejected,omitempty"`
}

func (c *Counts) add(o Counts) {
	c.Read += o.Read
	c.Accepted += o.Accepted
	c.Rejected += o.Rejected
	c.Warnings += o.Warnings
	c.Duplicates += o.Duplicates
	c.Skipped += o.Skipped
	c.Matched += o.Matched
	c.Queued += o.Queued
	c.QueuedBefore += o.QueuedBefore
	c.MatchRejected += o.MatchRejected
}

// FileSummary counts the rows of one file (one pass: a file read with two
// mapping tables has two).
type FileSummary struct {
	File     string   `json:"file"`
	Kind     FileKind `json:"kind"`
	Encoding string   `json:"encoding,omitempty"`
	Mapping  string   `json:"mapping,omitempty"`
	Counts
	// Error is set when the file was refused as a whole (an empty file, a
	// header without a required column) or could not be read to its end
	// (a truncated .gz); rows before the error stay loaded.
	Error string `json:"error,omitempty"`
}

// LoadSummary describes a finished (or failed) load.
type LoadSummary struct {
	Source string              `json:"source"`
	Files  []FileSummary       `json:"files"`
	ByKind map[FileKind]Counts `json:"by_kind"`
	Total  Counts              `json:"total"`
	// FileErrors counts files refused as a whole or cut short (see FileSummary.Error).
	FileErrors int `json:"file_errors"`
	// Rejects holds the first LoadOptions.MaxRejects rejects, Warnings the
	// first MaxRejects warnings.
	Rejects  []Reject `json:"rejects,omitempty"`
	Warnings []Reject `json:"warnings,omitempty"`
	// Reported counts the rejects passed to OnReject (the rows of the
	// rejects report at level rejected): one per refused row and one per
	// file refused as a whole. Total.Rejected also counts every row of a
	// refused file, which that file's one reject stands for, so the two
	// differ by RejectedInRefusedFiles.
	Reported int64 `json:"reported"`
	// RejectedInRefusedFiles counts rows counted as rejected because their
	// file was refused as a whole (its header); they have no report row of
	// their own.
	RejectedInRefusedFiles int64 `json:"rejected_in_refused_files,omitempty"`
	// UnknownPersons counts rows that referred to a person_id no persons
	// row of this load gave; those persons were keyed by the source key and
	// are placeholders until a persons row names them.
	UnknownPersons int64 `json:"unknown_persons"`
	// Unresolved counts references to entities this load does not hold
	// (placeholders, unless the store has them).
	Unresolved int64 `json:"unresolved"`
	Batches    int   `json:"batches"`
	DryRun     bool  `json:"dry_run,omitempty"`
	// Resumed is set when a checkpoint let the load skip rows written before.
	Resumed bool `json:"resumed,omitempty"`
	// Stopped says why the load stopped before the end, if it did.
	Stopped string `json:"stopped,omitempty"`
	// Generation is the store's data generation after the load (0 when the
	// store does not report one, or on a dry run).
	// Titles lists the free-text officer titles read (text that is not
	// itself a canonical title) and the canonical title each became, with
	// its number of rows: the store keeps only the canonical title, so this
	// is where the original text is shown. At most MaxTitles texts.
	Titles     []TitleText   `json:"titles,omitempty"`
	Generation uint64        `json:"generation,omitempty"`
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// TitleText is a free-text officer title and the canonical title it became.
type TitleText struct {
	Text  string `json:"text"`
	Title string `json:"title"`
	Rows  int64  `json:"rows"`
}

// MaxTitles bounds LoadSummary.Titles (rows with further texts are loaded
// all the same).
const MaxTitles = 200

// ErrTooManyRejects ends a load that rejected more rows than
// LoadOptions.AbortAfterRejects.
var ErrTooManyRejects = errors.New("too many rejected rows")

// Loader loads files into a store. It remembers the persons and
// enterprises it has read, so load entities before the files that refer to
// them (Load, LoadDir and LoadFiles order the files for you). A Loader is
// not safe for concurrent use.
//
// A load reads each input (plan.go: which files, in which order, with which
// mapping), maps its columns to the canonical ones (loadRows), validates
// every row (parser, references), gathers the valid rows into batches and
// writes them (batch.go). The Loader wires together the parts that keep
// state across files, each with one job:
type Loader struct {
	opts    LoadOptions
	log     zerolog.Logger
	started time.Time

	keys  *keyIndexes   // every key index of the load: fingerprints, memory budget, spill files
	match *loadMatching // matching at ingest (matchload.go); nil when off
	p     *parser       // validation: canonical values → models (and the person_id → pid map)
	refs  *references   // validation: the entities rows refer to, in the load or the store
	out   *batchWriter  // writing: batches to the store, InFlight at a time
	ckpt  *checkpoint   // how far each input was written; nil without LoadOptions.Checkpoint
	tally *tally        // counts, rejects and warnings, progress, the summary
}

// NewLoader returns a loader writing to w (which may be nil for a dry run).
func NewLoader(w Writer, opts LoadOptions) (*Loader, error) {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if w == nil && !opts.DryRun {
		return nil, errors.New("ingest: no store to write to")
	}
	today := models.NewDate(opts.Now().In(chinaTime).Date())
	log := opts.Logger.With().Str("source", opts.Source).Logger()
	keys := newKeyIndexes(opts.KeyBudget, opts.TempDir, log)
	l := &Loader{
		opts:    opts,
		log:     log,
		started: opts.Now(),
		keys:    keys,
		refs:    newReferences(keys, opts.References, opts.Reader, opts.KeyBudget),
		out:     newBatchWriter(w, opts.InFlight),
		tally:   newTally(opts, log),
	}
	l.p = newParser(opts.Source, today, opts.Hasher, keys.newIndex(personEntryWidth))
	if opts.Match != nil {
		l.p.matching = true
		l.match = &loadMatching{opts: *opts.Match, source: opts.Source, now: opts.Now, dry: opts.DryRun, created: map[string]bool{}}
	}
	if opts.Checkpoint != "" && !opts.DryRun {
		ck, err := openCheckpoint(opts.Checkpoint, opts.Source, l.log)
		if err != nil {
			return nil, err
		}
		l.ckpt = ck
	}
	return l, nil
}

// Summary returns the counts so far.
func (l *Loader) Summary() LoadSummary {
	s := l.tally.snapshot()
	s.UnknownPersons = l.p.unknownPersons
	s.Unresolved = l.refs.unresolved.Load()
	s.Elapsed = l.opts.Now().Sub(l.started)
	return s
}

// fileState is the progress through one file (one pass).
type fileState struct {
	idx     int // index in sum.Files
	name    string
	kind    FileKind
	ckKey   string // checkpoint key; "" when not checkpointed
	resume  int    // rows up to this line were written by an earlier run
	counts  Counts // owned by the reading goroutine, except Accepted
	batch   *store.Batch
	first   int // first line of the batch being filled
	last    int // last line in it
	pending int64
	label   func(string) string
	source  func(string) (string, string)

	accepted atomic.Int64
	inflight sync.WaitGroup
	ackMu    sync.Mutex // guards acks and ackLine, which writers advance
	acks     []*ack     // submitted batches not yet contiguously acknowledged
	ackLine  int
	dupDrain bool // the batch being filled repeats a key of a submitted one

	// held are the rows waiting for the matcher (matchload.go).
	held []heldRow

	dups   *keyindex.Index // key → line (uint32)
	shares *keyindex.Index // enterprise → sum of ratios, warned (shareholdings only)
	pairs  *keyindex.Index // (holder, enterprise) → ratio (shareholdings only)
}

type ack struct {
	last int
	rows int64
	done bool
}

func (l *Loader) beginFile(name string, kind FileKind) *fileState {
	return &fileState{idx: l.tally.beginFile(name, kind), name: name, kind: kind, batch: &store.Batch{},
		label:  func(s string) string { return s },
		source: func(string) (string, string) { return "", "" },
		dups:   l.keys.newIndex(4)}
}

// Close removes the spill files of the loader's key indexes. Load calls
// it; callers of NewLoader call it when done.
func (l *Loader) Close() { l.keys.closeAll() }

// endFile closes the file's key indexes and folds its counts into the summary.
func (l *Loader) endFile(fs *fileState, began time.Time) {
	for _, x := range []*keyindex.Index{fs.dups, fs.shares, fs.pairs} {
		l.keys.close(x)
	}
	l.tally.endFile(fs, l.opts.Now().Sub(began))
}

// LoadRows loads the rows of one input of the given kind; name is the file
// name used in rejects. Columns are matched by name (case-insensitive) in any
// order; unknown columns are ignored. A header that lacks a required column
// rejects the whole file (reported once, at line 1). Rows that fail
// validation are rejected and the load goes on; the error is non-nil only
// when writing the store fails, too many rows were rejected, or ctx ends.
func (l *Loader) LoadRows(ctx context.Context, kind FileKind, name string, rows Rows) error {
	if !kind.Valid() {
		return fmt.Errorf("ingest: unknown file kind %q", kind)
	}
	fs := l.beginFile(name, kind)
	began := l.opts.Now()
	err := l.loadRows(ctx, fs, rows, nil, nil)
	if werr := l.finishFile(ctx, fs); err == nil {
		err = werr
	}
	l.endFile(fs, began)
	return err
}

// describer is what a mapped source tells about its fields.
type describer interface {
	Label(field string) string
	Source(field string) (column, raw string)
	Identity() []string
}

// loadRows reads every row of rows into batches. It returns nil when the
// input ended (even early, with a file error recorded).
func (l *Loader) loadRows(ctx context.Context, fs *fileState, rows Rows, in *reader.Opened, mapped describer) error {
	var identity []string
	if mapped != nil {
		fs.label, fs.source, identity = mapped.Label, mapped.Source, mapped.Identity()
	}
	rows = withIdentity(rows, fs.kind, identity, l.opts.Hasher, l.p.today, fs.label)
	pos, headerReject := mapColumns(fs.kind, rows.Columns())
	if headerReject != nil {
		headerReject.File = fs.name
		if headerReject.Field != "" {
			headerReject.Field = fs.label(headerReject.Field)
		}
		l.tally.fileError(fs, *headerReject) // the rows are counted as rejected below
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
			if err := l.out.failed(); err != nil {
				return err
			}
			if err := l.keys.err(); err != nil {
				return err
			}
			l.tally.progress(fs, in, false)
			if l.ckpt != nil {
				l.ckpt.saveThrottled(l.log)
			}
		}
		row, err := rows.Next()
		if err == io.EOF {
			return nil
		}
		var re *RowError
		if errors.As(err, &re) {
			l.tally.readRow(fs)
			if re.Line <= fs.resume {
				fs.counts.Skipped++
				continue
			}
			reason := re.Err.Error()
			if re.Field == "" {
				reason = "the row cannot be read: " + reason
			}
			l.tally.reject(fs, Reject{File: fs.name, Line: re.Line, Field: re.Field, Value: re.Value, Reason: reason, Fix: re.Fix})
			if err := l.checkAbort(); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The input broke off (a truncated .gz, a read error): what was
			// read stays; the file is reported and the load goes on.
			l.tally.fileError(fs, Reject{File: fs.name, Line: l.lastLine(fs), Reason: "reading stopped: " + err.Error(),
				Fix: "the rows before this point were loaded; get a complete copy of the file and load it again (loading is idempotent)"})
			return nil
		}
		l.tally.readRow(fs)
		if headerReject != nil {
			l.tally.countRejected(fs)
			continue
		}
		skip := row.Line <= fs.resume
		if len(row.Values) != len(rows.Columns()) {
			if skip {
				fs.counts.Skipped++
				continue
			}
			l.tally.reject(fs, Reject{File: fs.name, Line: row.Line,
				Reason: fmt.Sprintf("has %d fields, the header has %d", len(row.Values), len(rows.Columns())),
				Fix:    `give one value per column; enclose values that contain the delimiter in double quotes`})
			if err := l.checkAbort(); err != nil {
				return err
			}
			continue
		}
		ferr := canonicalValues(fs.kind, vals, pos, row.Values)
		held := false
		if ferr == nil {
			held, ferr = l.add(fs, vals, row.Line, skip)
		}
		if skip {
			fs.counts.Skipped++
			continue
		}
		if ferr == nil && fs.kind == FileOfficers {
			l.tally.noteTitle(fs, vals)
		}
		if ferr != nil {
			r := Reject{File: fs.name, Line: row.Line, Field: ferr.Field, Value: ferr.Value, Reason: ferr.Reason, Fix: ferr.Fix}
			if r.Value == "" && r.Field != "" {
				r.Value = valueOf(fs.kind, vals, r.Field)
			}
			if col, raw := fs.source(r.Field); col != "" {
				r.Value = raw
			}
			if r.Field != "" {
				r.Field = fs.label(r.Field)
			}
			l.tally.reject(fs, r)
			if err := l.checkAbort(); err != nil {
				return err
			}
			continue
		}
		if !held {
			fs.pending++
		}
		// A held row belongs to the batch being filled until its chunk is
		// resolved (before the batch is flushed), so the checkpoint never
		// passes it unwritten.
		if fs.first == 0 {
			fs.first = row.Line
		}
		fs.last = row.Line
		if len(fs.held) >= matchChunk {
			if err := l.resolveHeld(ctx, fs); err != nil {
				return err
			}
		}
		if fs.batch.Len() >= l.opts.BatchSize {
			if err := l.flush(ctx, fs); err != nil {
				return err
			}
		}
	}
}

func (l *Loader) lastLine(fs *fileState) int {
	if fs.last > 0 {
		return fs.last
	}
	return 1
}

// checkAbort ends the load when too many rows were rejected.
func (l *Loader) checkAbort() error {
	if n := l.opts.AbortAfterRejects; n > 0 && l.tally.rejected.Load() > n {
		return fmt.Errorf("%w: more than %d rows rejected; this looks like the wrong file, kind, mapping or encoding (the rows accepted before stay loaded)", ErrTooManyRejects, n)
	}
	return nil
}
