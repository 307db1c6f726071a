package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"riskgraph/models"
	"riskgraph/store"
)

// collect runs one statement in a read transaction and hands every record
// to fn. fn runs inside the transaction, which the driver may retry, so it
// must only accumulate into state that the caller resets via reset.
func (s *Store) collect(ctx context.Context, op, name string, params map[string]any, reset func(), fn func(*driver.Record) error) error {
	return s.read(ctx, op, func(tx driver.ManagedTransaction) error {
		if reset != nil {
			reset()
		}
		res, err := tx.Run(ctx, stmt(name), params)
		if err != nil {
			return err
		}
		for res.Next(ctx) {
			if err := fn(res.Record()); err != nil {
				return err
			}
		}
		return res.Err()
	})
}

// readOnce runs one read statement in an auto-commit transaction (the
// driver's session.Run): RUN and PULL in one round trip, where a managed
// transaction adds BEGIN before and COMMIT after (a second round trip).
// The driver does not retry it: a transient failure is the caller's
// error. fn sees every record.
func (s *Store) readOnce(ctx context.Context, op, name string, params map[string]any, fn func(*driver.Record) error) error {
	if s.closed.Load() {
		return fmt.Errorf("neo4j %s: %w: store is closed", op, store.ErrUnavailable)
	}
	return translate(op, s.readOnceRaw(ctx, name, params, fn))
}

// readOnceRaw is readOnce with the driver's errors as they came (fn's are
// returned as they are either way).
func (s *Store) readOnceRaw(ctx context.Context, name string, params map[string]any, fn func(*driver.Record) error) error {
	sess := s.session(ctx, driver.AccessModeRead)
	defer sess.Close(context.WithoutCancel(ctx))
	res, err := sess.Run(ctx, stmt(name), params)
	if err != nil {
		return err
	}
	for res.Next(ctx) {
		if err := fn(res.Record()); err != nil {
			return err
		}
	}
	return res.Err()
}

// readOne runs one idempotent read statement: in an auto-commit
// transaction first (readOnce, one round trip), and, when that fails with
// an error the driver would retry a managed transaction after
// (retryableRead: a connection lost, a cluster member leaving, a
// transient database error), again as a managed read transaction with the
// driver's retries (collect). reset runs before each try. The single reads
// of hot answers use it (Enterprise and Person, behind /risk and the
// profiles): their common case costs one round trip instead of two, and a
// transient failure is still retried.
func (s *Store) readOne(ctx context.Context, op, name string, params map[string]any, reset func(), fn func(*driver.Record) error) error {
	if s.closed.Load() {
		return fmt.Errorf("neo4j %s: %w: store is closed", op, store.ErrUnavailable)
	}
	reset()
	err := s.readOnceRaw(ctx, name, params, fn)
	if err == nil || !retryableRead(err) || ctx.Err() != nil {
		return translate(op, err)
	}
	return s.collect(ctx, op, name, params, reset, fn)
}

// retryableRead reports whether the driver would retry a managed
// transaction after err (driver.IsRetryable; for a read, that it was
// sent does not matter: running it again changes nothing).
func retryableRead(err error) bool { return driver.IsRetryable(err) }

// Enterprise returns the enterprise whose key or USCC is keyOrUSCC.
func (s *Store) Enterprise(ctx context.Context, keyOrUSCC string) (models.Enterprise, error) {
	var (
		e     models.Enterprise
		found bool
	)
	err := s.readOne(ctx, "get enterprise", qEnterpriseGet, map[string]any{"key": keyOrUSCC},
		func() { found = false },
		func(r *driver.Record) error {
			if props, ok := r.Values[0].(map[string]any); ok {
				e, found = enterpriseOf(props), true
			}
			return nil
		})
	if err != nil {
		return models.Enterprise{}, err
	}
	if !found {
		return models.Enterprise{}, fmt.Errorf("enterprise %q: %w", keyOrUSCC, store.ErrNotFound)
	}
	return e, nil
}

// Person returns the person with the given pid.
func (s *Store) Person(ctx context.Context, pid string) (models.Person, error) {
	var (
		p     models.Person
		found bool
	)
	err := s.readOne(ctx, "get person", qPersonGet, map[string]any{"pid": pid},
		func() { found = false },
		func(r *driver.Record) error {
			if props, ok := r.Values[0].(map[string]any); ok {
				p, found = personOf(props), true
			}
			return nil
		})
	if err != nil {
		return models.Person{}, err
	}
	if !found {
		return models.Person{}, fmt.Errorf("person %q: %w", pid, store.ErrNotFound)
	}
	return p, nil
}

// Records returns a subject's credit records, newest decision first. An
// unknown subject has none.
func (s *Store) Records(ctx context.Context, subject models.Ref) ([]models.Record, error) {
	var name string
	switch subject.Kind {
	case models.KindEnterprise:
		name = qRecordsOfEnterprise
	case models.KindPerson:
		name = qRecordsOfPerson
	default:
		return nil, nil
	}
	var out []models.Record
	err := s.collect(ctx, "get records", name, map[string]any{"key": subject.Key},
		func() { out = out[:0] },
		func(r *driver.Record) error {
			if n, ok := r.Values[0].(dbtype.Node); ok {
				out = append(out, recordOf(n.Props, subject))
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	store.SortRecords(out)
	return out, nil
}

// RecordsOf returns the records of several subjects in one query, each
// newest decision first; subjects without records are absent.
func (s *Store) RecordsOf(ctx context.Context, subjects []models.Ref) (map[models.Ref][]models.Record, error) {
	var ents, pers []string
	for _, ref := range subjects {
		switch ref.Kind {
		case models.KindEnterprise:
			ents = append(ents, ref.Key)
		case models.KindPerson:
			pers = append(pers, ref.Key)
		}
	}
	out := map[models.Ref][]models.Record{}
	if len(ents)+len(pers) == 0 {
		return out, nil
	}
	err := s.collect(ctx, "get records", qRecordsOfMany, map[string]any{"enterprises": ents, "persons": pers},
		func() { clear(out) },
		func(r *driver.Record) error {
			kind, _ := r.Values[0].(string)
			key, _ := r.Values[1].(string)
			n, ok := r.Values[2].(dbtype.Node)
			if !ok {
				return nil
			}
			ref := models.Ref{Kind: models.NodeKind(kind), Key: key}
			if _, seen := out[ref]; !seen || !slices.ContainsFunc(out[ref], func(x models.Record) bool { return x.ID == str(n.Props, "id") }) {
				out[ref] = append(out[ref], recordOf(n.Props, ref))
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, rs := range out {
		store.SortRecords(rs)
	}
	return out, nil
}

// Expand returns the relationships of nodes whose type is in types (all
// when empty), in both directions, with both endpoints. As in the memory
// backend, a relationship between two of the given nodes appears once for
// each of them.
func (s *Store) Expand(ctx context.Context, nodes []models.Ref, types []models.RelType) ([]store.Edge, map[models.Ref]store.Node, error) {
	keys := map[models.NodeKind][]string{}
	for _, n := range nodes {
		keys[n.Kind] = append(keys[n.Kind], n.Key)
	}
	typeNames := make([]string, 0, len(types))
	for _, t := range types {
		typeNames = append(typeNames, string(t))
	}
	var edges []store.Edge
	known := map[models.Ref]store.Node{}
	for _, q := range []struct {
		kind models.NodeKind
		name string
	}{
		{models.KindEnterprise, qExpandEnterprise},
		{models.KindPerson, qExpandPerson},
		{models.KindRecord, qExpandRecord},
	} {
		if len(keys[q.kind]) == 0 {
			continue
		}
		var found []store.Edge
		seen := map[models.Ref]store.Node{}
		err := s.collect(ctx, "expand", q.name, map[string]any{"keys": keys[q.kind], "types": typeNames},
			func() { found, seen = found[:0], map[models.Ref]store.Node{} },
			func(r *driver.Record) error { edgeRow(r, &found, seen); return nil })
		if err != nil {
			return nil, nil, err
		}
		edges = append(edges, found...)
		for ref, n := range seen {
			known[ref] = n
		}
	}
	return edges, known, nil
}

// Upward returns what leads up from the enterprises keys (store.Reader):
// one statement for all of them, each of its patterns directed.
func (s *Store) Upward(ctx context.Context, keys []string) ([]store.Edge, map[models.Ref]store.Node, error) {
	if len(keys) == 0 {
		return nil, map[models.Ref]store.Node{}, nil
	}
	var found []store.Edge
	seen := map[models.Ref]store.Node{}
	err := s.collect(ctx, "upward", qExpandUpward, map[string]any{"keys": keys},
		func() { found, seen = found[:0], map[models.Ref]store.Node{} },
		func(r *driver.Record) error { edgeRow(r, &found, seen); return nil })
	if err != nil {
		return nil, nil, err
	}
	return found, seen, nil
}

// edgeRow reads a row of (type, props, source, target) into an edge and
// its endpoints' nodes; a row it cannot read (an endpoint of another
// label) is skipped.
func edgeRow(r *driver.Record, found *[]store.Edge, seen map[models.Ref]store.Node) {
	typ, _ := r.Values[0].(string)
	props, _ := r.Values[1].(map[string]any)
	from, _ := r.Values[2].(dbtype.Node)
	to, _ := r.Values[3].(dbtype.Node)
	fromRef, ok1 := refOf(from)
	toRef, ok2 := refOf(to)
	if !ok1 || !ok2 {
		return
	}
	e, ok := edgeOf(typ, props, fromRef, toRef)
	if !ok {
		return
	}
	*found = append(*found, e)
	for _, end := range []struct {
		ref  models.Ref
		node dbtype.Node
	}{{fromRef, from}, {toRef, to}} {
		if _, done := seen[end.ref]; !done {
			seen[end.ref] = nodeOf(end.node, end.ref)
		}
	}
}

// Search finds enterprises and persons by name through the full-text index
// and enterprises by exact key or USCC. The user's text is searched as one
// literal phrase: Lucene syntax in it has no effect. Scores follow the
// memory backend: an exact USCC or name 1, a name prefix 0.8, a name that
// contains the text 0.5; other index matches (e.g. across punctuation)
// score below 0.5, by their relevance.
func (s *Store) Search(ctx context.Context, q string, limit int) ([]store.Hit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, fmt.Errorf("%w: empty search query", store.ErrInvalid)
	}
	if limit < 1 {
		return nil, nil
	}
	best := map[models.Ref]store.Hit{}
	keep := func(h store.Hit) {
		if old, ok := best[h.Ref]; !ok || h.Score > old.Score {
			best[h.Ref] = h
		}
	}

	var byCode []store.Hit
	err := s.collect(ctx, "search", qSearchCode, map[string]any{"key": q, "code": strings.ToUpper(q)},
		func() { byCode = byCode[:0] },
		func(r *driver.Record) error {
			if n, ok := r.Values[0].(dbtype.Node); ok {
				e := enterpriseOf(n.Props)
				byCode = append(byCode, store.Hit{Ref: e.Ref(), Name: e.Name, USCC: e.USCC, Score: 1})
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, h := range byCode {
		keep(h)
	}

	if phrase, ok := lucenePhrase(q); ok {
		type match struct {
			hit   store.Hit
			score float64
		}
		var matches []match
		// Fetch more than limit: the re-scoring below may reorder them.
		candidates := min(2*limit+20, 1000)
		err := s.collect(ctx, "search", qSearchNames, map[string]any{"query": phrase, "limit": candidates},
			func() { matches = matches[:0] },
			func(r *driver.Record) error {
				n, ok := r.Values[0].(dbtype.Node)
				score, _ := r.Values[1].(float64)
				ref, known := refOf(n)
				if !ok || !known || ref.Kind == models.KindRecord {
					return nil
				}
				h := store.Hit{Ref: ref, Name: str(n.Props, "name")}
				if ref.Kind == models.KindEnterprise {
					h.USCC = str(n.Props, "uscc")
				}
				matches = append(matches, match{h, score})
				return nil
			})
		if err != nil {
			return nil, err
		}
		top := 0.0
		for _, m := range matches {
			top = max(top, m.score)
		}
		lq := strings.ToLower(q)
		for _, m := range matches {
			ln := strings.ToLower(m.hit.Name)
			switch {
			case ln == lq:
				m.hit.Score = 1
			case strings.HasPrefix(ln, lq):
				m.hit.Score = 0.8
			case strings.Contains(ln, lq):
				m.hit.Score = 0.5
			case top > 0:
				m.hit.Score = 0.4 * m.score / top
			}
			keep(m.hit)
		}
	}

	hits := make([]store.Hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	store.SortHits(hits)
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// lucenePhrase quotes text as one Lucene phrase query, escaping the only
// characters that are special inside quotes (the backslash and the double
// quote), so operators, wildcards, field names and brackets in the text are
// taken literally and then analyzed like the indexed names. ok is false
// when the text has no letter or digit, which could match nothing.
func lucenePhrase(text string) (string, bool) {
	if strings.IndexFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return "", false
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range text {
		if r == '\\' || r == '"' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String(), true
}
