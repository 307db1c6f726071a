package report

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// Each section of a report, one table each: two small snapshots in, the
// section out (no engine run needed).

func ent(key string, score float64, grade string, flags ...string) Entity {
	return Entity{Ref: models.EnterpriseRef(key), Score: score, Grade: grade, Region: "440305", Industry: "C13", Flags: flags}
}

func snap(run string, es ...Entity) *Snapshot {
	s := &Snapshot{Run: run, Serious: map[string]string{}}
	s.Entities = append(s.Entities, es...)
	slices.SortFunc(s.Entities, func(a, b Entity) int { return compareRef(a.Ref, b.Ref) })
	return s
}

func build(t *testing.T, in Input) *Document {
	t.Helper()
	d, err := Build(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSectionGradeChanges(t *testing.T) {
	type row struct{ ref, before, after string }
	for _, c := range []struct {
		name          string
		prev, cur     []Entity
		entered, chgd []row
		worse, better int
	}{
		{"unchanged", []Entity{ent("a", 0.1, "A")}, []Entity{ent("a", 0.1, "A")}, nil, nil, 0, 0},
		{"B to C enters and worsens", []Entity{ent("a", 0.3, "B")}, []Entity{ent("a", 0.5, "C")},
			[]row{{"enterprise:a", "B", "C"}}, []row{{"enterprise:a", "B", "C"}}, 1, 0},
		{"C to D worsens without entering", []Entity{ent("a", 0.5, "C")}, []Entity{ent("a", 0.8, "D")},
			nil, []row{{"enterprise:a", "C", "D"}}, 1, 0},
		{"D to A improves", []Entity{ent("a", 0.8, "D")}, []Entity{ent("a", 0.01, "A")},
			nil, []row{{"enterprise:a", "D", "A"}}, 0, 1},
		{"new entity in D enters, is no grade change", nil, []Entity{ent("n", 0.9, "D")},
			[]row{{"enterprise:n", "", "D"}}, nil, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := build(t, Input{Previous: snap("r1", c.prev...), Current: snap("r2", c.cur...)})
			rows := func(gs []GradeChange) (out []row) {
				for _, g := range gs {
					out = append(out, row{g.Ref, g.Before, g.After})
				}
				return out
			}
			if got := rows(d.EnteredCD); !reflect.DeepEqual(got, c.entered) {
				t.Errorf("entered_cd %v, want %v", got, c.entered)
			}
			if got := rows(d.GradeChanges); !reflect.DeepEqual(got, c.chgd) {
				t.Errorf("grade_changes %v, want %v", got, c.chgd)
			}
			if d.Summary.Worsened != c.worse || d.Summary.Improved != c.better || d.Summary.EnteredCD != len(c.entered) {
				t.Errorf("summary %+v", d.Summary)
			}
		})
	}
}

func TestSectionNewFlags(t *testing.T) {
	for _, c := range []struct {
		name       string
		prev, cur  Entity
		flags      []string
		restricted int
	}{
		{"same flags", ent("a", 0.5, "C", "shared_address"), ent("a", 0.5, "C", "shared_address"), nil, 0},
		{"one added", ent("a", 0.5, "C", "shared_address"), ent("a", 0.5, "C", "shared_address", "circular_holding"), []string{"circular_holding"}, 0},
		{"removed is not new", ent("a", 0.5, "C", "shared_address"), ent("a", 0.5, "C"), nil, 0},
		{"restricted appointment listed twice", ent("a", 0.5, "C"), ent("a", 0.5, "C", engine.FlagRestrictedAppointment), []string{engine.FlagRestrictedAppointment}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := build(t, Input{Previous: snap("r1", c.prev), Current: snap("r2", c.cur)})
			var got []string
			for _, f := range d.NewFlags {
				got = append(got, f.Flag)
			}
			if !reflect.DeepEqual(got, c.flags) || len(d.RestrictedAppointments) != c.restricted ||
				d.Summary.NewFlags != len(c.flags) || d.Summary.Restricted != c.restricted {
				t.Errorf("new flags %v, restricted %d, summary %+v; want %v, %d", got, len(d.RestrictedAppointments), d.Summary, c.flags, c.restricted)
			}
		})
	}
}

func TestSectionTopRisers(t *testing.T) {
	prev := []Entity{ent("a", 0.1, "A"), ent("b", 0.1, "A"), ent("c", 0.5, "C"), ent("d", 0.2, "B")}
	cur := []Entity{ent("a", 0.4, "B"), ent("b", 0.15, "A"), ent("c", 0.3, "B"), ent("d", 0.6, "C")}
	for _, c := range []struct {
		top  int
		want []string
	}{{1, []string{"enterprise:d"}}, {2, []string{"enterprise:d", "enterprise:a"}}, {10, []string{"enterprise:d", "enterprise:a", "enterprise:b"}}} {
		d := build(t, Input{Previous: snap("r1", prev...), Current: snap("r2", cur...), Top: c.top})
		var got []string
		for _, r := range d.TopRisers {
			got = append(got, r.Ref)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("top %d: risers %v, want %v (a fall is never a rise)", c.top, got, c.want)
		}
	}
}

func TestSectionWatched(t *testing.T) {
	lists := []store.Watchlist{{ID: "w1", Keys: []string{"a", "b", "gone", "person:p1"}}}
	for _, c := range []struct {
		name      string
		prev, cur []Entity
		serious   map[string]string
		want      map[string]string // ref → what the entry shows
	}{
		{"no change, no entry", []Entity{ent("a", 0.1, "A")}, []Entity{ent("a", 0.1, "A")}, nil, map[string]string{}},
		{"score change", []Entity{ent("a", 0.1, "A")}, []Entity{ent("a", 0.2, "A")}, nil, map[string]string{"enterprise:a": "A->A"}},
		{"flag removed", []Entity{ent("b", 0.5, "C", "shared_phone")}, []Entity{ent("b", 0.5, "C")}, nil, map[string]string{"enterprise:b": "C->C -shared_phone"}},
		{"left the register", []Entity{ent("gone", 0.3, "B")}, nil, nil, map[string]string{"enterprise:gone": "B-> missing"}},
		{"new record only", []Entity{ent("a", 0.1, "A")}, []Entity{ent("a", 0.1, "A")}, map[string]string{"r9": "enterprise:a"}, map[string]string{"enterprise:a": "A->A r9"}},
		{"unwatched change", []Entity{ent("z", 0.1, "A")}, []Entity{ent("z", 0.9, "D")}, nil, map[string]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cur := snap("r2", c.cur...)
			for id, s := range c.serious {
				cur.Serious[id] = s
			}
			d := build(t, Input{Previous: snap("r1", c.prev...), Current: cur, Watchlists: lists})
			got := map[string]string{}
			for _, w := range d.Watched {
				v := w.Before + "->" + w.After
				for _, f := range w.FlagsGone {
					v += " -" + f
				}
				if w.Missing {
					v += " missing"
				}
				for _, r := range w.NewRecords {
					v += " " + r
				}
				got[w.Ref] = v
			}
			if !reflect.DeepEqual(got, c.want) || d.Summary.WatchedMoved != len(c.want) {
				t.Errorf("watched %v, want %v", got, c.want)
			}
		})
	}
}

func TestSectionNewRecordsAndScope(t *testing.T) {
	other := ent("x", 0.5, "C")
	other.Region, other.Industry = "110101", "F51"
	prev := snap("r1", ent("a", 0.5, "C"), other)
	prev.Serious["old"] = "enterprise:a"
	cur := snap("r2", ent("a", 0.5, "C"), other)
	cur.Serious["old"], cur.Serious["new-a"], cur.Serious["new-x"] = "enterprise:a", "enterprise:a", "enterprise:x"
	for _, c := range []struct {
		scope Scope
		want  []string
		areas int
	}{
		{Scope{}, []string{"new-a", "new-x"}, 2},
		{Scope{Region: "440000"}, []string{"new-a"}, 1},
		{Scope{Region: "11", Industry: "f"}, []string{"new-x"}, 1},
		{Scope{Industry: "C14"}, nil, 0},
	} {
		d := build(t, Input{Previous: prev, Current: cur, Scope: c.scope})
		var got []string
		for _, r := range d.NewRecords {
			got = append(got, r.ID)
		}
		if !reflect.DeepEqual(got, c.want) || d.Summary.NewRecords != len(c.want) || len(d.ByRegion) != c.areas {
			t.Errorf("scope %+v: new records %v (regions %d), want %v (%d)", c.scope, got, len(d.ByRegion), c.want, c.areas)
		}
	}
}

func TestSectionGradeCounts(t *testing.T) {
	d := build(t, Input{Previous: snap("r1", ent("a", 0.1, "A"), ent("b", 0.1, "A")),
		Current: snap("r2", ent("a", 0.1, "A"), ent("b", 0.9, "D"), ent("c", 0.5, "C"))})
	want := []GradeCount{{"A", 2, 1}, {"B", 0, 0}, {"C", 0, 1}, {"D", 0, 1}}
	if !reflect.DeepEqual(d.Grades, want) || d.Summary.Entities != 3 {
		t.Errorf("grades %+v (entities %d), want %+v", d.Grades, d.Summary.Entities, want)
	}
}
