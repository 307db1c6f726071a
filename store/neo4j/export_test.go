package neo4j

import (
	"context"
	"errors"

	"riskgraph/models"
	"riskgraph/store"
)

// ErrDeclined: the one-statement read declined the walk (a first ring
// larger than the limit, or a root named by another USCC).
var ErrDeclined = errors.New("network.cypher declined")

// NeighbourhoodInOneRead is Neighbourhood without its fallback: the walk
// over network.cypher's answer alone. It fails with ErrDeclined when the
// statement declined and with errNotRead when the walk asked beyond it.
func NeighbourhoodInOneRead(ctx context.Context, s *Store, root models.Ref, depth int, types []models.RelType, limit int) (store.Graph, error) {
	net, err := s.readNetwork(ctx, root, depth, types, limit)
	if err != nil {
		return store.Graph{}, err
	}
	if net == nil {
		return store.Graph{}, ErrDeclined
	}
	return store.WalkNeighbourhood(ctx, net, root, depth, types, limit)
}

// ResolveIDs runs the scan's lookup of nodes by internal id (scan_refs)
// for ids met only in relationship rows, and returns the references it
// found; ids of nodes that are no enterprise or person are left out.
func ResolveIDs(ctx context.Context, s *Store, ids []int64) (map[int64]models.Ref, error) {
	var m refsByID
	rels := make([]relRow, len(ids))
	for i, id := range ids {
		rels[i] = relRow{from: id, to: -1}
	}
	if err := s.resolve(ctx, &m, nil, rels); err != nil {
		return nil, err
	}
	out := map[int64]models.Ref{}
	for _, id := range ids {
		if r, ok := m.get(id); ok {
			out[id] = r
		}
	}
	return out, nil
}

// ScanChunk is the number of keys a scan statement reads.
var ScanChunk = scanChunk

// SetScanChunk sets the number of keys a scan statement reads and returns
// a function that restores it.
func SetScanChunk(n int) (restore func()) {
	old := scanChunk
	scanChunk = n
	return func() { scanChunk = old }
}

// SetScanAhead sets the scan streams' read-ahead and returns a function
// that restores it.
func SetScanAhead(n int) (restore func()) {
	old := scanAhead
	scanAhead = n
	return func() { scanAhead = old }
}

// SetScanSessions sets how many sessions read each of s's scan streams and
// returns a function that restores it.
func SetScanSessions(s *Store, n int) (restore func()) {
	old := s.scanSessions
	s.scanSessions = n
	return func() { s.scanSessions = old }
}

// SetScanPartMin sets the fewest keys a scan gives a key range of its own
// and returns a function that restores it.
func SetScanPartMin(n int) (restore func()) {
	old := scanPartMin
	scanPartMin = n
	return func() { scanPartMin = old }
}

// ScanRanges returns how many key ranges a scan of s would read the
// enterprises and the persons in.
func ScanRanges(ctx context.Context, s *Store) (enterprises, persons int, err error) {
	sz, _, err := s.countScan(ctx)
	if err != nil {
		return 0, 0, err
	}
	e, err := s.keyRanges(ctx, qScanSplitEnterprises, qScanLastEnterprises, sz.Enterprises)
	if err != nil {
		return 0, 0, err
	}
	p, err := s.keyRanges(ctx, qScanSplitPersons, qScanLastPersons, sz.Persons)
	return len(e), len(p), err
}

// SetScanIDChunk sets how many relationship ids a by-id statement covers
// and returns a function that restores it.
func SetScanIDChunk(n int64) (restore func()) {
	old := scanIDChunk
	scanIDChunk = n
	return func() { scanIDChunk = old }
}

// SetRelsByID makes the projection scan read relationships by internal id
// (true) or enterprise by enterprise (false), whatever the memory limit,
// and returns a function that restores the rule.
func SetRelsByID(on bool) (restore func()) {
	old := relsByID
	relsByID = func() bool { return on }
	return func() { relsByID = old }
}
