package ingest

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"riskgraph/ingest/mapping"
	"riskgraph/ingest/reader"
	"riskgraph/textnorm"
)

// tally keeps a load's account: the summary (per file, per kind, in all),
// the first rejects and warnings, the load-wide counters and the progress
// reports. Rows are read and counted by one goroutine; accepted rows are
// counted by the goroutines that write batches, so the load-wide counters
// are atomic and the summary is guarded by mu.
type tally struct {
	maxRejects int
	onReject   func(Reject)
	onProgress func(Progress)
	log        zerolog.Logger
	// rewrite, when set (LoadBODS), renames a reject's file and line after
	// the statement its row came from; called under mu.
	rewrite func(*Reject)

	mu  sync.Mutex // guards sum
	sum LoadSummary

	read, accepted, rejected, warnings atomic.Int64
	bytesBase, bytesTotal              int64 // the reading goroutine's
	lastProgress                       time.Time
}

func newTally(opts LoadOptions, log zerolog.Logger) *tally {
	return &tally{maxRejects: opts.MaxRejects, onReject: opts.OnReject, onProgress: opts.OnProgress, log: log,
		sum: LoadSummary{Source: opts.Source, ByKind: map[FileKind]Counts{}, DryRun: opts.DryRun}}
}

// update changes the summary under the lock.
func (t *tally) update(f func(*LoadSummary)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f(&t.sum)
}

// snapshot returns a copy of the summary so far.
func (t *tally) snapshot() LoadSummary {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sum
	s.Files = slices.Clone(t.sum.Files)
	s.Rejects = slices.Clone(t.sum.Rejects)
	s.Warnings = slices.Clone(t.sum.Warnings)
	s.ByKind = maps.Clone(t.sum.ByKind)
	s.Titles = slices.Clone(t.sum.Titles)
	return s
}

// beginFile adds a file (one pass) to the summary and returns its index.
func (t *tally) beginFile(name string, kind FileKind) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sum.Files = append(t.sum.Files, FileSummary{File: name, Kind: kind})
	return len(t.sum.Files) - 1
}

// endFile folds the file's counts into the summary and logs them.
func (t *tally) endFile(fs *fileState, elapsed time.Duration) {
	fs.counts.Accepted = fs.accepted.Load()
	t.mu.Lock()
	t.sum.Files[fs.idx].Counts = fs.counts
	c := t.sum.ByKind[fs.kind]
	c.add(fs.counts)
	t.sum.ByKind[fs.kind] = c
	t.sum.Total.add(fs.counts)
	t.mu.Unlock()
	ev := t.log.Info()
	if fs.counts.Rejected > 0 {
		ev = t.log.Warn()
	}
	ev.Str("file", fs.name).Str("kind", string(fs.kind)).Int64("read", fs.counts.Read).
		Int64("accepted", fs.counts.Accepted).Int64("rejected", fs.counts.Rejected).
		Int64("warnings", fs.counts.Warnings).Int64("skipped", fs.counts.Skipped).
		Dur("elapsed", elapsed).Msg("file loaded")
}

// readRow counts a row read.
func (t *tally) readRow(fs *fileState) {
	fs.counts.Read++
	t.read.Add(1)
}

// acceptRows counts rows written (or, on a dry run, that would be).
func (t *tally) acceptRows(fs *fileState, n int64) {
	fs.accepted.Add(n)
	t.accepted.Add(n)
}

// reject counts a rejected row and reports it.
func (t *tally) reject(fs *fileState, r Reject) {
	fs.counts.Rejected++
	t.rejected.Add(1)
	t.report(r)
}

// countRejected counts a rejected row that is not reported on its own
// (the rows of a file whose header was refused).
func (t *tally) countRejected(fs *fileState) {
	fs.counts.Rejected++
	t.rejected.Add(1)
	t.mu.Lock()
	t.sum.RejectedInRefusedFiles++
	t.mu.Unlock()
}

// warn reports a row that was loaded with a warning.
func (t *tally) warn(fs *fileState, r Reject) {
	r.Level = LevelWarning
	fs.counts.Warnings++
	t.warnings.Add(1)
	t.report(r)
}

// fileError reports a problem of the whole file (at line 1, or where
// reading stopped).
func (t *tally) fileError(fs *fileState, r Reject) {
	t.mu.Lock()
	t.sum.Files[fs.idx].Error = r.Reason
	t.sum.FileErrors++
	t.mu.Unlock()
	t.report(r)
}

// report keeps, passes on and logs a reject. Identity numbers are masked.
func (t *tally) report(r Reject) {
	if r.Value != "" && (strings.Contains(r.Field, "id_number") || looksLikeIDNumber(r.Value)) {
		r.Value = maskIDNumber(r.Value)
	} else if utf8.RuneCountInString(r.Value) > 80 {
		r.Value = string([]rune(r.Value)[:80]) + "…"
	}
	t.mu.Lock()
	if t.rewrite != nil {
		t.rewrite(&r)
	}
	list := &t.sum.Rejects
	if r.Level == LevelWarning {
		list = &t.sum.Warnings
	}
	if r.Level != LevelWarning {
		t.sum.Reported++
	}
	if t.maxRejects > 0 && len(*list) < t.maxRejects {
		*list = append(*list, r)
	}
	t.mu.Unlock()
	if t.onReject != nil {
		t.onReject(r)
	}
	t.log.Debug().Str("file", r.File).Int("line", r.Line).Str("field", r.Field).Str("reason", r.Reason).Str("level", r.Level).Msg("row rejected")
}

// progress calls OnProgress, at most every 200 ms unless final.
func (t *tally) progress(fs *fileState, in *reader.Opened, final bool) {
	if t.onProgress == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(t.lastProgress) < 200*time.Millisecond {
		return
	}
	t.lastProgress = now
	p := Progress{File: fs.name, Kind: fs.kind, Rows: fs.counts.Read, Read: t.read.Load(),
		Accepted: t.accepted.Load(), Rejected: t.rejected.Load(), Warnings: t.warnings.Load(),
		Bytes: t.bytesBase, TotalBytes: t.bytesTotal}
	if in != nil {
		p.Bytes += in.BytesRead()
	}
	t.onProgress(p)
}

// titleText returns the free text an officers row's canonical title came
// from: the source text (through a mapping) or the canonical column's text,
// or "" when that text is the canonical title itself.
func titleText(fs *fileState, vals []string, title string) string {
	text := valueOf(FileOfficers, vals, "title")
	if col, raw := fs.source("title"); col != "" {
		text = textnorm.Trim(raw)
	}
	if text == "" || strings.EqualFold(text, title) {
		return ""
	}
	return text
}

// noteTitle counts the free-text title of an accepted officers row: the
// source text (through a mapping) or the canonical column's text, when it
// is not itself the canonical title it became.
func (t *tally) noteTitle(fs *fileState, vals []string) {
	text := valueOf(FileOfficers, vals, "title")
	title := text
	if col, raw := fs.source("title"); col != "" {
		text = textnorm.Trim(raw)
	} else if !slices.Contains(OfficerTitles, strings.ToLower(text)) {
		title, _ = mapping.Title(text, nil)
	}
	if strings.EqualFold(text, title) || text == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.sum.Titles {
		if tt := &t.sum.Titles[i]; tt.Text == text && tt.Title == title {
			tt.Rows++
			return
		}
	}
	if len(t.sum.Titles) < MaxTitles {
		t.sum.Titles = append(t.sum.Titles, TitleText{Text: text, Title: title, Rows: 1})
	}
}
