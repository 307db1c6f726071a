package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/match"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/textnorm"
)

// Matching at ingest (docs/ingest.md). A row whose enterprise reference is
// not a key is held (matchcols.go builds its query) until a chunk of such
// rows is full or the batch being filled is flushed; then the chunk is
// resolved at once: the review queue is asked for earlier decisions on
// the same references, the matcher for the others, and each row is
// attached (written with the batch, its match score kept), queued for
// review (held in the queue, not written), or rejected with the best
// candidates named.

// Default thresholds: a row is attached from DefaultMatchAccept (the
// matcher's own match threshold) and queued for review from
// DefaultMatchReview.
const (
	DefaultMatchAccept = match.Threshold
	DefaultMatchReview = 0.7
)

// matchChunk is the most queries one resolver call carries (POST
// /api/v1/match takes 1 000); matchCandidates the candidates kept per query.
const (
	matchChunk      = 1000
	matchCandidates = 5
)

// Resolver answers a load's match queries and keeps the review queue: the
// store itself in a local load (StoreResolver), the running server when
// riskgraph ingest forwards to it (cmd/riskgraph).
type Resolver interface {
	// Match answers each query with at most limit candidates, best first
	// (match.Index.Match).
	Match(ctx context.Context, qs []match.Query, limit int) ([][]match.Candidate, error)
	// Reviews returns the queue's entries among ids (store.ReviewStore.ReviewsByID).
	Reviews(ctx context.Context, ids []string) ([]store.Review, error)
	// QueueReviews queues entries, or rows on pending ones, and returns
	// them as stored (store.ReviewStore.QueueReviews).
	QueueReviews(ctx context.Context, rs []store.Review) ([]store.Review, error)
}

// MatchOptions switch matching at ingest on and set its thresholds.
type MatchOptions struct {
	// Resolver finds candidates and keeps the review queue. Required.
	Resolver Resolver
	// Accept is the score from which a row is attached to the best
	// candidate (DefaultMatchAccept when 0); Review the score from which a
	// row goes to the review queue instead of the rejects
	// (DefaultMatchReview when 0). 0 < Review <= Accept <= 1.
	Accept, Review float64
	// AcceptFrom and ReviewFrom name where the thresholds were set
	// (a flag, a mapping key), for error messages.
	AcceptFrom, ReviewFrom string
}

// withDefaults fills in the thresholds.
func (m MatchOptions) withDefaults() MatchOptions {
	if m.Accept == 0 {
		m.Accept, m.AcceptFrom = DefaultMatchAccept, "the default accept threshold"
	}
	if m.Review == 0 {
		m.Review, m.ReviewFrom = DefaultMatchReview, "the default review threshold"
	}
	if m.AcceptFrom == "" {
		m.AcceptFrom = "the match accept threshold"
	}
	if m.ReviewFrom == "" {
		m.ReviewFrom = "the match review threshold"
	}
	return m
}

// Validate checks the thresholds, defaults filled in.
func (m MatchOptions) Validate() error {
	m = m.withDefaults()
	switch {
	case m.Resolver == nil:
		return errors.New("ingest: matching needs a resolver (MatchOptions.Resolver)")
	case !(m.Accept > 0 && m.Accept <= 1):
		return fmt.Errorf("ingest: %s %v: give a score above 0 and at most 1 (default %v)", m.AcceptFrom, m.Accept, DefaultMatchAccept)
	case !(m.Review > 0 && m.Review <= 1):
		return fmt.Errorf("ingest: %s %v: give a score above 0 and at most 1 (default %v)", m.ReviewFrom, m.Review, DefaultMatchReview)
	case m.Review > m.Accept:
		return fmt.Errorf("ingest: %s %v is above %s %v: rows scoring from the review threshold up to the accept threshold are queued for review, so give a review threshold at most the accept threshold",
			m.ReviewFrom, m.Review, m.AcceptFrom, m.Accept)
	}
	return nil
}

// ReviewID is the fingerprint of a reference to match: the data set, the
// field and the query's features folded (width, case, spaces and
// punctuation), so that the same reference read again finds its review
// entry instead of queuing another.
func ReviewID(source, field string, q match.Query) string {
	h := sha256.New()
	for _, s := range []string{source, field, q.Name, q.USCC, q.OrgCode, q.RegNo, q.Address, q.Phone, q.Email, q.LegalRep, q.Region} {
		h.Write([]byte(foldKey(s)))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// foldKey folds a feature for the fingerprint: full-width forms and case
// folded, spaces and punctuation dropped.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(textnorm.FoldString(s)) {
		if r > ' ' && !strings.ContainsRune("-_.,;:()[]{}（）【】，。、·/\\'\"", r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// StoreResolver resolves against a store the load can read: the index is
// built from one scan (match.FromStore) when the first row needing a match
// arrives — entity files are written before relationship files, so the
// load's own enterprises are in it — and kept for the rest of the load.
func StoreResolver(s ResolverStore, log zerolog.Logger) Resolver {
	return &storeResolver{s: s, log: log}
}

// ResolverStore is what StoreResolver needs of a store.
type ResolverStore interface {
	store.Scanner
	store.ReviewStore
}

type storeResolver struct {
	s   ResolverStore
	log zerolog.Logger

	mu sync.Mutex
	ix *match.Index
}

func (r *storeResolver) index(ctx context.Context) (*match.Index, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ix != nil {
		return r.ix, nil
	}
	began := time.Now()
	ix, err := match.FromStore(ctx, r.s)
	if err != nil {
		return nil, err
	}
	r.log.Info().Int("enterprises", ix.Len()).Dur("took", time.Since(began)).Msg("match index built for the load")
	r.ix = ix
	return ix, nil
}

// Match scores the queries on the index in parallel (it is read-only).
func (r *storeResolver) Match(ctx context.Context, qs []match.Query, limit int) ([][]match.Candidate, error) {
	ix, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	out := make([][]match.Candidate, len(qs))
	errs := make([]error, len(qs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(qs)) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = ix.Match(qs[i], limit)
			}
		})
	}
	for i := range qs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, errors.Join(errs...)
}

func (r *storeResolver) Reviews(ctx context.Context, ids []string) ([]store.Review, error) {
	return r.s.ReviewsByID(ctx, ids)
}

func (r *storeResolver) QueueReviews(ctx context.Context, rs []store.Review) ([]store.Review, error) {
	return r.s.QueueReviews(ctx, rs)
}

// verdict is what became of one reference.
type verdict int

const (
	vAttach verdict = iota // attached to key
	vReview                // to the review queue
	vReject                // to the rejects
)

// refOutcome is the resolution of one reference of a held row.
type refOutcome struct {
	verdict verdict
	key     string  // vAttach
	score   float64 // vAttach: the matcher's score of key
	// review is the entry the reference is queued under (vReview), or the
	// decided entry that attached or rejected it.
	review *store.Review
	cands  []match.Candidate
	// why says why a reference was rejected: the reason and the fix.
	why, fix string
}

// judge turns the candidates of a query into a verdict. A row is attached
// when the best candidate reaches the accept threshold and is the match:
// match's own decision (Candidate.Match: one best candidate, no tie) from
// its threshold up; below it, scoring strictly above the next candidate.
// Anything else reaching the review threshold — a tie at the top
// included — goes to review.
func judge(cands []match.Candidate, accept, review float64) verdict {
	if len(cands) == 0 {
		return vReject
	}
	top := cands[0]
	unique := top.Match
	if top.Score < match.Threshold {
		unique = len(cands) == 1 || cands[1].Score < top.Score
	}
	switch {
	case top.Score >= accept && unique:
		return vAttach
	case top.Score >= review:
		return vReview
	}
	return vReject
}

// heldRow is a row waiting for its enterprise references to be matched.
type heldRow struct {
	line int
	row  oneRow
	refs []refQuery
}

// oneRow is one parsed relationship or record (the file's kind says which).
type oneRow struct {
	sh   models.Shareholding
	role models.Role
	br   models.Branch
	rec  models.Record
	lic  models.Licence
}

// describeCandidates names the best candidates: "name (key, score)".
func describeCandidates(cands []match.Candidate, n int) string {
	var parts []string
	for _, c := range cands[:min(n, len(cands))] {
		parts = append(parts, fmt.Sprintf("%s (%s, %.3g)", c.Name, c.Key, c.Score))
	}
	return strings.Join(parts, "; ")
}

// reviewCandidates converts the matcher's candidates for a review entry.
func reviewCandidates(cands []match.Candidate) []store.ReviewCandidate {
	out := make([]store.ReviewCandidate, len(cands))
	for i, c := range cands {
		fm := c.Features.Map()
		names := make([]string, 0, len(fm))
		for k := range fm {
			names = append(names, k)
		}
		sort.Strings(names)
		out[i] = store.ReviewCandidate{Key: c.Key, Name: c.Name, Score: c.Score}
		for _, k := range names {
			out[i].Features = append(out[i].Features, store.ReviewFeature{Feature: k, Agreement: fm[k]})
		}
	}
	return out
}

// storeQuery is the query as a review entry keeps it.
func storeQuery(q match.Query) store.MatchQuery {
	return store.MatchQuery{Name: q.Name, OrgCode: q.OrgCode, RegNo: q.RegNo, Address: q.Address, Phone: q.Phone,
		Region: q.Region, LegalRep: q.LegalRep}
}
