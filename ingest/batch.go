package ingest

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"sync"

	"riskgraph/models"
	"riskgraph/store"
)

// add parses one row and appends it to the batch; with skip (a resumed
// load's rows already written) it only rebuilds what later rows depend on.
// A row whose enterprise is left to the matcher is held (matchload.go):
// held is true, and the row joins the batch, the queue or the rejects
// when its chunk is resolved.
func (l *Loader) add(fs *fileState, v []string, line int, skip bool) (held bool, _ *fieldError) {
	b := fs.batch
	var key string
	switch fs.kind {
	case FileEnterprises:
		e, err := l.p.enterprise(v)
		if err != nil {
			return false, err
		}
		key = e.Key
		l.refs.remember(e.Key)
		if !skip {
			b.Enterprises = append(b.Enterprises, e)
		}
	case FilePersons:
		p, err := l.p.person(v, fs.name, line)
		if err != nil {
			return false, err
		}
		key = v[perID]
		l.refs.remember(p.PID)
		if !skip {
			b.Persons = append(b.Persons, p)
		}
	case FileRelations:
		r, err := l.p.relation(v)
		if err != nil {
			return false, err
		}
		key = r.A + "\x00" + r.B + "\x00" + string(r.Kind)
		if err := l.refs.check([]ref{{"person_a", models.PersonRef(r.A)}, {"person_b", models.PersonRef(r.B)}}, skip); err != nil {
			return false, err
		}
		if !skip {
			b.Relations = append(b.Relations, r)
		}
	case FileControls:
		c, err := l.p.control(v)
		if err != nil {
			return false, err
		}
		key = string(c.Controller.Kind) + "\x00" + c.Controller.Key + "\x00" + c.Enterprise + "\x00" + string(c.Basis)
		if err := l.refs.check([]ref{{"controller", c.Controller}, {"enterprise", models.EnterpriseRef(c.Enterprise)}}, skip); err != nil {
			return false, err
		}
		if !skip {
			b.Controls = append(b.Controls, c)
		}
	default:
		var row oneRow
		var refs []refQuery
		var err *fieldError
		switch fs.kind {
		case FileShareholdings:
			row.sh, refs, err = l.p.shareholding(v)
		case FileLegalReps:
			row.role, refs, err = l.p.role(v, models.RoleLegalRep)
		case FileOfficers:
			row.role, refs, err = l.p.role(v, models.RoleOfficer)
			row.role.TitleText = titleText(fs, v, row.role.Title)
			if err == nil {
				row.role.DayToDay, err = dayToDay(v)
			}
		case FileBranches:
			row.br, refs, err = l.p.branch(v)
		case FileRecords:
			row.rec, refs, err = l.p.record(v)
		case FileLicences:
			row.lic, refs, err = l.p.licence(v)
		}
		if err != nil {
			return false, err
		}
		if len(refs) > 0 {
			if skip {
				return false, nil // written by the earlier run; nothing later depends on it
			}
			l.hold(fs, heldRow{line: line, row: row, refs: refs})
			return true, nil
		}
		return false, l.admit(fs, &row, line, skip)
	}
	l.duplicate(fs, key, line, skip)
	return false, nil
}

// admit checks a parsed relationship or record row's references and
// appends it to the batch: at once for rows naming their enterprises by
// key, after matching for held rows.
func (l *Loader) admit(fs *fileState, row *oneRow, line int, skip bool) *fieldError {
	b := fs.batch
	var key string
	switch fs.kind {
	case FileShareholdings:
		s := row.sh
		key = string(s.Holder.Kind) + "\x00" + s.Holder.Key + "\x00" + s.Enterprise
		refs := []ref{{"holder", s.Holder}, {"enterprise", models.EnterpriseRef(s.Enterprise)}}
		if err := l.refs.check(refs, skip); err != nil {
			return err
		}
		if !skip {
			b.Shareholdings = append(b.Shareholdings, s)
		}
		defer l.shareSum(fs, s, key, line, skip)
	case FileLegalReps, FileOfficers:
		r := row.role
		key = r.Person + "\x00" + r.Enterprise + "\x00" + r.Title
		if err := l.refs.check([]ref{{"person_id", models.PersonRef(r.Person)}, {"enterprise", models.EnterpriseRef(r.Enterprise)}}, skip); err != nil {
			return err
		}
		if !skip {
			b.Roles = append(b.Roles, r)
		}
	case FileBranches:
		br := row.br
		key = br.Branch + "\x00" + br.Parent
		if err := l.refs.check([]ref{{"branch", models.EnterpriseRef(br.Branch)}, {"parent", models.EnterpriseRef(br.Parent)}}, skip); err != nil {
			return err
		}
		if !skip {
			b.Branches = append(b.Branches, br)
		}
	case FileRecords:
		r := row.rec
		key = r.ID
		if err := l.refs.check([]ref{{"subject", r.Subject}}, skip); err != nil {
			return err
		}
		if !skip {
			b.Records = append(b.Records, r)
		}
	case FileLicences:
		lc := row.lic
		key = lc.ID
		if err := l.refs.check([]ref{{"enterprise", models.EnterpriseRef(lc.Enterprise)}}, skip); err != nil {
			return err
		}
		if !skip {
			b.Licences = append(b.Licences, lc)
		}
	}
	l.duplicate(fs, key, line, skip)
	return nil
}

// duplicate counts a key seen before in the file (last row wins) and makes
// the batch wait for the one holding the earlier row.
func (l *Loader) duplicate(fs *fileState, key string, line int, skip bool) {
	k := l.keys.key(key)
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
	l.tally.warn(fs, Reject{File: fs.name, Line: line, Reason: fmt.Sprintf("repeats the key of line %d; this row replaces it (the last row wins)", prev),
		Fix: "remove one of the two rows if they are not meant to be the same entity or relationship"})
}

// shareSum keeps each enterprise's sum of ratios and warns once when it
// goes above 100 %.
func (l *Loader) shareSum(fs *fileState, s models.Shareholding, pairKey string, line int, skip bool) {
	if fs.shares == nil {
		fs.shares = l.keys.newIndex(9) // sum of ratios (float64), warned (1 byte)
		fs.pairs = l.keys.newIndex(4)  // ratio (float32)
	}
	e, p := l.keys.key(s.Enterprise), l.keys.key(pairKey)
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
		l.tally.warn(fs, Reject{File: fs.name, Line: line, Field: fs.label("enterprise"), Value: s.Enterprise,
			Reason: fmt.Sprintf("the shares of this enterprise in the file add up to %s%% with this row, more than 100 %%", strconv.FormatFloat(sum*100, 'f', 1, 64)),
			Fix:    "the row is loaded; check the ratios of the enterprise's shareholders (a percentage given as a fraction, a holder listed twice)"})
	}
}

// flush hands the batch being filled to the writers.
func (l *Loader) flush(ctx context.Context, fs *fileState) error {
	// Held rows first: those attached join this batch.
	if err := l.resolveHeld(ctx, fs); err != nil {
		return err
	}
	if fs.batch.Len() == 0 {
		fs.first, fs.last, fs.pending = 0, 0, 0
		return nil
	}
	b, rows, last := fs.batch, fs.pending, fs.last
	fs.batch, fs.pending, fs.first, fs.last = &store.Batch{}, 0, 0, 0
	if l.opts.DryRun {
		l.tally.acceptRows(fs, rows)
		return nil
	}
	if fs.dupDrain {
		// The batch repeats a key of a submitted batch: that one must
		// commit first, so the last row wins.
		fs.inflight.Wait()
		fs.dupDrain = false
	}
	a := &ack{last: last, rows: rows}
	fs.ackMu.Lock()
	fs.acks = append(fs.acks, a)
	fs.ackMu.Unlock()
	l.tally.update(func(sum *LoadSummary) { sum.Batches++ })
	fs.inflight.Add(1)
	what := fmt.Sprintf("%s: writing a batch of %d rows ending on line %d", fs.name, b.Len(), last)
	err := l.out.write(ctx, b, what, func(err error) {
		defer fs.inflight.Done()
		if err == nil {
			l.acknowledge(fs, a)
		}
	})
	if err != nil {
		fs.inflight.Done()
	}
	return err
}

// acknowledge counts a written batch and advances the file's checkpoint
// over the batches written without a gap.
func (l *Loader) acknowledge(fs *fileState, a *ack) {
	l.tally.acceptRows(fs, a.rows)
	fs.ackMu.Lock()
	defer fs.ackMu.Unlock()
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
		l.opts.OnBatch(BatchDone{File: fs.name, Kind: fs.kind, Rows: a.rows, Line: fs.ackLine, Accepted: l.tally.accepted.Load()})
	}
}

// finishFile writes the last batch and waits for every batch of the file.
func (l *Loader) finishFile(ctx context.Context, fs *fileState) error {
	err := l.flush(ctx, fs)
	fs.inflight.Wait()
	if err == nil {
		err = l.out.failed()
	}
	if err == nil {
		err = l.keys.err()
	}
	if err == nil && l.ckpt != nil && fs.ckKey != "" {
		fs.ackMu.Lock()
		line := fs.ackLine
		fs.ackMu.Unlock()
		l.ckpt.set(fs.ckKey, line, true)
		err = l.ckpt.save()
	}
	return err
}

// batchWriter writes batches to the store concurrently, at most n at a
// time, each in its own transaction (store.Writer.WriteBatch). The first
// error stops it: later writes fail with that error. The order of batches
// and what an acknowledged batch means for the load are the Loader's.
type batchWriter struct {
	w   Writer // nil on a dry run
	sem chan struct{}
	mu  sync.Mutex
	err error
}

func newBatchWriter(w Writer, n int) *batchWriter {
	return &batchWriter{w: w, sem: make(chan struct{}, n)}
}

// failed returns the error that stopped the writer, if any.
func (bw *batchWriter) failed() error {
	bw.mu.Lock()
	defer bw.mu.Unlock()
	return bw.err
}

// write starts writing b once fewer than n batches are in flight; done
// runs on the writing goroutine when the write ended, with nil when the
// store acknowledged the batch. what describes the batch in the error. The
// returned error is non-nil when ctx ended or an earlier batch failed; b
// was then not started and done does not run.
func (bw *batchWriter) write(ctx context.Context, b *store.Batch, what string, done func(error)) error {
	select {
	case bw.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := bw.failed(); err != nil {
		<-bw.sem
		return err
	}
	go func() {
		defer func() { <-bw.sem }()
		err := bw.w.WriteBatch(ctx, b)
		if err != nil {
			err = fmt.Errorf("ingest: %s: %w", what, err)
			bw.mu.Lock()
			if bw.err == nil {
				bw.err = err
			}
			bw.mu.Unlock()
		}
		done(err)
	}()
	return nil
}
