// Package ranking answers top-risk questions: rankings filtered by region,
// industry, grade and flag, score distributions and the flags feed. Each
// engine run's results are published to Redis as sorted sets (Publish, to
// be called once a run is promoted); without Redis, or while it is down,
// the same answers come from an index built in process from the store.
package ranking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"riskgraph/models"
	"riskgraph/store"
)

// Entry is one scored entity.
type Entry struct {
	Ref      models.Ref `json:"ref"`
	Name     string     `json:"name"`
	Score    float64    `json:"score"`
	Grade    string     `json:"grade"`
	Flags    []string   `json:"flags,omitempty"`
	Region   string     `json:"region,omitempty"`
	Industry string     `json:"industry,omitempty"`
	Run      string     `json:"run"`
}

// Filter selects ranked enterprises; empty fields do not filter.
type Filter struct {
	Region   string // a GB/T 2260 code at province (440000), city (440300) or county level
	Industry string
	Grade    string
	Flag     string
}

// Index holds every scored entity of one run, enterprises ranked score
// descending, then key descending (Redis's ZREVRANGE order for ties).
type Index struct {
	Run         string
	Enterprises []Entry
	Persons     []Entry
}

var errNodesDone = errors.New("nodes done")

// Build scans the store's nodes (not its relationships) into an index.
func Build(ctx context.Context, s store.Scanner) (*Index, error) {
	ix := &Index{}
	err := s.Scan(ctx, 5000, func(b *store.Batch) error {
		for _, e := range b.Enterprises {
			if e.Risk == nil || e.Placeholder {
				continue
			}
			ix.Enterprises = append(ix.Enterprises, Entry{Ref: e.Ref(), Name: e.Name, Score: e.Risk.Score, Grade: e.Risk.Grade,
				Flags: e.Risk.Flags, Region: e.Region, Industry: e.Industry, Run: e.Risk.Run})
		}
		for _, p := range b.Persons {
			if p.Risk == nil || len(p.Risk.Flags) == 0 {
				continue
			}
			ix.Persons = append(ix.Persons, Entry{Ref: p.Ref(), Name: p.Name, Score: p.Risk.Score, Grade: p.Risk.Grade, Flags: p.Risk.Flags, Run: p.Risk.Run})
		}
		// Nodes come first; the page where relationships begin may still
		// hold the last nodes, read above. Nothing after it is needed.
		if len(b.Shareholdings)+len(b.Roles)+len(b.Branches)+len(b.Relations) > 0 {
			return errNodesDone
		}
		return nil
	})
	if err != nil && !errors.Is(err, errNodesDone) {
		return nil, err
	}
	order := func(a, b Entry) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return -strings.Compare(a.Ref.Key, b.Ref.Key)
	}
	slices.SortFunc(ix.Enterprises, order)
	slices.SortFunc(ix.Persons, order)
	for _, e := range ix.Enterprises {
		if e.Run > ix.Run {
			ix.Run = e.Run
		}
	}
	return ix, nil
}

// regionLevel returns the prefix of a division code that a filter at its
// level matches: 440000 → "44", 440300 → "4403", 440305 → "440305".
func regionPrefix(code string) string {
	switch {
	case len(code) == 6 && strings.HasSuffix(code, "0000"):
		return code[:2]
	case len(code) == 6 && strings.HasSuffix(code, "00"):
		return code[:4]
	}
	return code
}

// ValidateFilter checks a filter's shape; the error says what to change.
func ValidateFilter(f Filter) error {
	if f.Region != "" && (len(f.Region) != 6 || strings.Trim(f.Region, "0123456789") != "") {
		return fmt.Errorf("region %q: give a 6-digit GB/T 2260 code (440000 province, 440300 city, 440305 county)", f.Region)
	}
	if f.Grade != "" && !slices.Contains([]string{"A", "B", "C", "D"}, f.Grade) {
		return fmt.Errorf("grade %q: use A, B, C or D", f.Grade)
	}
	for name, v := range map[string]string{"industry": f.Industry, "flag": f.Flag} {
		if len(v) > 64 {
			return fmt.Errorf("%s is %d characters long; use at most 64", name, len(v))
		}
	}
	return nil
}

// Match reports whether e passes f.
func (f Filter) Match(e Entry) bool {
	return (f.Region == "" || strings.HasPrefix(e.Region, regionPrefix(f.Region))) &&
		(f.Industry == "" || e.Industry == f.Industry) &&
		(f.Grade == "" || e.Grade == f.Grade) &&
		(f.Flag == "" || slices.Contains(e.Flags, f.Flag))
}

// Top returns the page [offset, offset+limit) of enterprises passing f and
// the number that pass.
func (ix *Index) Top(f Filter, offset, limit int) ([]Entry, int) {
	out := []Entry{}
	total := 0
	for _, e := range ix.Enterprises {
		if !f.Match(e) {
			continue
		}
		if total >= offset && len(out) < limit {
			out = append(out, e)
		}
		total++
	}
	return out, total
}

// Group is one row of a distribution.
type Group struct {
	Key    string         `json:"key"`
	Name   string         `json:"name,omitempty" mask:"public"` // of the region or industry
	Count  int            `json:"count"`
	Mean   float64        `json:"mean"`
	Grades map[string]int `json:"grades" mask:"public"` // counts by grade, A to D
	// Histogram counts scores in ten buckets [0,0.1), [0.1,0.2) … [0.9,1].
	Histogram [10]int `json:"histogram"`
}

// Stats groups the enterprises passing f by "province", "city" or
// "industry", in key order (the dashboard's charts follow its filters).
func (ix *Index) Stats(by string, f Filter) []Group {
	groups := map[string]*Group{}
	for _, e := range ix.Enterprises {
		if !f.Match(e) {
			continue
		}
		var k string
		switch by {
		case "industry":
			k = e.Industry
		case "city":
			if len(e.Region) >= 4 {
				k = e.Region[:4] + "00"
			}
		default:
			if len(e.Region) >= 2 {
				k = e.Region[:2] + "0000"
			}
		}
		if k == "" {
			k = "unknown"
		}
		g := groups[k]
		if g == nil {
			g = &Group{Key: k, Grades: map[string]int{}}
			if by != "industry" && k != "unknown" {
				r := models.LookupRegion(k)
				g.Name = r.Province + r.City
			}
			groups[k] = g
		}
		g.Count++
		g.Mean += e.Score
		g.Grades[e.Grade]++
		g.Histogram[min(int(e.Score*10), 9)]++
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		g.Mean /= float64(g.Count)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Flagged lists entities with flags (one flag when flag is set),
// enterprises then persons, each by score descending.
func (ix *Index) Flagged(flag string, offset, limit int) ([]Entry, int) {
	out := []Entry{}
	total := 0
	for _, list := range [][]Entry{ix.Enterprises, ix.Persons} {
		for _, e := range list {
			if len(e.Flags) == 0 || (flag != "" && !slices.Contains(e.Flags, flag)) {
				continue
			}
			if total >= offset && len(out) < limit {
				out = append(out, e)
			}
			total++
		}
	}
	return out, total
}
