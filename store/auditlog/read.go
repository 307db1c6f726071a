package auditlog

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"riskgraph/store"
	"riskgraph/store/frame"
)

// Audit returns up to q.Limit entries matching q, newest (highest ID)
// first. Segments are visited from the highest IDs down; a segment whose
// name shows it cannot match (its IDs all at or above q.Before, its times
// outside [Since, Until)) is not opened, and the visit stops as soon as no
// remaining segment can hold an entry newer than the Limit kept so far.
// One segment is streamed at a time, keeping only the best Limit matches.
// An ID stored twice (a retried batch) is returned once.
func (l *Log) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	out := []store.AuditEntry{}
	if q.Limit < 1 {
		return out, nil
	}
	l.mu.Lock()
	segs := make([]segment, 0, len(l.segs)+1)
	for _, s := range l.segs {
		segs = append(segs, *s)
	}
	if l.active != nil && !l.active.empty {
		segs = append(segs, *l.active)
	}
	l.mu.Unlock()
	slices.SortFunc(segs, func(a, b segment) int { return -cmp.Compare(a.maxID, b.maxID) })
	top := &topK{limit: q.Limit, seen: map[string]bool{}}
	for i := range segs {
		s := &segs[i]
		if top.full() && s.maxID <= top.lowest() {
			break
		}
		if (q.Before != "" && s.minID >= q.Before) ||
			(!q.Since.IsZero() && s.maxT < q.Since.UnixNano()) ||
			(!q.Until.IsZero() && s.minT >= q.Until.UnixNano()) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := readSegment(s, func(e *store.AuditEntry) {
			if store.MatchAudit(*e, q) {
				top.add(*e)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	out = append(out, top.h...)
	slices.SortFunc(out, func(a, b store.AuditEntry) int { return -strings.Compare(a.ID, b.ID) })
	return out, nil
}

// readSegment streams a segment's entries to fn. A segment deleted by
// retention meanwhile reads as empty; one compressed meanwhile is read
// from its new name.
func readSegment(s *segment, fn func(*store.AuditEntry)) error {
	path := s.path
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) && !s.gz {
		path += ".gz"
		f, err = os.Open(path)
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	each := func(p []byte) error {
		var r record
		if err := json.Unmarshal(p, &r); err != nil {
			return err
		}
		for i := range r.Entries {
			fn(&r.Entries[i])
		}
		return nil
	}
	damaged := func(off int64, why string) error {
		return fmt.Errorf("audit log %s is damaged at byte %d (%s); run `riskgraph fsck`", path, off, why)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
		if err != nil {
			return damaged(0, err.Error())
		}
		fr := frame.NewReader(zr)
		for {
			p, err := fr.Next()
			var de *frame.DamageError
			switch {
			case err == io.EOF:
				return nil
			case errors.As(err, &de):
				return damaged(de.Offset, de.Reason)
			case err != nil:
				return damaged(fr.Offset(), err.Error())
			}
			if err := each(p); err != nil {
				return damaged(fr.Offset(), err.Error())
			}
		}
	}
	size := s.end // an open segment: only what is durable
	if !s.open {
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		size = st.Size()
	}
	res, err := frame.Scan(f, size, func(_ int64, p []byte) error { return each(p) })
	if err != nil {
		return fmt.Errorf("audit log %s: %w", path, err)
	}
	if !res.Clean() {
		return damaged(res.Damaged[0].Offset, res.Damaged[0].Reason)
	}
	return nil
}

// topK keeps the limit entries with the highest IDs: a min-heap by ID.
type topK struct {
	limit int
	h     []store.AuditEntry
	seen  map[string]bool
}

func (t *topK) full() bool     { return len(t.h) >= t.limit }
func (t *topK) lowest() string { return t.h[0].ID }

func (t *topK) add(e store.AuditEntry) {
	if t.seen[e.ID] {
		return
	}
	if t.full() {
		if e.ID <= t.lowest() {
			return
		}
		delete(t.seen, t.h[0].ID)
		t.h[0] = e
		heap.Fix(t, 0)
	} else {
		heap.Push(t, e)
	}
	t.seen[e.ID] = true
}

func (t *topK) Len() int           { return len(t.h) }
func (t *topK) Less(i, j int) bool { return t.h[i].ID < t.h[j].ID }
func (t *topK) Swap(i, j int)      { t.h[i], t.h[j] = t.h[j], t.h[i] }
func (t *topK) Push(x any)         { t.h = append(t.h, x.(store.AuditEntry)) }
func (t *topK) Pop() any {
	x := t.h[len(t.h)-1]
	t.h = t.h[:len(t.h)-1]
	return x
}

// Each calls fn for every entry in every segment in dir, segment by
// segment in sequence order, without taking the lock: it may run beside
// the writing process (export, counting, tests). A torn last record of the
// active segment (a write in progress or cut by a crash) is skipped; other
// damage is an error. While a segment is being compressed an entry may be
// visited twice.
func Each(dir string, fn func(*store.AuditEntry) error) error {
	names, err := segmentFiles(dir)
	if err != nil {
		return err
	}
	var stop error
	for _, name := range names {
		path := filepath.Join(dir, name)
		s := &segment{path: path, gz: strings.HasSuffix(name, ".gz")}
		if strings.HasSuffix(name, ".open") {
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("audit log: %w", err)
			}
			st, err := f.Stat()
			if err == nil {
				var res frame.Result
				res, err = frame.Scan(f, st.Size(), func(int64, []byte) error { return nil })
				s.open, s.end = true, res.End
				if err == nil && res.Corrupt() {
					err = fmt.Errorf("audit log %s is damaged at byte %d; run `riskgraph fsck`", path, res.Damaged[0].Offset)
				}
			}
			f.Close()
			if err != nil {
				return err
			}
		}
		err := readSegment(s, func(e *store.AuditEntry) {
			if stop == nil {
				stop = fn(e)
			}
		})
		if err != nil {
			return err
		}
		if stop != nil {
			return stop
		}
	}
	return nil
}
