package memory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"riskgraph/store"
	"riskgraph/store/durable"
)

// The change feed (store.ChangeFeed). Every row — node, record,
// shareholding, role, branch, relation — carries the generation of the
// batch that last wrote it in a stamp slice beside the rows (4 bytes per
// row: a generation beyond 2^32-1 is kept as 2^32-1, which Changes
// returns for any since, more than was written, never less), set where
// the row is written (stamp). Replaying the journal sets
// the same stamps again, batch by batch. A compacted journal replays its
// rows in fewer batches and then restores the generation (entry.Generation):
// the rows' true stamps are then unknown but ≤ that generation, so every
// stamp is raised to it (restamp). Changes since an earlier generation then
// return every row — more than was written, never less — and the engine
// reads everything instead.

// LineageFile holds the data dir's lineage (store.ChangeFeed.Lineage): 32
// random hex digits written when the data dir is first opened for writing.
const LineageFile = "lineage"

// stamps are the generations of the rows' last writes, indexed like the
// rows they stamp.
type stamps struct {
	nodes, recs, shares, roles, branches, relations []uint32
}

// stampOf is a generation as a stamp.
func stampOf(gen uint64) uint32 { return uint32(min(gen, math.MaxUint32)) }

// stamp records that row i of s was written by the current batch.
func (g *graph) stamp(s *[]uint32, i int32) {
	if n := int(i) + 1; n > len(*s) {
		*s = append(*s, make([]uint32, n-len(*s))...)
	}
	(*s)[i] = stampOf(g.generation)
}

// restamp raises every stamp below gen to gen (after a compacted journal's
// rows are replayed).
func (g *graph) restamp(gen uint64) {
	st := stampOf(gen)
	for _, s := range []*[]uint32{&g.gens.nodes, &g.gens.recs, &g.gens.shares, &g.gens.roles, &g.gens.branches, &g.gens.relations} {
		for i := range *s {
			(*s)[i] = max((*s)[i], st)
		}
	}
}

// changed returns the indices of the rows of s stamped above since (and
// those whose stamp saturated).
func changed(s []uint32, since uint64) []int32 {
	var out []int32
	for i, g := range s {
		if uint64(g) > since || g == math.MaxUint32 {
			out = append(out, int32(i))
		}
	}
	return out
}

// Lineage returns the data dir's lineage, or for a store without a data
// dir one made when it was opened.
func (s *Store) Lineage(context.Context) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return "", err
	}
	return s.lineage, nil
}

// Changes returns the rows stamped above since (store.ChangeFeed): full
// rows, as Scan gives them, nodes before relationships.
func (s *Store) Changes(_ context.Context, since uint64, limit int) (*store.Batch, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.open(); err != nil {
		return nil, err
	}
	g := &s.g
	gs := &g.gens
	nodes, recs := changed(gs.nodes, since), changed(gs.recs, since)
	shares, roles := changed(gs.shares, since), changed(gs.roles, since)
	branches, relations := changed(gs.branches, since), changed(gs.relations, since)
	if n := len(nodes) + len(recs) + len(shares) + len(roles) + len(branches) + len(relations); n > limit {
		return nil, fmt.Errorf("%w: %d rows changed since generation %d, more than %d", store.ErrTooLarge, n, since, limit)
	}
	b := &store.Batch{}
	for _, id := range nodes {
		if g.nodes[id].isEnterprise() {
			b.Enterprises = append(b.Enterprises, g.enterprise(id))
		} else {
			b.Persons = append(b.Persons, g.person(id))
		}
	}
	for _, i := range recs {
		b.Records = append(b.Records, g.record(i))
	}
	for _, i := range shares {
		b.Shareholdings = append(b.Shareholdings, g.shareholding(i))
	}
	for _, i := range roles {
		b.Roles = append(b.Roles, g.role(i))
	}
	for _, i := range branches {
		b.Branches = append(b.Branches, g.branch(i))
	}
	for _, i := range relations {
		b.Relations = append(b.Relations, g.relation(i))
	}
	return b, nil
}

// newLineage returns 32 random hex digits.
func newLineage() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// readLineage returns the lineage kept in dir, creating it unless
// readOnly; a read-only open of a dir without one gets a lineage of its
// own, which matches no saved snapshot.
func readLineage(dir string, readOnly bool) (string, error) {
	path := filepath.Join(dir, LineageFile)
	raw, err := os.ReadFile(path)
	if err == nil {
		if l := strings.TrimSpace(string(raw)); l != "" {
			return l, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("data dir: %w", err)
	}
	l := newLineage()
	if readOnly {
		return l, nil
	}
	err = durable.Replace(path, func(w io.Writer) error { _, err := io.WriteString(w, l+"\n"); return err })
	if err != nil {
		return "", fmt.Errorf("data dir: lineage: %w", err)
	}
	return l, nil
}
