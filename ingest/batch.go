package ingest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"

	"riskgraph/ingest/keyindex"
	"riskgraph/models"
	"riskgraph/store"
)

// add parses one row and appends it to the batch; with skip (a resumed
// load's rows already written) it only rebuilds what later rows depend on.
func (l *Loader) add(fs *fileState, v []string, line int, skip bool) *fieldError {
	b := fs.batch
	var key string
	var refs []ref
	switch fs.kind {
	case FileEnterprises:
		e, err := l.p.enterprise(v)
		if err != nil {
			return err
		}
		key = e.Key
		l.remember(e.Key)
		if !skip {
			b.Enterprises = append(b.Enterprises, e)
		}
	case FilePersons:
		p, err := l.p.person(v, fs.name, line)
		if err != nil {
			return err
		}
		key = v[perID]
		l.remember(p.PID)
		if !skip {
			b.Persons = append(b.Persons, p)
		}
	case FileShareholdings:
		s, err := l.p.shareholding(v)
		if err != nil {
			return err
		}
		key = string(s.Holder.Kind) + "\x00" + s.Holder.Key + "\x00" + s.Enterprise
		refs = []ref{{"holder", s.Holder}, {"enterprise", models.EnterpriseRef(s.Enterprise)}}
		if err := l.checkRefs(refs, skip); err != nil {
			return err
		}
		if !skip {
			b.Shareholdings = append(b.Shareholdings, s)
		}
		defer l.shareSum(fs, s, key, line, skip)
	case FileLegalReps, FileOfficers:
		kind := models.RoleLegalRep
		if fs.kind == FileOfficers {
			kind = models.RoleOfficer
		}
		r, err := l.p.role(v, kind)
		if err != nil {
			return err
		}
		key = r.Person + "\x00" + r.Enterprise + "\x00" + r.Title
		if err := l.checkRefs([]ref{{"person_id", models.PersonRef(r.Person)}, {"enterprise", models.EnterpriseRef(r.Enterprise)}}, skip); err != nil {
			return err
		}
		if !skip {
			b.Roles = append(b.Roles, r)
		}
	case FileBranches:
		br, err := l.p.branch(v)
		if err != nil {
			return err
		}
		key = br.Branch + "\x00" + br.Parent
		if err := l.checkRefs([]ref{{"branch", models.EnterpriseRef(br.Branch)}, {"parent", models.EnterpriseRef(br.Parent)}}, skip); err != nil {
			return err
		}
		if !skip {
			b.Branches = append(b.Branches, br)
		}
	case FileRecords:
		r, err := l.p.record(v)
		if err != nil {
			return err
		}
		key = r.ID
		if err := l.checkRefs([]ref{{"subject", r.Subject}}, skip); err != nil {
			return err
		}
		if !skip {
			b.Records = append(b.Records, r)
		}
	}
	l.duplicate(fs, key, line, skip)
	return nil
}

// key returns the fingerprint of a key of this load.
func (l *Loader) key(s string) keyindex.Key { return l.keys.Key(s) }

// remember notes an entity of this load.
func (l *Loader) remember(key string) { l.known.Put(l.key(key), nil) }

// duplicate counts a key seen before in the file (last row wins) and makes
// the batch wait for the one holding the earlier row.
func (l *Loader) duplicate(fs *fileState, key string, line int, skip bool) {
	k := l.key(key)
	var b [4]byte
	seen := fs.dups.Get(k, b[:])
	prev := int(binary.LittleEndian.Uint32(b[:]))
	binary.LittleEndian.PutUint32(b[:], uint32(line))
	fs.dups.Put(k, b[:])
	if !seen || skip {
		return
	}
	fs.counts.Duplicates++
	if prev < fs.first || fs.first == 0 {
		fs.dupDrain = true
	}
	l.warn(fs, Reject{File: fs.name, Line: line, Reason: fmt.Sprintf("repeats the key of line %d; this row replaces it (the last row wins)", prev),
		Fix: "remove one of the two rows if they are not meant to be the same entity or relationship"})
}

// shareSum keeps each enterprise's sum of ratios and warns once when it
// goes above 100 %.
func (l *Loader) shareSum(fs *fileState, s models.Shareholding, pairKey string, line int, skip bool) {
	if fs.shares == nil {
		fs.shares = l.newIndex(9) // sum of ratios (float64), warned (1 byte)
		fs.pairs = l.newIndex(4)  // ratio (float32)
	}
	e, p := l.key(s.Enterprise), l.key(pairKey)
	var pv [4]byte
	var old float32
	if fs.pairs.Get(p, pv[:]) {
		old = math.Float32frombits(binary.LittleEndian.Uint32(pv[:]))
	}
	binary.LittleEndian.PutUint32(pv[:], math.Float32bits(float32(s.Ratio)))
	fs.pairs.Put(p, pv[:])
	var ev [9]byte
	fs.shares.Get(e, ev[:])
	sum := math.Float64frombits(binary.LittleEndian.Uint64(ev[:])) - float64(old) + s.Ratio
	binary.LittleEndian.PutUint64(ev[:], math.Float64bits(sum))
	warn := sum > 1+1e-6 && ev[8] == 0
	if warn {
		ev[8] = 1
	}
	fs.shares.Put(e, ev[:])
	if warn && !skip {
		l.warn(fs, Reject{File: fs.name, Line: line, Field: fs.label("enterprise"), Value: s.Enterprise,
			Reason: fmt.Sprintf("the shares of this enterprise in the file add up to %s%% with this row, more than 100 %%", strconv.FormatFloat(sum*100, 'f', 1, 64)),
			Fix:    "the row is loaded; check the ratios of the enterprise's shareholders (a percentage given as a fraction, a holder listed twice)"})
	}
}

// ref is a reference from a row to an entity.
type ref struct {
	field string
	to    models.Ref
}

// checkRefs counts references to entities this load does not hold and,
// with RefReject, refuses the row when the store does not hold them either.
func (l *Loader) checkRefs(refs []ref, skip bool) *fieldError {
	for _, r := range refs {
		if l.known.Has(l.key(r.to.Key)) {
			continue
		}
		if l.opts.References != RefReject {
			if !skip {
				l.mu.Lock()
				l.sum.Unresolved++
				l.mu.Unlock()
			}
			continue
		}
		ok, err := l.inStore(r.to)
		if err != nil {
			return &fieldError{Field: r.field, Value: r.to.Key, Reason: "could not be checked in the store: " + err.Error(),
				Fix: "check that the store is reachable and load again"}
		}
		if !ok {
			what := "enterprise"
			if r.to.Kind == models.KindPerson {
				what = "person"
			}
			return &fieldError{Field: r.field, Reason: fmt.Sprintf("names a %s that is neither in this load nor in the store", what),
				Fix: fmt.Sprintf("load the %s's row first (in this load or an earlier one), or load with --references placeholder to create a placeholder", what)}
		}
	}
	return nil
}

// inStore asks the store once per entity whether it exists.
func (l *Loader) inStore(r models.Ref) (bool, error) {
	fp := l.key(string(r.Kind) + ":" + r.Key)
	if ok, seen := l.exists[fp]; seen {
		return ok, nil
	}
	if l.opts.Reader == nil {
		return false, nil
	}
	ctx := context.Background()
	var err error
	if r.Kind == models.KindPerson {
		_, err = l.opts.Reader.Person(ctx, r.Key)
	} else {
		_, err = l.opts.Reader.Enterprise(ctx, r.Key)
	}
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
	default:
		return false, err
	}
	if len(l.exists) >= l.opts.KeyBudget {
		clear(l.exists)
	}
	l.exists[fp] = err == nil
	return err == nil, nil
}

// flush hands the batch being filled to the writers.
func (l *Loader) flush(ctx context.Context, fs *fileState) error {
	if fs.batch.Len() == 0 {
		fs.first, fs.last, fs.pending = 0, 0, 0
		return nil
	}
	b, rows, last := fs.batch, fs.pending, fs.last
	fs.batch, fs.pending, fs.first, fs.last = &store.Batch{}, 0, 0, 0
	if l.opts.DryRun {
		fs.accepted.Add(rows)
		l.accepted.Add(rows)
		return nil
	}
	if fs.dupDrain {
		// The batch repeats a key of a submitted batch: that one must
		// commit first, so the last row wins.
		fs.inflight.Wait()
		fs.dupDrain = false
	}
	a := &ack{last: last, rows: rows}
	l.mu.Lock()
	fs.acks = append(fs.acks, a)
	l.sum.Batches++
	l.mu.Unlock()
	fs.inflight.Add(1)
	err := l.pool.submit(ctx, func(ctx context.Context) error {
		defer fs.inflight.Done()
		if err := l.w.WriteBatch(ctx, b); err != nil {
			return fmt.Errorf("ingest: %s: writing a batch of %d rows ending on line %d: %w", fs.name, b.Len(), last, err)
		}
		l.acknowledge(fs, a)
		return nil
	})
	if err != nil {
		fs.inflight.Done()
	}
	return err
}

// acknowledge counts a written batch and advances the file's checkpoint
// over the batches written without a gap.
func (l *Loader) acknowledge(fs *fileState, a *ack) {
	fs.accepted.Add(a.rows)
	l.accepted.Add(a.rows)
	l.mu.Lock()
	defer l.mu.Unlock()
	a.done = true
	n := 0
	for n < len(fs.acks) && fs.acks[n].done {
		fs.ackLine = fs.acks[n].last
		n++
	}
	fs.acks = fs.acks[n:]
	if n > 0 && l.ckpt != nil && fs.ckKey != "" {
		l.ckpt.set(fs.ckKey, fs.ackLine, false)
	}
	if l.opts.OnBatch != nil {
		l.opts.OnBatch(BatchDone{File: fs.name, Kind: fs.kind, Rows: a.rows, Line: fs.ackLine, Accepted: l.accepted.Load()})
	}
}

// finishFile writes the last batch and waits for every batch of the file.
func (l *Loader) finishFile(ctx context.Context, fs *fileState) error {
	err := l.flush(ctx, fs)
	fs.inflight.Wait()
	if err == nil {
		err = l.pool.failed()
	}
	if err == nil {
		err = l.indexErr()
	}
	if err == nil && l.ckpt != nil && fs.ckKey != "" {
		l.mu.Lock()
		l.ckpt.set(fs.ckKey, fs.ackLine, true)
		err = l.ckpt.save()
		l.mu.Unlock()
	}
	return err
}

// pool writes batches concurrently, at most n at a time. The first error
// stops it: later submissions fail with that error.
type pool struct {
	w   store.Writer
	sem chan struct{}
	mu  sync.Mutex
	err error
}

func newPool(w store.Writer, n int) *pool {
	return &pool{w: w, sem: make(chan struct{}, n)}
}

func (p *pool) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *pool) submit(ctx context.Context, fn func(context.Context) error) error {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := p.failed(); err != nil {
		<-p.sem
		return err
	}
	go func() {
		defer func() { <-p.sem }()
		if err := fn(ctx); err != nil {
			p.mu.Lock()
			if p.err == nil {
				p.err = err
			}
			p.mu.Unlock()
		}
	}()
	return nil
}
