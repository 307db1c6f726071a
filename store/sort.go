package store

import (
	"context"
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

// Paginate feeds all to fn in pages of at most size rows, nodes first
// (enterprises, persons, records), then relationships.
func Paginate(ctx context.Context, all *Batch, size int, fn func(*Batch) error) error {
	page := &Batch{}
	flush := func() error {
		if page.Len() == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		err := fn(page)
		page = &Batch{}
		return err
	}
	add := func(n int, put func(i int)) error {
		for i := 0; i < n; i++ {
			put(i)
			if page.Len() == size {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	}
	steps := []func() error{
		func() error {
			return add(len(all.Enterprises), func(i int) { page.Enterprises = append(page.Enterprises, all.Enterprises[i]) })
		},
		func() error {
			return add(len(all.Persons), func(i int) { page.Persons = append(page.Persons, all.Persons[i]) })
		},
		func() error {
			return add(len(all.Records), func(i int) { page.Records = append(page.Records, all.Records[i]) })
		},
		func() error {
			return add(len(all.Shareholdings), func(i int) { page.Shareholdings = append(page.Shareholdings, all.Shareholdings[i]) })
		},
		func() error {
			return add(len(all.Roles), func(i int) { page.Roles = append(page.Roles, all.Roles[i]) })
		},
		func() error {
			return add(len(all.Branches), func(i int) { page.Branches = append(page.Branches, all.Branches[i]) })
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return flush()
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
