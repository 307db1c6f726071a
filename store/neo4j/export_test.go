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

// ScanChunk and ScanAhead are the scan's chunk size and the node streams'
// read-ahead.
const (
	ScanChunk = scanChunk
	ScanAhead = scanAhead
)

// SetRelScanAhead sets the relationship stream's read-ahead and returns a
// function that restores it.
func SetRelScanAhead(n int) (restore func()) {
	old := relScanAhead
	relScanAhead = n
	return func() { relScanAhead = old }
}
