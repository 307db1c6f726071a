package store

import (
	"sort"

	"riskgraph/models"
)

// SortRecords orders records newest decision first, then by id.
func SortRecords(rs []models.Record) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if !a.Decided.Equal(b.Decided.Time) {
			return a.Decided.After(b.Decided.Time)
		}
		return a.ID < b.ID
	})
}

// SortHits orders search hits best first, then by name and reference.
func SortHits(hs []Hit) {
	sort.Slice(hs, func(i, j int) bool {
		a, b := hs[i], hs[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Ref.Less(b.Ref)
	})
}

// SortRuns orders runs newest start first, then by id.
func SortRuns(rs []Run) {
	sort.Slice(rs, func(i, j int) bool {
		if !rs[i].Started.Equal(rs[j].Started) {
			return rs[i].Started.After(rs[j].Started)
		}
		return rs[i].ID > rs[j].ID
	})
}
