package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/ingest"
	"riskgraph/ingest/keyindex"
	"riskgraph/ingest/mapping"
	"riskgraph/ingest/progress"
	"riskgraph/ingest/reader"
	"riskgraph/store"
)

// ingestFlags are the options of riskgraph ingest.
type ingestFlags struct {
	source       string
	batchSize    int
	inFlight     int
	mapping      string
	kind         string
	format       string
	encoding     string
	delimiter    string
	quote        string
	noHeader     bool
	columns      []string
	maxRowBytes  int
	rejects      string
	maxRejects   int64
	references   string
	dryRun       bool
	checkpoint   string
	noCheckpoint bool
	progress     string
	keyBudget    int
	tempDir      string
	// Matching at ingest: --match, --match-accept, --match-review.
	match       bool
	matchAccept float64
	matchReview float64
	// Bulk load into Neo4j (bulk.go): --bulk-neo4j DIR, --bulk-import, --bulk-replace.
	bulkDir     string
	bulkImport  string
	bulkReplace bool
	// changed reports whether a flag was given (thresholds given win over
	// the mapping's).
	changed func(name string) bool
}

func (a *app) ingestCommand() *cobra.Command {
	var f ingestFlags
	cmd := &cobra.Command{
		Use:   "ingest PATH...",
		Short: "Load CSV or NDJSON files (files, directories, globs, .gz, - for stdin) into the store",
		Long: "Load registration and credit data into the configured store.\n\n" +
			"PATH is a file, a directory (its *.csv, *.tsv, *.ndjson, *.jsonl files, optionally .gz), a glob\n" +
			"pattern, or - for standard input. A file's kind follows from --kind, the mapping's file patterns,\n" +
			"its name (enterprises.csv …) or its header; files load in dependency order (entities first).\n" +
			"The encoding (UTF-8 or GB18030/GBK) and the CSV delimiter are detected unless given.\n\n" +
			"Refused rows go to the rejects report with file, line, field, value, reason and what to change;\n" +
			"accepted rows stay. An interrupted load continues from its checkpoint when run again.\n" +
			"See docs/ingest.md.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			f.changed = func(name string) bool { return cmd.Flags().Changed(name) }
			if strings.EqualFold(f.format, "bods") {
				if f.bulkDir != "" {
					return usageError(errors.New("--bulk-neo4j reads CSV and NDJSON files; load BODS statements without it"))
				}
				return a.runIngestBODS(ctx, cmd, args, &f)
			}
			return a.runIngest(ctx, cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.source, "source", "default", "name of the data set; keys of entities without a USCC and of persons without an identity number are namespaced by it")
	fl.IntVar(&f.batchSize, "batch-size", ingest.DefaultBatchSize, "rows per store batch (one transaction / one journal record)")
	fl.IntVar(&f.inFlight, "in-flight", ingest.DefaultInFlight, "batches written concurrently (1-64)")
	fl.StringVar(&f.mapping, "mapping", "", "column mapping file (YAML or JSON) for a foreign layout; see mappings/ and docs/ingest.md")
	fl.StringVar(&f.kind, "kind", "", "kind of every input: enterprises, persons, shareholdings, legal_reps, officers, branches, records, relations, controls (default: from name or header)")
	fl.StringVar(&f.format, "format", "", "csv, ndjson, or bods: Beneficial Ownership Data Standard 0.4 statements (a JSON array or one a line; docs/beneficial-owners.md) (default: csv or ndjson from the file name; stdin is csv)")
	fl.StringVar(&f.encoding, "encoding", "auto", "input encoding: auto, utf-8, gb18030, gbk, utf-16le, utf-16be")
	fl.StringVar(&f.delimiter, "delimiter", "", `CSV delimiter: ",", ";", "|", "tab" (default: detected from the header)`)
	fl.StringVar(&f.quote, "quote", "", `CSV quote character: '"', "'" or "none" (default: detected)`)
	fl.BoolVar(&f.noHeader, "no-header", false, "the files have no header line: name the columns with --columns, or use a --mapping that addresses them by position ($1, $2 …)")
	fl.StringSliceVar(&f.columns, "columns", nil, "with --no-header: the canonical column names in file order, e.g. uscc,name,status")
	fl.IntVar(&f.maxRowBytes, "max-row-bytes", reader.DefaultMaxRowBytes, "longest row accepted, in bytes; longer rows are refused and reading goes on")
	fl.StringVar(&f.rejects, "rejects", "", "rejects report file, .csv or .ndjson (default: <data-dir>/rejects/<source>-<time>.csv, created when a row is refused)")
	fl.Int64Var(&f.maxRejects, "max-rejects", 0, "stop the load once more than N rows are rejected (0: never); rows accepted before stay")
	fl.StringVar(&f.references, "references", "placeholder", "rows naming entities in neither the load nor the store: placeholder (create placeholder nodes) or reject")
	fl.BoolVar(&f.dryRun, "dry-run", false, "read and validate everything, write nothing")
	fl.StringVar(&f.checkpoint, "checkpoint", "", "checkpoint file (default: <data-dir>/checkpoints/<source>-<inputs hash>.json)")
	fl.BoolVar(&f.noCheckpoint, "no-checkpoint", false, "do not record or use a checkpoint")
	fl.IntVar(&f.keyBudget, "key-budget", keyindex.DefaultBudget, "keys each of the load's key indexes (duplicates, entities, person_ids, share sums) holds in memory before spilling to --temp-dir; memory stays flat past it")
	fl.StringVar(&f.tempDir, "temp-dir", "", "directory for the key indexes' spill files (default: $TMPDIR or /tmp); removed when the load ends")
	fl.StringVar(&f.progress, "progress", "auto", "progress display: auto (a bar on a terminal, log lines otherwise), bar, log, none")
	fl.BoolVar(&f.match, "match", false, "resolve enterprise references that are not keys (names, <field>_name columns, registration numbers, organisation codes) against the stored enterprises; see docs/ingest.md")
	fl.Float64Var(&f.matchAccept, "match-accept", ingest.DefaultMatchAccept, "with matching: attach a row to the best candidate from this score (implies --match; wins over the mapping's match.accept)")
	fl.Float64Var(&f.matchReview, "match-review", ingest.DefaultMatchReview, "with matching: queue a row for review from this score, reject it below (implies --match; wins over the mapping's match.review)")
	fl.StringVar(&f.bulkDir, "bulk-neo4j", "", "initial load of Neo4j: write the files of neo4j-admin database import full into DIR, import them (replacing the database) and create the schema; see docs/ingest.md")
	fl.StringVar(&f.bulkImport, "bulk-import", envOr("RISKGRAPH_NEO4J_IMPORT", "scripts/neo4j-import.sh"), "with --bulk-neo4j: the program run with DIR to stop Neo4j, import DIR/import.args and start it; none: only write the files [RISKGRAPH_NEO4J_IMPORT]")
	fl.BoolVar(&f.bulkReplace, "bulk-replace", false, "with --bulk-neo4j: replace a database that already holds data")
	return cmd
}

// loadOptions turns the flags into load options.
func (a *app) loadOptions(f *ingestFlags, inputs []reader.Input) (ingest.LoadOptions, error) {
	hasher, err := pidHasher(&a.cfg, a.log)
	if err != nil {
		return ingest.LoadOptions{}, err
	}
	opts := ingest.LoadOptions{
		Hasher: hasher, Source: f.source, BatchSize: f.batchSize, InFlight: f.inFlight,
		Encoding: f.encoding, Kind: ingest.FileKind(strings.ToLower(f.kind)), References: ingest.References(f.references),
		AbortAfterRejects: f.maxRejects, DryRun: f.dryRun, Logger: a.log,
		CSV: reader.CSVOptions{MaxRowBytes: f.maxRowBytes, NoHeader: f.noHeader, Names: f.columns}, KeyBudget: f.keyBudget, TempDir: f.tempDir,
	}
	if f.keyBudget < 1 {
		return opts, usageError(fmt.Errorf("--key-budget %d: give at least 1 (the default is %d keys)", f.keyBudget, keyindex.DefaultBudget))
	}
	if f.format != "" {
		if opts.Format, err = reader.ParseFormat(f.format); err != nil {
			return opts, usageError(err)
		}
	}
	if opts.CSV.Comma, err = reader.ParseDelimiter(f.delimiter); err != nil {
		return opts, usageError(fmt.Errorf("--%w", err))
	}
	if opts.CSV.Quote, err = reader.ParseQuote(f.quote); err != nil {
		return opts, usageError(fmt.Errorf("--%w", err))
	}
	if f.mapping != "" {
		m, err := mapping.Load(f.mapping)
		if err != nil {
			return opts, usageError(err)
		}
		opts.Mapping = m
	}
	if err := checkMatchFlags(f); err != nil {
		return opts, err
	}
	if m := matchOptions(f, opts.Mapping); m != nil {
		opts.Match = m
	}
	if !f.noCheckpoint && !f.dryRun && !slices.ContainsFunc(inputs, reader.Input.IsStdin) {
		opts.Checkpoint = f.checkpoint
		if opts.Checkpoint == "" {
			opts.Checkpoint = filepath.Join(a.cfg.DataDir, "checkpoints", f.source+"-"+inputsHash(inputs)+".json")
		}
	}
	if err := opts.Validate(); err != nil {
		return opts, usageError(err)
	}
	return opts, nil
}

// matchOptions turns --match, --match-accept, --match-review and the
// mapping's match: block into the load's matching options (nil: off). A
// threshold flag given wins over the mapping's; each threshold carries its
// origin for error messages. The resolver is set once the store is open.
func matchOptions(f *ingestFlags, m *mapping.File) *ingest.MatchOptions {
	changed := func(name string) bool { return f.changed != nil && f.changed(name) }
	if !f.match && !changed("match-accept") && !changed("match-review") && (m == nil || m.Match == nil) {
		return nil
	}
	o := &ingest.MatchOptions{Resolver: &lateResolver{}}
	if m != nil && m.Match != nil {
		if v := m.Match.Accept; v != nil {
			o.Accept, o.AcceptFrom = *v, "match.accept of the mapping "+m.Name
		}
		if v := m.Match.Review; v != nil {
			o.Review, o.ReviewFrom = *v, "match.review of the mapping "+m.Name
		}
	}
	if changed("match-accept") {
		o.Accept, o.AcceptFrom = f.matchAccept, "--match-accept"
	}
	if changed("match-review") {
		o.Review, o.ReviewFrom = f.matchReview, "--match-review"
	}
	return o
}

// checkMatchFlags refuses a threshold flag out of range (0 included, which
// the loader would take for "the default").
func checkMatchFlags(f *ingestFlags) error {
	for _, fl := range []struct {
		name string
		v    float64
	}{{"match-accept", f.matchAccept}, {"match-review", f.matchReview}} {
		if f.changed != nil && f.changed(fl.name) && !(fl.v > 0 && fl.v <= 1) {
			return usageError(fmt.Errorf("--%s %v: give a score above 0 and at most 1", fl.name, fl.v))
		}
	}
	return nil
}

// lateResolver is the load's resolver before the store is open: the load
// options are validated first, then runIngest sets the real one.
type lateResolver struct{ ingest.Resolver }

// inputsHash names the checkpoint of a set of inputs.
func inputsHash(inputs []reader.Input) string {
	paths := make([]string, len(inputs))
	for i, in := range inputs {
		p, err := filepath.Abs(in.Path)
		if err != nil {
			p = in.Path
		}
		paths[i] = p
	}
	sort.Strings(paths)
	sum := sha256.Sum256([]byte(strings.Join(paths, "\x00")))
	return hex.EncodeToString(sum[:6])
}

func (a *app) runIngest(ctx context.Context, cmd *cobra.Command, args []string, f *ingestFlags) error {
	inputs, err := reader.Expand(args)
	if err != nil {
		return usageError(fmt.Errorf("ingest: %w", err))
	}
	opts, err := a.loadOptions(f, inputs)
	if err != nil {
		return err
	}
	opts.Stdin = cmd.InOrStdin()
	var late *lateResolver
	if opts.Match != nil {
		late, _ = opts.Match.Resolver.(*lateResolver)
	}
	var w ingest.Writer
	var bulk *bulkLoad
	if f.bulkDir != "" {
		if bulk, err = a.startBulk(ctx, f, opts); err != nil {
			return err
		}
		defer bulk.close()
		w, opts.Checkpoint = bulk.w, ""
	} else if !f.dryRun {
		t, err := a.ingestTarget(ctx)
		if err != nil {
			return err
		}
		defer t.close()
		w, opts.Reader = t.w, t.reader
		if late != nil {
			if t.ls != nil {
				// The server holds the store: its matcher answers, and the
				// queue entries go to it; decisions made before this load
				// are read from the replay.
				late.Resolver = &serverResolver{ls: t.ls, decided: t.replay}
			} else {
				late.Resolver = ingest.StoreResolver(t.st, a.log)
			}
		}
	} else if late != nil {
		// A dry run matches against the store as it is, read only.
		r, err := openReadOnly(ctx, &a.cfg, a.log)
		if err != nil {
			return err
		}
		defer r.Close()
		late.Resolver = ingest.StoreResolver(r, a.log)
	}

	rejectsPath := f.rejects
	if rejectsPath == "" {
		rejectsPath = filepath.Join(a.cfg.DataDir, "rejects", f.source+"-"+time.Now().Format("20060102-150405")+".csv")
	}
	rep := &lazyReport{path: rejectsPath}
	defer rep.close()
	opts.OnReject = rep.write

	term := isTerminal(os.Stderr)
	mode := f.progress
	if mode == "auto" {
		mode = "log"
		if term {
			mode = "bar"
		}
	}
	var bar *progress.Reporter
	switch mode {
	case "bar":
		bar = progress.New(os.Stderr, true, a.log, 0)
	case "log":
		bar = progress.New(os.Stderr, false, a.log, 10*time.Second)
	case "none":
	default:
		return usageError(fmt.Errorf("--progress %q: use auto, bar, log or none", f.progress))
	}
	if bar != nil {
		opts.OnProgress = func(p ingest.Progress) {
			bar.Update(progress.Snapshot{File: p.File, Read: p.Read, Accepted: p.Accepted, Rejected: p.Rejected,
				Warnings: p.Warnings, Bytes: p.Bytes, TotalBytes: p.TotalBytes})
		}
	}
	opts.OnBatch = func(b ingest.BatchDone) {
		a.log.Info().Str("file", filepath.Base(b.File)).Str("kind", string(b.Kind)).Int("rows", max(b.Line-1, 0)).
			Int64("accepted", b.Accepted).Msg("batch written")
	}
	sum, err := ingest.Load(ctx, inputs, w, opts)
	if bar != nil {
		bar.Done()
	}
	if cerr := rep.close(); cerr != nil && err == nil {
		err = cerr
	}
	printSummary(cmd.OutOrStdout(), sum)
	if rep.n > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "rejects report: %s (%d rejects, %d warnings)\n", rep.path, rep.n-rep.warnings, rep.warnings)
	}
	if err == nil && bulk != nil {
		err = a.finishBulk(ctx, cmd, bulk, sum)
	}
	if err != nil {
		if errors.Is(err, ingest.ErrTooManyRejects) {
			return &exitError{code: 1, msg: fmt.Sprintf("stopped: %v; see %s", err, rep.path)}
		}
		if opts.Checkpoint != "" {
			return fmt.Errorf("%w\nthe load stopped; run the same command again to continue from the checkpoint %s", err, opts.Checkpoint)
		}
		return err
	}
	if sum.Total.Rejected > 0 || sum.FileErrors > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d rows rejected and %d files refused or cut short (see the report); the %d accepted rows are loaded",
			sum.Total.Rejected, sum.FileErrors, sum.Total.Accepted)}
	}
	return nil
}

// lazyReport creates the rejects report on the first reject.
type lazyReport struct {
	path string
	f    *os.File
	w    *ingest.ReportWriter
	err  error
	n    int64 // rows written: rejects and warnings
	// warnings counts the rows at level warning.
	warnings int64
}

func (r *lazyReport) write(rej ingest.Reject) {
	if r.err != nil {
		return
	}
	if r.w == nil {
		if err := os.MkdirAll(filepath.Dir(r.path), 0o700); err != nil {
			r.err = err
			return
		}
		f, err := os.Create(r.path)
		if err != nil {
			r.err = err
			return
		}
		r.f = f
		if r.w, r.err = ingest.NewReportWriter(f, ingest.ReportFormat(r.path)); r.err != nil {
			return
		}
	}
	r.w.Write(rej)
	r.n++
	if rej.Level == ingest.LevelWarning {
		r.warnings++
	}
}

func (r *lazyReport) close() error {
	if r.f == nil {
		return r.err
	}
	err := r.w.Flush()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	r.f = nil
	if err == nil {
		err = r.err
	}
	if err != nil {
		return fmt.Errorf("rejects report %s: %w", r.path, err)
	}
	return nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// load runs a load of paths with default options (for demo), logging every
// acknowledged batch.
func (a *app) load(ctx context.Context, w ingest.Writer, paths []string, source string, batchSize int) (ingest.LoadSummary, error) {
	hasher, err := pidHasher(&a.cfg, a.log)
	if err != nil {
		return ingest.LoadSummary{}, err
	}
	inputs, err := reader.Expand(paths)
	if err != nil {
		return ingest.LoadSummary{}, usageError(fmt.Errorf("ingest: %w", err))
	}
	opts := ingest.LoadOptions{Hasher: hasher, Source: source, BatchSize: batchSize, Logger: a.log,
		OnBatch: func(b ingest.BatchDone) {
			a.log.Info().Str("file", filepath.Base(b.File)).Int("rows", max(b.Line-1, 0)).Int64("accepted", b.Accepted).Msg("batch written")
		}}
	return ingest.Load(ctx, inputs, w, opts)
}

// printSummary writes the per-kind table and the first rejects.
func printSummary(w io.Writer, s ingest.LoadSummary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tread\taccepted\trejected\twarnings\tduplicates\tskipped\t")
	for _, k := range ingest.FileKinds {
		c, ok := s.ByKind[k]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", k, c.Read, c.Accepted, c.Rejected, c.Warnings, c.Duplicates, c.Skipped)
	}
	t := s.Total
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t%d\t%d\t\n", t.Read, t.Accepted, t.Rejected, t.Warnings, t.Duplicates, t.Skipped)
	tw.Flush()
	for _, f := range s.Files {
		if f.Error != "" {
			fmt.Fprintf(w, "file %s: %s\n", f.File, f.Error)
		}
	}
	for _, r := range s.Rejects {
		fmt.Fprintln(w, "rejected:", r.String())
	}
	if s.Reported > int64(len(s.Rejects)) {
		fmt.Fprintf(w, "… and %d more rejects in the report, not listed here\n", s.Reported-int64(len(s.Rejects)))
	}
	if s.RejectedInRefusedFiles > 0 {
		fmt.Fprintf(w, "%d rejected rows belong to files refused as a whole; each such file is one reject above\n", s.RejectedInRefusedFiles)
	}
	for _, r := range s.Warnings {
		fmt.Fprintln(w, "warning:", r.String())
	}
	for _, t := range s.Titles {
		fmt.Fprintf(w, "title: %s → %s (%d rows)\n", t.Text, t.Title, t.Rows)
	}
	if t := s.Total; t.Matched+t.Queued+t.QueuedBefore+t.MatchRejected > 0 {
		for _, k := range ingest.FileKinds {
			if c := s.ByKind[k]; c.Matched+c.Queued+c.QueuedBefore+c.MatchRejected > 0 {
				fmt.Fprintf(w, "matching %s: %d matched, %d queued for review, %d already queued, %d rejected\n", k, c.Matched, c.Queued, c.QueuedBefore, c.MatchRejected)
			}
		}
		fmt.Fprintf(w, "matching: %d rows matched, %d queued for review (%d of them already queued by an earlier load), %d rejected (no good match, or rejected by a reviewer)\n",
			t.Matched, t.Queued+t.QueuedBefore, t.QueuedBefore, t.MatchRejected)
		if t.Queued+t.QueuedBefore > 0 && !s.DryRun {
			fmt.Fprintln(w, "queued rows are not loaded yet: decide them with GET and POST /api/v1/match/review (inspector); an accepted entry's rows are written then, and a later load of the same rows applies the decision")
		}
	}
	var notes []string
	if s.DryRun {
		notes = append(notes, "dry run: nothing was written")
	}
	if s.Resumed {
		notes = append(notes, "resumed from a checkpoint")
	}
	if s.Unresolved > 0 {
		notes = append(notes, fmt.Sprintf("%d references to entities not in this load (placeholders unless the store has them)", s.Unresolved))
	}
	if s.Generation > 0 {
		notes = append(notes, fmt.Sprintf("data generation %d", s.Generation))
	}
	if s.Elapsed > 0 {
		notes = append(notes, fmt.Sprintf("%d rows in %s (%s rows/s)", s.Total.Read, s.Elapsed.Round(time.Millisecond), rowsPerSecond(s.Total.Read, s.Elapsed)))
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, strings.Join(notes, "; "))
	}
}

// rowsPerSecond formats a throughput: whole rows per second, or one decimal
// below 10.
func rowsPerSecond(rows int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	r := float64(rows) / d.Seconds()
	if r < 10 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

// ingestTarget is where a load writes: the data dir's store, or, when
// serve holds the data dir, the server (each batch forwarded over its
// socket) with a read-only replay of the journal as it is now for the
// references the load looks up.
type ingestTarget struct {
	w      ingest.Writer
	reader store.Reader
	st     store.Store  // the store, when this process holds it
	ls     *localServer // the server, when it holds the data dir
	replay store.Store  // the read-only replay, when forwarding
	close  func()
}

func (a *app) ingestTarget(ctx context.Context) (*ingestTarget, error) {
	s, err := openStore(ctx, &a.cfg, a.log)
	switch locked := asLocked(err); {
	case locked != nil:
		ls := a.serverFor(ctx, locked.Holder())
		if ls == nil {
			return nil, lockedError("ingest", locked)
		}
		r, err := openReadOnly(ctx, &a.cfg, a.log)
		if err != nil {
			return nil, err
		}
		return &ingestTarget{w: &batchForwarder{ls: ls}, reader: r, ls: ls, replay: r, close: func() { r.Close() }}, nil
	case err != nil:
		return nil, err
	}
	return &ingestTarget{w: s, reader: s, st: s, close: func() { s.Close() }}, nil
}
