package report

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"riskgraph/models"
	"riskgraph/scenario"
	"riskgraph/store"
)

var update = flag.Bool("update", false, "rewrite the want sections of the testdata scenarios")

// TestSections builds a report from each testdata/sections/*.txt file and
// prints its sections. A file gives the two runs' results ("previous",
// "current": one entity per line, "key score grade [region industry]
// [flags,…]", persons as person:<pid>), the serious records in force in
// each ("serious-previous", "serious-current": "id subject"), watch-lists
// ("watchlists": "id: key key …"), and optional "scope" (region=…
// industry=… watchlist=…) and "top" (risers listed). A new case is a new
// file; -update writes its want section for review.
func TestSections(t *testing.T) {
	scenario.Run(t, "testdata/sections/*.txt", *update, func(t *testing.T, f *scenario.File) string {
		in := Input{Current: snapshotOf(t, f, "current"), Previous: snapshotOf(t, f, "previous")}
		if in.Previous == nil {
			t.Fatal("no previous section")
		}
		if s, ok := f.Get("watchlists"); ok {
			for _, line := range lines(s) {
				id, keys, _ := strings.Cut(line, ":")
				in.Watchlists = append(in.Watchlists, store.Watchlist{ID: id, Keys: strings.Fields(keys)})
			}
		}
		if s, ok := f.Get("scope"); ok {
			for _, kv := range strings.Fields(s) {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "region":
					in.Scope.Region = v
				case "industry":
					in.Scope.Industry = v
				case "watchlist":
					in.Scope.Watchlist = v
				}
			}
		}
		if s, ok := f.Get("top"); ok {
			in.Top, _ = strconv.Atoi(strings.TrimSpace(s))
		}
		d, err := Build(context.Background(), in)
		if err != nil {
			return "error: " + err.Error()
		}
		return printDocument(d)
	})
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// snapshotOf reads section name (and serious-<name>) as a run's snapshot.
func snapshotOf(t *testing.T, f *scenario.File, name string) *Snapshot {
	body, ok := f.Get(name)
	if !ok {
		return nil
	}
	s := &Snapshot{Run: name, Serious: map[string]string{}}
	for _, line := range lines(body) {
		fs := strings.Fields(line)
		if len(fs) < 3 {
			t.Fatalf("%s: %q: want key score grade [region industry] [flags]", name, line)
		}
		ref := models.EnterpriseRef(fs[0])
		if pid, ok := strings.CutPrefix(fs[0], "person:"); ok {
			ref = models.PersonRef(pid)
		}
		score, err := strconv.ParseFloat(fs[1], 64)
		if err != nil {
			t.Fatalf("%s: %q: %v", name, line, err)
		}
		e := Entity{Ref: ref, Score: score, Grade: fs[2]}
		rest := fs[3:]
		if len(rest) >= 2 && ref.Kind == models.KindEnterprise {
			e.Region, e.Industry, rest = rest[0], rest[1], rest[2:]
		}
		if len(rest) > 0 {
			e.Flags = strings.Split(rest[0], ",")
		}
		s.Entities = append(s.Entities, e)
	}
	slices.SortFunc(s.Entities, func(a, b Entity) int { return compareRef(a.Ref, b.Ref) })
	if sr, ok := f.Get("serious-" + name); ok {
		for _, line := range lines(sr) {
			id, subject, _ := strings.Cut(line, " ")
			s.Serious[id] = strings.TrimSpace(subject)
		}
	}
	return s
}

// printDocument renders every section of d, one line per item.
func printDocument(d *Document) string {
	var b strings.Builder
	sm := d.Summary
	fmt.Fprintf(&b, "summary: entities %d, entered C/D %d, worsened %d, improved %d, new flags %d, new records %d, restricted %d, watched changed %d\n",
		sm.Entities, sm.EnteredCD, sm.Worsened, sm.Improved, sm.NewFlags, sm.NewRecords, sm.Restricted, sm.WatchedMoved)
	for _, g := range d.EnteredCD {
		fmt.Fprintf(&b, "entered C/D: %s %q -> %s (%.4g -> %.4g)\n", g.Ref, g.Before, g.After, g.ScoreBefore, g.ScoreAfter)
	}
	for _, g := range d.GradeChanges {
		fmt.Fprintf(&b, "grade change: %s %s -> %s (%+.4g)\n", g.Ref, g.Before, g.After, g.Delta)
	}
	for _, nf := range d.NewFlags {
		fmt.Fprintf(&b, "new flag: %s %s\n", nf.Ref, nf.Flag)
	}
	for _, r := range d.RestrictedAppointments {
		fmt.Fprintf(&b, "restricted appointment: %s\n", r.Ref)
	}
	for _, r := range d.TopRisers {
		fmt.Fprintf(&b, "riser: %s %+.4g (%s -> %s)\n", r.Ref, r.Delta, r.GradeBefore, r.GradeAfter)
	}
	for _, r := range d.NewRecords {
		fmt.Fprintf(&b, "new record: %s on %s\n", r.ID, r.Subject.Ref)
	}
	for _, w := range d.Watched {
		fmt.Fprintf(&b, "watched: %s in %s: %s -> %s", w.Ref, strings.Join(w.Watchlists, ","), w.Before, w.After)
		if len(w.FlagsAdded) > 0 {
			fmt.Fprintf(&b, " +%s", strings.Join(w.FlagsAdded, ",+"))
		}
		if len(w.FlagsGone) > 0 {
			fmt.Fprintf(&b, " -%s", strings.Join(w.FlagsGone, ",-"))
		}
		if len(w.NewRecords) > 0 {
			fmt.Fprintf(&b, " records %s", strings.Join(w.NewRecords, ","))
		}
		if w.Missing {
			b.WriteString(" missing")
		}
		b.WriteString("\n")
	}
	for _, a := range d.ByRegion {
		fmt.Fprintf(&b, "region %s: entered %d worsened %d improved %d flags %d records %d\n", a.Code, a.EnteredCD, a.Worsened, a.Improved, a.NewFlags, a.NewRecords)
	}
	for _, a := range d.ByIndustry {
		fmt.Fprintf(&b, "industry %s: entered %d worsened %d improved %d flags %d records %d\n", a.Code, a.EnteredCD, a.Worsened, a.Improved, a.NewFlags, a.NewRecords)
	}
	for _, g := range d.Grades {
		fmt.Fprintf(&b, "grade %s: %d -> %d\n", g.Grade, g.Before, g.After)
	}
	return b.String()
}
