package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"riskgraph/ingest/keyindex"
	"riskgraph/models"
	"riskgraph/store"
)

// references validates the references of rows to entities (a shareholding's
// holder and enterprise, a role's person, a record's subject): it remembers
// the entities of this load, counts references to others (which the store
// turns into placeholders), and with RefReject asks the store, once per
// entity, whether they exist.
type references struct {
	keys   *keyIndexes
	mode   References
	reader store.Reader // nil: only the load's own entities count
	known  *keyindex.Index
	exists map[keyindex.Key]bool // store lookups (RefReject), a bounded cache
	budget int                   // size at which exists is cleared

	unresolved atomic.Int64 // references to entities this load does not hold
}

func newReferences(keys *keyIndexes, mode References, reader store.Reader, budget int) *references {
	return &references{keys: keys, mode: mode, reader: reader, known: keys.newIndex(0),
		exists: map[keyindex.Key]bool{}, budget: budget}
}

// ref is a reference from a row to an entity.
type ref struct {
	field string
	to    models.Ref
}

// remember notes an entity of this load (an enterprise key or a pid).
func (r *references) remember(key string) { r.known.Put(r.keys.key(key), nil) }

// check counts references to entities this load does not hold and, with
// RefReject, refuses the row when the store does not hold them either.
// With skip (rows a resumed load already wrote) nothing is counted.
func (r *references) check(refs []ref, skip bool) *fieldError {
	for _, rf := range refs {
		if r.known.Has(r.keys.key(rf.to.Key)) {
			continue
		}
		if r.mode != RefReject {
			if !skip {
				r.unresolved.Add(1)
			}
			continue
		}
		ok, err := r.inStore(rf.to)
		if err != nil {
			return &fieldError{Field: rf.field, Value: rf.to.Key, Reason: "could not be checked in the store: " + err.Error(),
				Fix: "check that the store is reachable and load again"}
		}
		if !ok {
			what := "enterprise"
			if rf.to.Kind == models.KindPerson {
				what = "person"
			}
			return &fieldError{Field: rf.field, Reason: fmt.Sprintf("names a %s that is neither in this load nor in the store", what),
				Fix: fmt.Sprintf("load the %s's row first (in this load or an earlier one), or load with --references placeholder to create a placeholder", what)}
		}
	}
	return nil
}

// inStore asks the store once per entity whether it exists.
func (r *references) inStore(to models.Ref) (bool, error) {
	fp := r.keys.key(string(to.Kind) + ":" + to.Key)
	if ok, seen := r.exists[fp]; seen {
		return ok, nil
	}
	if r.reader == nil {
		return false, nil
	}
	ctx := context.Background()
	var err error
	if to.Kind == models.KindPerson {
		_, err = r.reader.Person(ctx, to.Key)
	} else {
		_, err = r.reader.Enterprise(ctx, to.Key)
	}
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
	default:
		return false, err
	}
	if len(r.exists) >= r.budget {
		clear(r.exists)
	}
	r.exists[fp] = err == nil
	return err == nil, nil
}
