package neo4j

import (
	"context"

	"riskgraph/models"
)

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
const ScanChunk = scanChunk

// SetScanAhead sets the scan streams' read-ahead and returns a function
// that restores it.
func SetScanAhead(n int) (restore func()) {
	old := scanAhead
	scanAhead = n
	return func() { scanAhead = old }
}
