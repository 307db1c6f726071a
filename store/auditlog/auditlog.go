// Package auditlog keeps the audit trail in append-only segment files in a
// directory of its own, apart from the graph: the graph's journal and its
// start-up time do not grow with traffic.
//
// Files in the directory:
//
//	LOCK                                          flock(2)ed by the one process that writes
//	<seq>.open                                    the active segment, appended to
//	<seq>_<minID>_<maxID>_<minT>_<maxT>.seg       a closed segment, waiting for compression
//	<seq>_<minID>_<maxID>_<minT>_<maxT>.seg.gz    a closed segment, gzip-compressed
//
// seq is a 16-digit sequence number, minID/maxID the lowest and highest
// entry ID in the segment and minT/maxT the earliest and latest entry time
// in Unix nanoseconds, so that a query skips a closed segment by its name.
//
// A segment is a sequence of records framed by package store/frame; one
// record holds one group commit: the JSON object
// {"min_id","max_id","min_t","max_t","entries":[…]}.
//
// Guarantee: AppendAudit returns nil only after its entries' record is
// written and fsynced. One writer goroutine takes every entry waiting,
// writes them as one record and fsyncs once (group commit), then releases
// all their callers. What waits is bounded (Options.MaxPending bytes);
// when it is full, or the disk fails, callers wait until their context
// ends and get an error wrapping store.ErrUnavailable — the caller fails
// closed, nothing is dropped. A failed fsync leaves the file's state
// unknown, so the log refuses every later append until it is reopened.
//
// On open only the active segment is read (it is bounded by
// Options.SegmentSize): a damaged last record is a write cut short by a
// crash, never acknowledged, and is cut off and logged with its offset and
// size; damage followed by intact records is corruption, and Open refuses
// with an error naming the file, the offset and `riskgraph fsck`.
//
// A segment is closed when it reaches SegmentSize or gets older than
// SegmentAge, compressed in the background (written beside it, fsynced,
// renamed), and deleted as a whole once its newest entry is older than
// Retention.
package auditlog

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/rs/zerolog"
	"golang.org/x/sync/semaphore"

	"riskgraph/store"
	"riskgraph/store/durable"
	"riskgraph/store/frame"
)

// Defaults.
const (
	DefaultSegmentSize = 64 << 20
	DefaultSegmentAge  = 24 * time.Hour
	// DefaultRetention keeps a year: above the six months the
	// Cybersecurity Law (Art. 21) requires for network logs, so that a
	// full annual inspection cycle can be traced.
	DefaultRetention = 365 * 24 * time.Hour
	// MinRetention is the legal minimum: six months (taken as 183 days).
	MinRetention      = 183 * 24 * time.Hour
	DefaultMaxPending = 32 << 20
	DefaultMaxBatch   = 4 << 20
)

// LockFile is the name of the lock file in the directory.
const LockFile = "LOCK"

// Options configure a Log.
type Options struct {
	// Dir holds the segments. Required.
	Dir string
	// SegmentSize closes the active segment once it holds this many bytes.
	SegmentSize int64
	// SegmentAge closes a non-empty active segment this long after its
	// first entry, so that retention can delete it.
	SegmentAge time.Duration
	// Retention deletes closed segments whose newest entry is older.
	// Shorter than MinRetention is refused.
	Retention time.Duration
	// MaxPending bounds the bytes of encoded entries waiting to be written.
	MaxPending int64
	// MaxBatch bounds the bytes of one record (one group commit).
	MaxBatch int64
	Logger   zerolog.Logger
	// Now is the clock for retention and segment age (time.Now when nil).
	Now func() time.Time

	allowShortRetention bool // tests only
}

func (o *Options) defaults() {
	o.SegmentSize = cmp.Or(o.SegmentSize, DefaultSegmentSize)
	o.SegmentAge = cmp.Or(o.SegmentAge, DefaultSegmentAge)
	o.Retention = cmp.Or(o.Retention, DefaultRetention)
	o.MaxPending = cmp.Or(o.MaxPending, DefaultMaxPending)
	o.MaxBatch = cmp.Or(o.MaxBatch, DefaultMaxBatch)
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Validate checks the options (after defaults); the error wraps
// store.ErrInvalid and says what to change.
func (o *Options) Validate() error {
	switch {
	case o.Dir == "":
		return fmt.Errorf("%w: audit log: no directory given", store.ErrInvalid)
	case o.SegmentSize < 0 || o.MaxPending < 0 || o.MaxBatch < 0 || o.SegmentAge < 0:
		return fmt.Errorf("%w: audit log: sizes and ages must be positive", store.ErrInvalid)
	case o.Retention < MinRetention && !o.allowShortRetention:
		return fmt.Errorf("%w: audit retention %v is shorter than the six months (183 days) the Cybersecurity Law requires for network logs; use 183d or more",
			store.ErrInvalid, o.Retention)
	}
	return nil
}

// segment is one file.
type segment struct {
	seq          uint64
	path         string
	open         bool // the active segment (or one that could not be renamed)
	gz           bool
	minID, maxID string
	minT, maxT   int64
	empty        bool
	end          int64 // bytes durable (active segment only)
}

func (s *segment) cover(h recordHeader) {
	if s.empty {
		s.minID, s.maxID, s.minT, s.maxT, s.empty = h.MinID, h.MaxID, h.MinT, h.MaxT, false
		return
	}
	s.minID, s.maxID = min(s.minID, h.MinID), max(s.maxID, h.MaxID)
	s.minT, s.maxT = min(s.minT, h.MinT), max(s.maxT, h.MaxT)
}

// recordHeader is the range part of a record.
type recordHeader struct {
	MinID string `json:"min_id"`
	MaxID string `json:"max_id"`
	MinT  int64  `json:"min_t"`
	MaxT  int64  `json:"max_t"`
}

// decodeHeader reads a record's range, which commit writes before its
// entries, without decoding the entries: opening the log reads the active
// segment's headers only, so start-up does not grow with its size.
func decodeHeader(p []byte) (recordHeader, error) {
	var h recordHeader
	dec := json.NewDecoder(bytes.NewReader(p))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return h, fmt.Errorf("audit record: not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return h, fmt.Errorf("audit record: %w", err)
		}
		var dst any
		switch t {
		case "min_id":
			dst = &h.MinID
		case "max_id":
			dst = &h.MaxID
		case "min_t":
			dst = &h.MinT
		case "max_t":
			dst = &h.MaxT
		case "entries":
			return h, nil // the header is complete before the entries
		default:
			var skip json.RawMessage
			dst = &skip
		}
		if err := dec.Decode(dst); err != nil {
			return h, fmt.Errorf("audit record: %w", err)
		}
	}
	return h, nil
}

type record struct {
	Entries []store.AuditEntry `json:"entries"`
}

// pending is one AppendAudit call waiting for the writer.
type pending struct {
	entries [][]byte
	hdr     recordHeader
	size    int64 // encoded bytes
	held    int64 // bytes held from the semaphore
	done    chan error
}

// Log is an open audit log. It is safe for concurrent use.
type Log struct {
	opts Options
	log  zerolog.Logger
	lock *flock.Flock

	in  chan *pending
	sem *semaphore.Weighted

	sendMu sync.RWMutex // held shared while sending to in; Close takes it
	closed bool         // under sendMu

	mu     sync.Mutex // guards what follows
	segs   []*segment // closed, by seq
	active *segment
	f      *os.File
	failed error

	stop     chan struct{}
	done     chan struct{}
	compress chan struct{}
	compDone chan struct{}
	wbuf     []byte // the framed record (writer goroutine only)
	pbuf     []byte // its payload (writer goroutine only)
}

var idOK = func(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

// Open opens (creating) the log in opts.Dir and takes its lock.
func Open(opts Options) (*Log, error) {
	opts.defaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	lk := flock.New(filepath.Join(opts.Dir, LockFile))
	ok, err := lk.TryLock()
	if err != nil {
		return nil, fmt.Errorf("audit log %s: lock: %w", opts.Dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: audit log %s is in use by another riskgraph process (it holds %s); stop it or give this one another --audit-dir",
			store.ErrUnavailable, opts.Dir, LockFile)
	}
	l := &Log{opts: opts, log: opts.Logger, lock: lk, in: make(chan *pending, 4096),
		sem:  semaphore.NewWeighted(opts.MaxPending),
		stop: make(chan struct{}), done: make(chan struct{}), compress: make(chan struct{}, 1), compDone: make(chan struct{})}
	if err := l.load(); err != nil {
		_ = lk.Unlock()
		return nil, err
	}
	go l.run()
	go l.compressor()
	l.expire()
	l.signalCompress()
	return l, nil
}

// load lists the directory, closes segments a crash left open, and opens
// the active segment for appending.
func (l *Log) load() error {
	dir := l.opts.Dir
	names, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	have := map[string]bool{}
	for _, d := range names {
		have[d.Name()] = true
	}
	var opens []*segment
	var next uint64
	for _, d := range names {
		name := d.Name()
		switch {
		case strings.HasSuffix(name, ".tmp"):
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("audit log: %w", err)
			}
		case strings.HasSuffix(name, ".open"):
			seq, err := strconv.ParseUint(strings.TrimSuffix(name, ".open"), 10, 64)
			if err != nil {
				l.log.Warn().Str("file", name).Msg("audit log: ignoring a file it did not write")
				continue
			}
			opens = append(opens, &segment{seq: seq, path: filepath.Join(dir, name), open: true, empty: true})
			next = max(next, seq+1)
		case strings.HasSuffix(name, ".seg.gz"), strings.HasSuffix(name, ".seg"):
			s, ok := parseName(name)
			if !ok {
				l.log.Warn().Str("file", name).Msg("audit log: ignoring a file it did not write")
				continue
			}
			if !s.gz && have[name+".gz"] {
				// Compressed and renamed into place (after an fsync)
				// before the crash: the .gz is complete.
				if err := os.Remove(filepath.Join(dir, name)); err != nil {
					return fmt.Errorf("audit log: %w", err)
				}
				continue
			}
			s.path = filepath.Join(dir, name)
			l.segs = append(l.segs, s)
			next = max(next, s.seq+1)
		}
	}
	slices.SortFunc(opens, func(a, b *segment) int { return cmp.Compare(a.seq, b.seq) })
	for i, s := range opens {
		if err := l.recover(s); err != nil {
			return err
		}
		if i < len(opens)-1 {
			// Left open by a rotation that did not finish: close it now.
			if err := l.closeSegment(s); err != nil {
				return err
			}
			continue
		}
		l.active = s
	}
	if l.active == nil {
		s, err := l.create(next)
		if err != nil {
			return err
		}
		l.active = s
	}
	f, err := os.OpenFile(l.active.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	l.f = f
	slices.SortFunc(l.segs, func(a, b *segment) int { return cmp.Compare(a.seq, b.seq) })
	return nil
}

// recover verifies a segment left open, drops a torn tail and learns its
// range. Damage before intact records is an error.
func (l *Log) recover(s *segment) error {
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	res, err := frame.Scan(f, st.Size(), func(_ int64, p []byte) error {
		h, err := decodeHeader(p)
		if err != nil {
			return err
		}
		s.cover(h)
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit log %s: %w", s.path, err)
	}
	if err := res.Refuse(s.path); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if res.Torn {
		if err := f.Truncate(res.End); err != nil {
			return fmt.Errorf("audit log %s: cut torn tail: %w", s.path, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("audit log %s: %w", s.path, err)
		}
		l.log.Warn().Str("file", s.path).Int64("offset", res.End).Int64("dropped_bytes", st.Size()-res.End).
			Msg("audit log: dropped a torn last record (a write cut short by a crash, never acknowledged)")
	}
	s.end = res.End
	return nil
}

// create makes a new empty active segment.
func (l *Log) create(seq uint64) (*segment, error) {
	path := filepath.Join(l.opts.Dir, fmt.Sprintf("%016d.open", seq))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if err := durable.SyncDir(l.opts.Dir); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return &segment{seq: seq, path: path, open: true, empty: true}, nil
}

// closeSegment renames a segment that no longer takes appends to its
// closed name (or removes it when empty).
func (l *Log) closeSegment(s *segment) error {
	if s.empty {
		return os.Remove(s.path)
	}
	path := filepath.Join(l.opts.Dir, segName(s))
	if err := os.Rename(s.path, path); err != nil {
		return fmt.Errorf("audit log: close segment: %w", err)
	}
	if err := durable.SyncDir(l.opts.Dir); err != nil {
		return fmt.Errorf("audit log: close segment: %w", err)
	}
	s.path, s.open = path, false
	l.segs = append(l.segs, s)
	return nil
}

func segName(s *segment) string {
	return fmt.Sprintf("%016d_%s_%s_%d_%d.seg", s.seq, s.minID, s.maxID, s.minT, s.maxT)
}

func parseName(name string) (*segment, bool) {
	s := &segment{}
	base, gz := strings.CutSuffix(name, ".gz")
	s.gz = gz
	base, ok := strings.CutSuffix(base, ".seg")
	parts := strings.Split(base, "_")
	if !ok || len(parts) != 5 {
		return nil, false
	}
	var err1, err2, err3 error
	s.seq, err1 = strconv.ParseUint(parts[0], 10, 64)
	s.minID, s.maxID = parts[1], parts[2]
	s.minT, err2 = strconv.ParseInt(parts[3], 10, 64)
	s.maxT, err3 = strconv.ParseInt(parts[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || !idOK(s.minID) || !idOK(s.maxID) {
		return nil, false
	}
	return s, true
}

func unavailable(format string, args ...any) error {
	return fmt.Errorf("%w: audit log: %s", store.ErrUnavailable, fmt.Sprintf(format, args...))
}

// AppendAudit writes entries durably (see the package comment).
func (l *Log) AppendAudit(ctx context.Context, entries []store.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	p := &pending{done: make(chan error, 1)}
	for i, e := range entries {
		if !idOK(e.ID) {
			return fmt.Errorf("%w: audit entry id %q: want 1 to 64 letters, digits or '-'", store.ErrInvalid, e.ID)
		}
		b, err := appendEntry(make([]byte, 0, 256), &entries[i])
		if err != nil {
			return err
		}
		p.entries = append(p.entries, b)
		p.size += int64(len(b)) + 1
		h := recordHeader{e.ID, e.ID, e.Time.UnixNano(), e.Time.UnixNano()}
		if i == 0 {
			p.hdr = h
			continue
		}
		p.hdr.MinID, p.hdr.MaxID = min(p.hdr.MinID, h.MinID), max(p.hdr.MaxID, h.MaxID)
		p.hdr.MinT, p.hdr.MaxT = min(p.hdr.MinT, h.MinT), max(p.hdr.MaxT, h.MaxT)
	}
	p.held = min(p.size, l.opts.MaxPending)
	if err := l.sem.Acquire(ctx, p.held); err != nil {
		return unavailable("%d bytes of entries already wait to be written and none could be queued in time (%v)", l.opts.MaxPending, err)
	}
	if err := l.send(ctx, p); err != nil {
		l.sem.Release(p.held)
		return err
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return unavailable("entries not confirmed durable in time (%v)", ctx.Err())
	}
}

func (l *Log) send(ctx context.Context, p *pending) error {
	l.sendMu.RLock()
	defer l.sendMu.RUnlock()
	if l.closed {
		return unavailable("closed")
	}
	select {
	case l.in <- p:
		return nil
	case <-ctx.Done():
		return unavailable("queue full (%v)", ctx.Err())
	}
}

// run is the writer: it commits what waits, one record per round.
func (l *Log) run() {
	defer close(l.done)
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case p := <-l.in:
			l.commit(l.gather(p))
		case <-tick.C:
			l.maintain()
		case <-l.stop:
			for {
				select {
				case p := <-l.in:
					l.commit(l.gather(p))
				default:
					return
				}
			}
		}
	}
}

// gather takes every pending call waiting now, up to MaxBatch bytes.
func (l *Log) gather(p *pending) []*pending {
	batch := []*pending{p}
	size := p.size
	for size < l.opts.MaxBatch {
		select {
		case q := <-l.in:
			batch = append(batch, q)
			size += q.size
		default:
			return batch
		}
	}
	return batch
}

// commit writes one record holding the batch, fsyncs it and answers the
// callers.
func (l *Log) commit(batch []*pending) {
	finish := func(err error) {
		for _, p := range batch {
			p.done <- err
			l.sem.Release(p.held)
		}
	}
	l.mu.Lock()
	failed := l.failed
	l.mu.Unlock()
	if failed != nil {
		finish(unavailable("an earlier fsync failed (%v); restart riskgraph", failed))
		return
	}
	h := batch[0].hdr
	for _, p := range batch[1:] {
		h.MinID, h.MaxID = min(h.MinID, p.hdr.MinID), max(h.MaxID, p.hdr.MaxID)
		h.MinT, h.MaxT = min(h.MinT, p.hdr.MinT), max(h.MaxT, p.hdr.MaxT)
	}
	// The payload and the framed record are built in buffers the writer
	// goroutine keeps between commits (sized by what they hold, not by
	// MaxBatch: most commits carry a few entries).
	hb, _ := json.Marshal(h)
	payload := append(l.pbuf[:0], hb[:len(hb)-1]...)
	payload = append(payload, `,"entries":[`...)
	first := true
	for _, p := range batch {
		for _, e := range p.entries {
			if !first {
				payload = append(payload, ',')
			}
			first = false
			payload = append(payload, e...)
		}
	}
	payload = append(payload, "]}"...)
	rec, err := frame.Append(l.wbuf[:0], payload)
	if err != nil {
		finish(fmt.Errorf("audit log: %w", err))
		return
	}
	// Keep the buffers for the next commit unless an unusually large one
	// grew them past MaxBatch.
	if cap(payload) <= int(l.opts.MaxBatch) {
		l.pbuf, l.wbuf = payload, rec
	} else {
		l.pbuf, l.wbuf = nil, nil
	}
	s := l.active
	if _, err := l.f.Write(rec); err != nil {
		// Cut the partial record off, so that later records do not
		// follow garbage; if even that fails, stop writing.
		if terr := l.f.Truncate(s.end); terr != nil {
			l.fail(fmt.Errorf("write: %v; cutting the partial record: %v", err, terr))
		}
		l.log.Error().Err(err).Str("file", s.path).Msg("audit log: write failed; requests are refused until it succeeds")
		finish(unavailable("write %s: %v", s.path, err))
		return
	}
	if err := l.f.Sync(); err != nil {
		l.fail(err)
		finish(unavailable("fsync %s: %v", s.path, err))
		return
	}
	l.mu.Lock()
	s.end += int64(len(rec))
	s.cover(h)
	l.mu.Unlock()
	finish(nil)
	if s.end >= l.opts.SegmentSize {
		l.rotate()
	}
}

func (l *Log) fail(err error) {
	l.mu.Lock()
	l.failed = err
	l.mu.Unlock()
	l.log.Error().Err(err).Str("dir", l.opts.Dir).Msg("audit log: fsync failed; every audited request is refused until riskgraph restarts")
}

// maintain closes an old active segment and applies retention.
func (l *Log) maintain() {
	l.mu.Lock()
	s := l.active
	old := !s.empty && l.opts.Now().Sub(time.Unix(0, s.minT)) > l.opts.SegmentAge
	l.mu.Unlock()
	if old {
		l.rotate()
	}
	l.expire()
}

// rotate closes the active segment and starts the next. On failure the
// active segment keeps taking appends and rotation is tried again later.
func (l *Log) rotate() {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.active
	if cur.empty {
		return
	}
	next, err := l.create(cur.seq + 1)
	if err != nil {
		l.log.Error().Err(err).Msg("audit log: could not start a new segment; appending to the current one")
		return
	}
	f, err := os.OpenFile(next.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		_ = os.Remove(next.path)
		l.log.Error().Err(err).Msg("audit log: could not start a new segment; appending to the current one")
		return
	}
	_ = l.f.Close()
	l.f, l.active = f, next
	if err := l.closeSegment(cur); err != nil {
		// Still named .open: readable, and closed by the next Open.
		l.log.Error().Err(err).Str("file", cur.path).Msg("audit log: could not rename a full segment")
		cur.open = true
		l.segs = append(l.segs, cur)
	}
	l.signalCompress()
	go l.expire()
}

// expire deletes closed segments whose newest entry is older than the
// retention.
func (l *Log) expire() {
	cut := l.opts.Now().Add(-l.opts.Retention).UnixNano()
	l.mu.Lock()
	var drop []*segment
	l.segs = slices.DeleteFunc(l.segs, func(s *segment) bool {
		if s.maxT < cut {
			drop = append(drop, s)
			return true
		}
		return false
	})
	l.mu.Unlock()
	for _, s := range drop {
		for _, p := range []string{s.path, strings.TrimSuffix(s.path, ".gz"), strings.TrimSuffix(s.path, ".gz") + ".gz"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				l.log.Error().Err(err).Str("file", p).Msg("audit log: could not delete an expired segment")
			}
		}
		l.log.Info().Str("file", filepath.Base(s.path)).Time("newest", time.Unix(0, s.maxT)).Msg("audit log: deleted a segment past retention")
	}
}

func (l *Log) signalCompress() {
	select {
	case l.compress <- struct{}{}:
	default:
	}
}

// compressor gzips closed segments, one at a time, in the background.
func (l *Log) compressor() {
	defer close(l.compDone)
	for {
		select {
		case <-l.stop:
			return
		case <-l.compress:
		}
		for {
			l.mu.Lock()
			var s *segment
			for _, x := range l.segs {
				if !x.gz && !x.open {
					s = x
					break
				}
			}
			l.mu.Unlock()
			if s == nil {
				break
			}
			select {
			case <-l.stop:
				return
			default:
			}
			if err := l.gzip(s); err != nil {
				l.log.Error().Err(err).Str("file", s.path).Msg("audit log: could not compress a closed segment; it stays uncompressed")
				break
			}
		}
	}
}

func (l *Log) gzip(s *segment) error {
	l.mu.Lock()
	src := s.path
	l.mu.Unlock()
	dst := src + ".gz"
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	err = durable.Replace(dst, func(w io.Writer) error {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		if _, err := io.Copy(zw, in); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	s.path, s.gz = dst, true
	l.mu.Unlock()
	return os.Remove(src)
}

// Close writes what is queued, stops the background work and releases
// the lock. Appends after Close fail with store.ErrUnavailable.
func (l *Log) Close() error {
	l.sendMu.Lock()
	if l.closed {
		l.sendMu.Unlock()
		return nil
	}
	l.closed = true
	l.sendMu.Unlock()
	close(l.stop)
	<-l.done
	<-l.compDone
	l.mu.Lock()
	err := l.f.Close()
	l.mu.Unlock()
	if uerr := l.lock.Unlock(); err == nil {
		err = uerr
	}
	return err
}

// Dir is the log's directory.
func (l *Log) Dir() string { return l.opts.Dir }
