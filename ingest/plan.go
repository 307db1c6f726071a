package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"riskgraph/ingest/mapping"
	"riskgraph/ingest/reader"
)

// pass is one reading of an input as one kind: a canonical file, or a file
// read through one mapping table (a registration export is read three
// times: enterprises, persons, legal representatives).
type pass struct {
	in     reader.Input
	kind   FileKind
	table  *mapping.Table // nil: canonical columns
	tidx   int
	opened *reader.Opened // kept open from planning (standard input)
	err    *Reject        // the input cannot be read or its kind not told
}

// canonicalKind returns the kind of a canonical file name
// (enterprises.csv, records.ndjson; .gz already removed).
func canonicalKind(name string) (FileKind, bool) {
	base := strings.ToLower(name)
	for _, ext := range []string{".csv", ".tsv", ".txt", ".ndjson", ".jsonl"} {
		if k, ok := strings.CutSuffix(base, ext); ok && FileKind(k).Valid() {
			return FileKind(k), true
		}
	}
	return "", false
}

// plan works out the passes over the inputs, in dependency order: every
// entity kind before the relationships and records that name entities.
// Inputs whose kind follows from neither the options, the mapping's file
// patterns nor the file name are opened and told by their header.
func (l *Loader) plan(inputs []reader.Input) []pass {
	var out []pass
	m := l.opts.Mapping
	for _, in := range inputs {
		var ps []pass
		switch {
		case l.opts.Kind != "" && m == nil:
			ps = []pass{{in: in, kind: l.opts.Kind}}
		case m != nil && l.opts.Kind == "":
			for i, t := range m.Tables {
				if t.MatchesFile(in.Name) {
					ps = append(ps, pass{in: in, kind: FileKind(t.Kind), table: t, tidx: i})
				}
			}
		}
		if ps == nil && l.opts.Kind == "" {
			if k, ok := canonicalKind(in.Name); ok {
				ps = []pass{{in: in, kind: k}}
			}
		}
		if ps == nil {
			ps = l.byHeader(in)
		}
		out = append(out, ps...)
	}
	slices.SortStableFunc(out, func(a, b pass) int { return a.kind.order() - b.kind.order() })
	return out
}

// byHeader opens an input and matches its header against the mapping's
// tables (all that fit) and the canonical kinds (the best fit).
func (l *Loader) byHeader(in reader.Input) []pass {
	if ps, ok := l.headerless(in); ok {
		return ps
	}
	o, err := l.open(in, nil)
	if err != nil {
		return []pass{{in: in, err: openReject(in, err)}}
	}
	keep := func(p pass) pass {
		if in.IsStdin() {
			p.opened = o
		}
		return p
	}
	defer func() {
		if !in.IsStdin() {
			o.Close()
		}
	}()
	header := o.Columns()
	if len(header) == 0 {
		kind := l.opts.Kind
		if kind == "" {
			kind = FileEnterprises
		}
		return []pass{keep(pass{in: in, kind: kind, err: &Reject{File: in.Display(), Line: 1, Reason: "the file is empty",
			Fix: "give a header line and rows; check that the right file was exported"}})}
	}
	var ps []pass
	if m := l.opts.Mapping; m != nil {
		for i, t := range m.Tables {
			if l.noHeader(t) {
				continue // chosen by files:, --kind or as the only table (headerless)
			}
			if h := l.headerFor(in, t, header); (l.opts.Kind == "" || FileKind(t.Kind) == l.opts.Kind) && h != nil && len(t.Missing(h)) == 0 {
				ps = append(ps, keep(pass{in: in, kind: FileKind(t.Kind), table: t, tidx: i}))
			}
		}
		if len(ps) > 0 {
			if in.IsStdin() && len(ps) > 1 {
				return []pass{{in: in, kind: ps[0].kind, err: &Reject{File: in.Display(), Line: 1,
					Reason: "standard input matches several tables of the mapping and can be read only once",
					Fix:    "save the data to a file and load the file, or give --kind"}}}
			}
			return ps
		}
		if l.opts.Kind != "" {
			// The forced kind's table does not fit: report what it lacks.
			for _, t := range m.Tables {
				if FileKind(t.Kind) == l.opts.Kind {
					return []pass{keep(pass{in: in, kind: l.opts.Kind, table: t})}
				}
			}
			return []pass{keep(pass{in: in, kind: l.opts.Kind})}
		}
	}
	best, bestN := FileKind(""), 0
	have := map[string]bool{}
	for _, h := range header {
		have[strings.ToLower(strings.TrimFunc(h, isTrimmed))] = true
	}
	for _, k := range FileKinds {
		n, ok := 0, true
		for _, c := range k.Columns() {
			switch {
			case have[c.Name]:
				n++
			case have[c.Name+"_name"] && isRefField(k, c.Name):
				n++ // the enterprise named for the matcher
			case c.Required:
				ok = false
			}
		}
		if k == FileEnterprises && !have["uscc"] && !have["id"] {
			ok = false
		}
		if ok && n > bestN {
			best, bestN = k, n
		}
	}
	if best != "" {
		return []pass{keep(pass{in: in, kind: best})}
	}
	hint := "name the file after its kind (enterprises.csv, persons.csv, … see docs/data-format.md), give --kind, or give a --mapping for this layout (docs/ingest.md)"
	if l.opts.Mapping != nil {
		hint = "the mapping " + l.opts.Mapping.Name + " has no table whose columns this header holds; " + hint
	}
	return []pass{{in: in, kind: FileEnterprises, err: &Reject{File: in.Display(), Line: 1,
		Reason: "the header matches no kind of file: " + strings.Join(header, ", "), Fix: hint}}}
}

func openReject(in reader.Input, err error) *Reject {
	var re *RowError
	if errors.As(err, &re) {
		return &Reject{File: in.Display(), Line: re.Line, Reason: "the header cannot be read: " + re.Err.Error(), Fix: re.Fix}
	}
	return &Reject{File: in.Display(), Line: 1, Reason: "cannot be read: " + err.Error(), Fix: "check the path and the file's permissions"}
}

// open opens an input with the load's reader options.
func (l *Loader) open(in reader.Input, columns []string) (*reader.Opened, error) {
	return l.openWith(in, columns, nil)
}

// openWith opens an input with the reader options of table t (the load's
// when t is nil or sets none).
func (l *Loader) openWith(in reader.Input, columns []string, t *mapping.Table) (*reader.Opened, error) {
	return reader.OpenRows(in, l.opts.Stdin, reader.Options{Encoding: l.opts.Encoding, Format: l.opts.Format, CSV: l.csvFor(t), Columns: columns})
}

// csvFor returns the CSV options for the files of table t: the table's
// delimiter, quote and header setting win over the load's (they describe
// that export); the load's apply to everything else.
func (l *Loader) csvFor(t *mapping.Table) reader.CSVOptions {
	if t == nil {
		return l.opts.CSV
	}
	o := t.CSV(l.opts.CSV)
	if !t.HasHeader() || l.opts.CSV.NoHeader {
		o.Names = nil // a mapping addresses headerless columns by position
	}
	return o
}

// noHeader reports whether the files of table t (canonical files when nil)
// are read without a header line.
func (l *Loader) noHeader(t *mapping.Table) bool {
	return l.opts.CSV.NoHeader || (t != nil && !t.HasHeader())
}

// headerFor returns the header of in as table t reads it: header (read
// with the load's options) unless the table sets its own delimiter or
// quote, when the file is opened again with them (nil when it cannot be;
// standard input is read with the load's options only).
func (l *Loader) headerFor(in reader.Input, t *mapping.Table, header []string) []string {
	if !t.OwnReader() || in.IsStdin() {
		return header
	}
	o, err := l.openWith(in, nil, t)
	if err != nil {
		return nil
	}
	defer o.Close()
	return o.Columns()
}

// headerless chooses the passes of an input read without a header, which
// cannot be told by its header: the mapping's headerless tables of the
// --kind, or the mapping's only table. ok is false when the input is to be
// told by its header as usual.
func (l *Loader) headerless(in reader.Input) (ps []pass, ok bool) {
	m := l.opts.Mapping
	if m == nil {
		return nil, false // canonical: --columns names the positions
	}
	for i, t := range m.Tables {
		if !l.noHeader(t) {
			continue
		}
		if (l.opts.Kind != "" && FileKind(t.Kind) == l.opts.Kind) || (l.opts.Kind == "" && len(m.Tables) == 1) {
			ps = append(ps, pass{in: in, kind: FileKind(t.Kind), table: t, tidx: i})
		}
	}
	if len(ps) > 0 {
		if in.IsStdin() && len(ps) > 1 {
			return []pass{{in: in, kind: ps[0].kind, err: &Reject{File: in.Display(), Line: 1,
				Reason: "standard input matches several tables of the mapping and can be read only once",
				Fix:    "save the data to a file and load the file"}}}, true
		}
		return ps, true
	}
	if l.opts.CSV.NoHeader {
		return []pass{{in: in, kind: FileEnterprises, err: &Reject{File: in.Display(), Line: 1,
			Reason: "the file has no header, so its kind cannot be told by its columns",
			Fix:    "give --kind, add a files: pattern matching this file to the mapping's table, or name the file after its kind (enterprises.csv …)"}}}, true
	}
	return nil, false
}

// Load loads inputs (see reader.Expand) in dependency order and returns
// the summary. Rows that fail validation, files refused as a whole and
// files cut short are reported in the summary and do not stop the load;
// the error is non-nil when the store fails, too many rows are rejected
// (AbortAfterRejects), or ctx ends. With a checkpoint, a load of the same
// inputs that was interrupted continues where its writes stopped.
func Load(ctx context.Context, inputs []reader.Input, w Writer, opts LoadOptions) (LoadSummary, error) {
	l, err := NewLoader(w, opts)
	if err != nil {
		return LoadSummary{Source: opts.Source}, err
	}
	defer l.Close()
	return l.Load(ctx, inputs)
}

// Load runs the passes over inputs with this loader.
func (l *Loader) Load(ctx context.Context, inputs []reader.Input) (LoadSummary, error) {
	passes := l.plan(inputs)
	for _, p := range passes {
		if !p.in.IsStdin() && p.err == nil {
			l.tally.bytesTotal += p.in.Size
		}
	}
	var runErr error
	for _, p := range passes {
		if runErr = l.runPass(ctx, p); runErr != nil {
			break
		}
	}
	// Close what planning left open when the run stopped early.
	for _, p := range passes {
		if p.opened != nil {
			p.opened.Close()
		}
	}
	s := l.Summary()
	if runErr != nil {
		s.Stopped = runErr.Error()
		l.tally.update(func(sum *LoadSummary) { sum.Stopped = s.Stopped })
		if l.ckpt != nil {
			if err := l.ckpt.save(); err == nil {
				l.log.Warn().Str("checkpoint", l.ckpt.path).Msg("the load stopped; run the same command again to continue from the checkpoint")
			}
		}
	} else if l.ckpt != nil {
		if err := l.ckpt.remove(); err != nil {
			l.log.Warn().Err(err).Msg("could not remove the checkpoint")
		}
	}
	if !l.opts.DryRun && l.out.w != nil {
		if gen, err := l.out.w.Generation(context.WithoutCancel(ctx)); err == nil {
			s.Generation = gen
		}
	}
	if s.UnknownPersons > 0 {
		l.log.Warn().Int64("unknown_persons", s.UnknownPersons).
			Msg("rows referred to person_ids that no persons row of this load gave; those persons are keyed by person_id, not by identity number; load persons.csv together with the files that refer to it")
	}
	l.log.Info().Int("files", len(s.Files)).Int64("read", s.Total.Read).Int64("accepted", s.Total.Accepted).
		Int64("rejected", s.Total.Rejected).Int64("warnings", s.Total.Warnings).Int64("unknown_persons", s.UnknownPersons).
		Bool("dry_run", s.DryRun).Dur("elapsed", s.Elapsed).Msg("load finished")
	return s, runErr
}

// runPass reads one pass: open, map, identity, validate, write.
func (l *Loader) runPass(ctx context.Context, p pass) error {
	name := p.in.Display()
	fs := l.beginFile(name, p.kind)
	began := l.opts.Now()
	defer l.endFile(fs, began)
	if p.table != nil {
		mapping := fmt.Sprintf("%s#%d", l.opts.Mapping.Name, p.tidx+1)
		l.tally.update(func(sum *LoadSummary) { sum.Files[fs.idx].Mapping = mapping })
	}
	if p.err != nil {
		l.tally.fileError(fs, *p.err)
		return nil
	}
	if l.ckpt != nil && !p.in.IsStdin() {
		fs.ckKey = passKey(p.in, p.kind, p.tidx)
		st := l.ckpt.get(fs.ckKey)
		if st.Done && p.kind != FilePersons && p.kind != FileEnterprises {
			// Written completely by an earlier run; entity files are read
			// again (without writing) because later files resolve their keys.
			l.log.Info().Str("file", name).Msg("skipped: written completely by an earlier run (checkpoint)")
			l.tally.update(func(sum *LoadSummary) { sum.Resumed = true })
			l.tally.bytesBase += p.in.Size
			return nil
		}
		fs.resume = st.Line
		if st.Done {
			fs.resume = 1 << 62
		}
		if fs.resume > 0 {
			l.tally.update(func(sum *LoadSummary) { sum.Resumed = true })
			l.log.Info().Str("file", name).Int("line", st.Line).Msg("resuming after the rows an earlier run wrote (checkpoint)")
		}
	}
	o := p.opened
	if o == nil {
		var cols []string
		if p.table == nil {
			cols = p.kind.ColumnNames()
		}
		var err error
		if o, err = l.openWith(p.in, cols, p.table); err != nil {
			l.tally.fileError(fs, *openReject(p.in, err))
			return nil
		}
	}
	defer o.Close()
	var rows Rows = o
	var mapped describer
	if p.table != nil {
		apply := mapping.Apply
		if l.noHeader(p.table) {
			apply = mapping.ApplyNoHeader
		}
		m, err := apply(p.table, o)
		if err != nil {
			var me *mapping.MissingError
			var le *mapping.LayoutError
			if errors.As(err, &le) {
				l.tally.fileError(fs, Reject{File: name, Line: 1, Field: le.Field, Reason: le.Reason + "; no row of the file was loaded", Fix: le.Fix})
				n := drain(o)
				fs.counts.Read += n
				fs.counts.Rejected += n
				l.tally.rejected.Add(n)
				l.tally.update(func(sum *LoadSummary) { sum.RejectedInRefusedFiles += n })
				return nil
			}
			if errors.As(err, &me) {
				l.tally.fileError(fs, Reject{File: name, Line: 1, Reason: me.Error() + "; no row of the file was loaded",
					Fix: "check that the file is the export the mapping describes, or adjust the mapping's from: names"})
				n := drain(o)
				fs.counts.Read += n
				fs.counts.Rejected += n
				l.tally.rejected.Add(n)
				l.tally.update(func(sum *LoadSummary) { sum.RejectedInRefusedFiles += n })
				return nil
			}
			return err
		}
		rows, mapped = m, m
	}
	err := l.loadRows(ctx, fs, rows, o, mapped)
	if werr := l.finishFile(ctx, fs); err == nil {
		err = werr
	}
	l.tally.bytesBase += o.BytesRead()
	l.tally.update(func(sum *LoadSummary) { sum.Files[fs.idx].Encoding = o.Encoding() })
	l.tally.progress(fs, nil, true)
	return err
}

// drain counts the remaining rows of a refused file.
func drain(r Rows) int64 {
	var n int64
	for {
		_, err := r.Next()
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				n++
				continue
			}
			return n
		}
		n++
	}
}

// LoadFile loads one canonical file, whose kind follows from its name.
func (l *Loader) LoadFile(ctx context.Context, path string) error {
	kind, err := KindOfFile(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	ins, err := reader.Expand([]string{path})
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	in := ins[0]
	in.Size, in.ModTime = fi.Size(), fi.ModTime()
	return l.runPass(ctx, pass{in: in, kind: kind})
}

// LoadDir loads the canonical files found in dir, in dependency order
// (enterprises, persons, shareholdings, legal_reps, officers, branches,
// records). Files that are absent are skipped; other files are ignored.
func LoadDir(ctx context.Context, dir string, w Writer, opts LoadOptions) (LoadSummary, error) {
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
func LoadFiles(ctx context.Context, files []string, w Writer, opts LoadOptions) (LoadSummary, error) {
	for _, f := range files {
		if _, err := KindOfFile(f); err != nil {
			return LoadSummary{Source: opts.Source}, fmt.Errorf("ingest: %w", err)
		}
	}
	ins, err := reader.Expand(files)
	if err != nil {
		return LoadSummary{Source: opts.Source}, fmt.Errorf("ingest: %w", err)
	}
	return Load(ctx, ins, w, opts)
}
