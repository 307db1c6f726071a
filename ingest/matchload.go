package ingest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"riskgraph/match"
	"riskgraph/models"
	"riskgraph/store"
)

// loadMatching is a load's matching state (nil when matching is off).
type loadMatching struct {
	opts   MatchOptions
	source string
	now    func() time.Time
	dry    bool
	// created are the review entries this load queued, so that its later
	// rows naming the same reference count as queued, not as queued before.
	created map[string]bool
}

// hold keeps a row for the matcher until its chunk is resolved.
func (l *Loader) hold(fs *fileState, h heldRow) { fs.held = append(fs.held, h) }

// resolveHeld resolves the held rows of fs: earlier decisions first, the
// matcher for the rest; attached rows join the batch being filled.
func (l *Loader) resolveHeld(ctx context.Context, fs *fileState) error {
	if len(fs.held) == 0 {
		return nil
	}
	held := fs.held
	fs.held = nil
	m := l.match
	res := m.opts.Resolver

	// The references' fingerprints, each asked once.
	queries := map[string]*refQuery{}
	var order []string
	fps := make([][]string, len(held))
	for i := range held {
		fps[i] = make([]string, len(held[i].refs))
		for j := range held[i].refs {
			r := &held[i].refs[j]
			id := ReviewID(m.source, r.field, r.q)
			fps[i][j] = id
			if queries[id] == nil {
				queries[id] = r
				order = append(order, id)
			}
		}
	}
	known := map[string]store.Review{}
	for lo := 0; lo < len(order); lo += matchChunk {
		rs, err := res.Reviews(ctx, order[lo:min(lo+matchChunk, len(order))])
		if err != nil {
			return fmt.Errorf("ingest: matching: reading the review queue: %w", err)
		}
		for _, r := range rs {
			known[r.ID] = r
		}
	}
	var ask []string
	for _, id := range order {
		if _, ok := known[id]; !ok {
			ask = append(ask, id)
		}
	}
	cands := make(map[string][]match.Candidate, len(ask))
	for lo := 0; lo < len(ask); lo += matchChunk {
		chunk := ask[lo:min(lo+matchChunk, len(ask))]
		qs := make([]match.Query, len(chunk))
		for k, id := range chunk {
			qs[k] = queries[id].q
		}
		got, err := res.Match(ctx, qs, matchCandidates)
		if err != nil {
			return fmt.Errorf("ingest: matching: %w", err)
		}
		if len(got) != len(chunk) {
			return fmt.Errorf("ingest: matching: %d answers to %d queries", len(got), len(chunk))
		}
		for k, id := range chunk {
			cands[id] = got[k]
		}
	}

	// Each row: attach, queue under its one uncertain reference, or reject.
	entries := map[string]*store.Review{}
	var entryOrder []string
	waiting := map[string][]int{} // entry id → held rows queued under it
	for i := range held {
		h := &held[i]
		outs := make([]refOutcome, len(h.refs))
		for j := range h.refs {
			outs[j] = m.outcome(fps[i][j], &h.refs[j], known, cands)
		}
		var review []int
		rejected, score := -1, 1.0
		for j, o := range outs {
			switch o.verdict {
			case vReject:
				if rejected < 0 {
					rejected = j
				}
			case vReview:
				review = append(review, j)
			case vAttach:
				setRef(fs.kind, &h.row, h.refs[j].field, o.key)
				score = min(score, o.score)
			}
		}
		switch {
		case rejected >= 0:
			o := outs[rejected]
			if err := l.matchReject(fs, h, h.refs[rejected], o.why, o.fix); err != nil {
				return err
			}
		case len(review) > 1:
			var names []string
			for _, j := range review {
				names = append(names, fmt.Sprintf("%s %q (best %s)", h.refs[j].field, h.refs[j].raw, describeCandidates(outs[j].cands, 1)))
			}
			err := l.matchReject(fs, h, h.refs[review[0]], "is one of two references that need a review: "+strings.Join(names, ", "),
				"give the USCC of one of them; the review queue takes one uncertain reference per row")
			if err != nil {
				return err
			}
		case len(review) == 1:
			if len(review) < len(outs) {
				setScore(fs.kind, &h.row, score)
			}
			j := review[0]
			id := fps[i][j]
			if entries[id] == nil {
				entries[id] = m.entry(fs, h, h.refs[j], id, outs[j].cands)
				entryOrder = append(entryOrder, id)
			}
			entries[id].Rows.Append(oneBatch(fs.kind, &h.row))
			waiting[id] = append(waiting[id], i)
		default:
			if err := l.attach(fs, h, score); err != nil {
				return err
			}
		}
	}
	if len(entryOrder) == 0 {
		return nil
	}
	stored := map[string]store.Review{}
	if !m.dry {
		// Queued in chunks small enough for one request to the server.
		const perCall = 200
		for lo := 0; lo < len(entryOrder); lo += perCall {
			var rs []store.Review
			for _, id := range entryOrder[lo:min(lo+perCall, len(entryOrder))] {
				e := *entries[id]
				e.Rows = capRows(e.Rows)
				rs = append(rs, e)
			}
			got, err := res.QueueReviews(ctx, rs)
			if err != nil {
				return fmt.Errorf("ingest: matching: queuing for review: %w", err)
			}
			for _, r := range got {
				stored[r.ID] = r
			}
		}
	}
	for _, id := range entryOrder {
		st, ok := stored[id]
		if !ok {
			st = *entries[id] // a dry run: as it would be queued
		}
		_, before := known[id]
		before = before && !m.created[id]
		if !before && !m.dry {
			m.created[id] = true
		}
		for _, i := range waiting[id] {
			h := &held[i]
			switch st.Status {
			case store.ReviewAccepted: // decided while this load ran
				c, _ := st.Candidate(st.Key)
				setRef(fs.kind, &h.row, st.Field, st.Key)
				if err := l.attach(fs, h, minScore(scoreOf(fs.kind, &h.row), c.Score)); err != nil {
					return err
				}
			case store.ReviewRejected:
				why, fix := decidedReject(st)
				if err := l.matchReject(fs, h, refOf(h, st.Field), why, fix); err != nil {
					return err
				}
			default:
				if before {
					fs.counts.QueuedBefore++
				} else {
					fs.counts.Queued++
				}
			}
		}
	}
	return nil
}

// outcome resolves one reference: by an earlier decision on the same
// reference, else by the matcher's candidates.
func (m *loadMatching) outcome(id string, r *refQuery, known map[string]store.Review, cands map[string][]match.Candidate) refOutcome {
	if rv, ok := known[id]; ok {
		switch rv.Status {
		case store.ReviewAccepted:
			c, ok := rv.Candidate(rv.Key)
			if !ok || c.Score <= 0 {
				c.Score = m.opts.Accept
			}
			return refOutcome{verdict: vAttach, key: rv.Key, score: c.Score, review: &rv}
		case store.ReviewRejected:
			why, fix := decidedReject(rv)
			return refOutcome{verdict: vReject, review: &rv, why: why, fix: fix}
		}
		out := refOutcome{verdict: vReview, review: &rv}
		for _, c := range rv.Candidates {
			out.cands = append(out.cands, match.Candidate{Key: c.Key, Name: c.Name, Score: c.Score})
		}
		return out
	}
	c := cands[id]
	switch judge(c, m.opts.Accept, m.opts.Review) {
	case vAttach:
		return refOutcome{verdict: vAttach, key: c[0].Key, score: c[0].Score, cands: c}
	case vReview:
		return refOutcome{verdict: vReview, cands: c}
	}
	clue := fmt.Sprintf("%s_address, %s_phone, %s_region or %s_legal_rep", r.field, r.field, r.field, r.field)
	if len(c) == 0 {
		return refOutcome{verdict: vReject, cands: c, why: "matches no stored enterprise",
			fix: fmt.Sprintf("check the name or code; give the enterprise's USCC in %s, or load its enterprises row first (an earlier file of this load or an earlier load)", r.field)}
	}
	return refOutcome{verdict: vReject, cands: c,
		why: fmt.Sprintf("matches no stored enterprise well enough: best candidates %s (a row is attached from %v and queued for review from %v)",
			describeCandidates(c, 3), m.opts.Accept, m.opts.Review),
		fix: fmt.Sprintf("if one of them is the enterprise, give its USCC (the key above) in %s; else add clues (%s) or check the name", r.field, clue)}
}

// decidedReject is the reason and fix of a row whose reference a
// reviewer rejected.
func decidedReject(rv store.Review) (why, fix string) {
	when := ""
	if rv.Decided != nil {
		when = " on " + rv.Decided.Format(time.DateOnly)
	}
	by := ""
	if rv.DecidedBy != "" {
		by = " by " + rv.DecidedBy
	}
	return fmt.Sprintf("a reviewer rejected every candidate for this enterprise (review %s%s%s)", rv.ID, by, when),
		fmt.Sprintf("give the enterprise's USCC in %s; the decision stands for every load of this data set", rv.Field)
}

// entry is a new review entry for the reference r of row h.
func (m *loadMatching) entry(fs *fileState, h *heldRow, r refQuery, id string, cands []match.Candidate) *store.Review {
	e := &store.Review{ID: id, Source: m.source, File: fs.name, Line: h.line, Field: r.field, Query: storeQuery(r.q),
		Candidates: reviewCandidates(cands), Status: store.ReviewPending, Created: m.now().UTC()}
	if lbl := fs.label(r.field); lbl != r.field {
		e.Column = lbl
	}
	return e
}

// attach admits a held row whose references are all resolved, with the
// lowest of their scores.
func (l *Loader) attach(fs *fileState, h *heldRow, score float64) error {
	setScore(fs.kind, &h.row, score)
	var ferr *fieldError
	switch fs.kind {
	case FileShareholdings:
		if s := h.row.sh; s.Holder.Kind == models.KindEnterprise && s.Holder.Key == s.Enterprise {
			ferr = &fieldError{Field: "holder", Value: s.Enterprise, Reason: "was matched to the enterprise itself",
				Fix: "an enterprise cannot be its own shareholder; give the holder's and the enterprise's USCC"}
		}
	case FileBranches:
		ferr = checkBranch(h.row.br)
	}
	if ferr == nil {
		ferr = l.admit(fs, &h.row, h.line, false)
	}
	if ferr != nil {
		r := Reject{File: fs.name, Line: h.line, Field: fs.label(ferr.Field), Value: ferr.Value, Reason: ferr.Reason, Fix: ferr.Fix}
		l.tally.reject(fs, r)
		return l.checkAbort()
	}
	fs.pending++
	fs.counts.Matched++
	return nil
}

// matchReject refuses a held row because of its reference r.
func (l *Loader) matchReject(fs *fileState, h *heldRow, r refQuery, why, fix string) error {
	fs.counts.MatchRejected++
	l.tally.reject(fs, Reject{File: fs.name, Line: h.line, Field: fs.label(r.field), Value: r.raw, Reason: why, Fix: fix})
	return l.checkAbort()
}

// refOf returns the row's reference of field.
func refOf(h *heldRow, field string) refQuery {
	for _, r := range h.refs {
		if r.field == field {
			return r
		}
	}
	return refQuery{field: field}
}

// setRef sets the enterprise reference field of a row of kind.
func setRef(kind FileKind, row *oneRow, field, key string) {
	switch kind {
	case FileShareholdings:
		if field == "holder" {
			row.sh.Holder = models.EnterpriseRef(key)
		} else {
			row.sh.Enterprise = key
		}
	case FileLegalReps, FileOfficers:
		row.role.Enterprise = key
	case FileBranches:
		if field == "parent" {
			row.br.Parent = key
		} else {
			row.br.Branch = key
		}
	case FileRecords:
		row.rec.Subject = models.EnterpriseRef(key)
	case FileLicences:
		row.lic.Enterprise = key
	}
}

// setScore sets a row's match score.
func setScore(kind FileKind, row *oneRow, score float64) {
	switch kind {
	case FileShareholdings:
		row.sh.MatchScore = score
	case FileLegalReps, FileOfficers:
		row.role.MatchScore = score
	case FileBranches:
		row.br.MatchScore = score
	case FileRecords:
		row.rec.MatchScore = score
	case FileLicences:
		row.lic.MatchScore = score
	}
}

// scoreOf returns a row's match score.
func scoreOf(kind FileKind, row *oneRow) float64 {
	switch kind {
	case FileShareholdings:
		return row.sh.MatchScore
	case FileLegalReps, FileOfficers:
		return row.role.MatchScore
	case FileBranches:
		return row.br.MatchScore
	case FileRecords:
		return row.rec.MatchScore
	case FileLicences:
		return row.lic.MatchScore
	}
	return 0
}

// minScore is the lower of two scores, a zero one (no score) ignored.
func minScore(a, b float64) float64 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

// oneBatch is a row as a one-row batch.
func oneBatch(kind FileKind, row *oneRow) *store.Batch {
	var b store.Batch
	switch kind {
	case FileShareholdings:
		b.Shareholdings = []models.Shareholding{row.sh}
	case FileLegalReps, FileOfficers:
		b.Roles = []models.Role{row.role}
	case FileBranches:
		b.Branches = []models.Branch{row.br}
	case FileRecords:
		b.Records = []models.Record{row.rec}
	case FileLicences:
		b.Licences = []models.Licence{row.lic}
	}
	return &b
}

// capRows keeps at most store.MaxReviewRows rows of a new entry (the
// queue holds no more; the rest attach by the decision when the load is
// run again).
func capRows(b store.Batch) store.Batch {
	var r store.Review
	r.AddRows(b)
	return r.Rows
}
