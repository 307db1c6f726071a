package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/synth"
)

// fixture is a generated graph loaded into a memory store and scored once.
type fixture struct {
	st    *memory.Store
	today models.Date
	opts  engine.Options
	runs  int
	snap  *Snapshot // the latest run's captured snapshot
	res   *engine.Result
	run   store.Run
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gen")
	if _, err := synth.Generate(synth.GenerateOptions{Enterprises: n, Seed: 7, Out: dir}); err != nil {
		t.Fatal(err)
	}
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, _ := models.NewPIDHasher([]byte("report-test-pid-key-0123456789"))
	today := synth.DefaultReferenceDate()
	noon := today.Time.Add(12 * time.Hour)
	if _, err := ingest.LoadDir(context.Background(), dir, st, ingest.LoadOptions{Hasher: h, Source: "test", Now: func() time.Time { return noon }}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, today: today, opts: engine.Options{Params: engine.DefaultParams(), Today: today}}
	f.score(t)
	return f
}

// score runs the engine with a capture and returns the previous snapshot.
func (f *fixture) score(t *testing.T) *Snapshot {
	t.Helper()
	prev := f.snap
	f.runs++
	id := fmt.Sprintf("run-%02d", f.runs)
	c := NewCapture(f.st, id)
	clock := time.Date(2026, 7, 1, 0, f.runs, 0, 0, time.UTC)
	res, run, err := engine.Score(context.Background(), c, f.opts, id, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	f.snap, f.res, f.run = c.Snapshot(res, nil), res, run
	return prev
}

func (f *fixture) input(prev *Snapshot) Input {
	return Input{Current: f.snap, Previous: prev, CurrentRun: f.run, Graph: f.res.Graph, Today: f.res.Today,
		Hops: f.opts.Params.Flags.BlacklistHops, Names: StoreNames(f.st), Explain: ExplainFrom(f.res)}
}

func (f *fixture) write(t *testing.T, b *store.Batch) {
	t.Helper()
	if err := f.st.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, d *Document) []byte {
	t.Helper()
	b, err := RenderJSON(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNoChangeNoReport: re-scoring unchanged data reports nothing.
func TestNoChangeNoReport(t *testing.T) {
	f := newFixture(t, 1500)
	prev := f.score(t)
	d, err := Build(context.Background(), f.input(prev))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.EnteredCD) + len(d.GradeChanges) + len(d.NewFlags) + len(d.TopRisers) + len(d.NewRecords) +
		len(d.RestrictedAppointments) + len(d.Watched); n != 0 {
		t.Errorf("unchanged data gave %d report rows: %s", n, mustJSON(t, d))
	}
	if d.Summary.Entities != len(f.snap.Entities) || d.Summary.Entities == 0 {
		t.Errorf("summary counts %d entities, snapshot has %d", d.Summary.Entities, len(f.snap.Entities))
	}
	for _, g := range d.Grades {
		if g.Before != g.After {
			t.Errorf("grade %s: %d before, %d after", g.Grade, g.Before, g.After)
		}
	}
}

// plant chooses entities from the scored graph and writes the changes:
// a serious-violation record on e1 (whose legal representative p is then
// appointed at e2: a restricted appointment), a blacklist record on x, and
// a mutual holding between y and z, which had no holdings at all.
type planted struct {
	e1, e2, x, y, z, p string
	serious, black     string
}

func (f *fixture) plant(t *testing.T) planted {
	t.Helper()
	g := f.res.Graph
	today := engine.DayOf(f.today)
	var pl planted
	hasHoldings := func(v int32) bool {
		for _, e := range g.Out(v) {
			if e.Type == engine.EdgeHolds {
				return true
			}
		}
		for _, ei := range g.InEdges(v) {
			if g.Edges[ei].Type == engine.EdgeHolds {
				return true
			}
		}
		return false
	}
	clean := func(v int32) bool {
		return g.Active(v) && len(g.RecordsOf(v)) == 0 && len(f.res.Flags.ByNode[v]) == 0 && f.res.Grade[v] == engine.GradeA
	}
	used := map[int32]bool{}
	// e1: a clean enterprise with one legal representative who holds no other appointment.
	for v := int32(0); v < int32(g.NumEnterprises) && pl.e1 == ""; v++ {
		if !clean(v) {
			continue
		}
		for _, ei := range g.InEdges(v) {
			e := &g.Edges[ei]
			if e.Type != engine.EdgeLegalRep || e.Since == engine.NoDay || e.Since > today-400 || e.Until != engine.NoDay {
				continue
			}
			roles := 0
			for _, o := range g.Out(e.From) {
				if o.Type == engine.EdgeLegalRep || o.Type == engine.EdgeOfficer {
					roles++
				}
			}
			others := 0
			for _, ej := range g.InEdges(v) {
				if t := g.Edges[ej].Type; t == engine.EdgeLegalRep || t == engine.EdgeOfficer {
					others++
				}
			}
			if roles == 1 && others == 1 {
				pl.e1, pl.p = g.Keys.At(v), g.Keys.At(e.From)
				used[v] = true
			}
		}
	}
	pick := func(ok func(int32) bool) string {
		for v := int32(0); v < int32(g.NumEnterprises); v++ {
			if !used[v] && ok(v) {
				used[v] = true
				return g.Keys.At(v)
			}
		}
		t.Fatal("no enterprise to plant on")
		return ""
	}
	pl.e2 = pick(func(v int32) bool { return clean(v) && len(g.InEdges(v)) > 0 })
	pl.x = pick(func(v int32) bool { return clean(v) && hasHoldings(v) })
	pl.y = pick(func(v int32) bool { return clean(v) && !hasHoldings(v) })
	pl.z = pick(func(v int32) bool { return clean(v) && !hasHoldings(v) })
	if pl.e1 == "" {
		t.Fatal("no enterprise with a single legal representative")
	}
	pl.serious, pl.black = "planted-sv-1", "planted-bl-1"
	decided := models.DateOf(f.today.AddDate(0, 0, -100))
	f.write(t, &store.Batch{
		Records: []models.Record{
			{ID: pl.serious, Subject: models.EnterpriseRef(pl.e1), Kind: models.RecordSeriousViolation, Severity: 0.9, Decided: decided, Authority: "测试局"},
			{ID: pl.black, Subject: models.EnterpriseRef(pl.x), Kind: models.RecordBlacklist, Severity: 0.8, Decided: decided},
		},
		Roles: []models.Role{{Person: pl.p, Enterprise: pl.e2, Kind: models.RoleLegalRep, Since: models.DateOf(f.today.AddDate(0, 0, -10))}},
		Shareholdings: []models.Shareholding{
			{Holder: models.EnterpriseRef(pl.y), Enterprise: pl.z, Ratio: 0.3, Since: decided},
			{Holder: models.EnterpriseRef(pl.z), Enterprise: pl.y, Ratio: 0.3, Since: decided},
		},
	})
	return pl
}

// TestPlantedChanges plants changes with the generator's data and checks
// that every planted change appears in the report and nothing else does.
func TestPlantedChanges(t *testing.T) {
	f := newFixture(t, 2000)
	before := f.snap
	pl := f.plant(t)
	f.score(t)
	ctx := context.Background()
	in := f.input(before)
	d, err := Build(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	g := f.res.Graph
	ent := func(k string) string { return models.EnterpriseRef(k).String() }

	// New records: exactly the two planted ones, with exposure equal to the
	// engine's own blacklist-proximity finding for the subject.
	var got []string
	for _, r := range d.NewRecords {
		got = append(got, r.ID)
		subject := r.Subject.Ref
		var want []string
		for i := range f.res.Flags.Findings {
			fd := &f.res.Flags.Findings[i]
			if fd.Kind == engine.FlagBlacklistProximity && g.Ref(fd.Nodes[0]).String() == subject {
				for _, v := range fd.Flagged {
					want = append(want, g.Keys.At(v))
				}
			}
		}
		sort.Strings(want)
		if r.Exposure != len(want) || !slices.Equal(r.Exposed, want[:min(len(want), maxExposed)]) {
			t.Errorf("record %s: exposure %d %v, engine's proximity finding reaches %d %v", r.ID, r.Exposure, r.Exposed, len(want), want)
		}
		if r.Kind == "" || r.Decided == "" {
			t.Errorf("record %s without kind or decision date: %+v", r.ID, r)
		}
	}
	sort.Strings(got)
	if want := []string{pl.black, pl.serious}; !slices.Equal(got, want) {
		t.Errorf("new records %v, want %v", got, want)
	}
	if d.NewRecords[0].Exposure == 0 && d.NewRecords[1].Exposure == 0 {
		t.Error("neither planted record exposes any enterprise; the check above proves little")
	}

	// New flags: the planted ones must appear; anything else must follow
	// from a planted change.
	type flag struct{ ref, kind string }
	have := map[flag]bool{}
	for _, nf := range d.NewFlags {
		have[flag{nf.Ref, nf.Flag}] = true
		if nf.Evidence == nil {
			t.Errorf("new flag %s on %s has no evidence", nf.Flag, nf.Ref)
		}
	}
	for _, must := range []flag{
		{ent(pl.y), engine.FlagMutualHolding}, {ent(pl.z), engine.FlagMutualHolding},
		{models.PersonRef(pl.p).String(), engine.FlagRestrictedAppointment}, {ent(pl.e2), engine.FlagRestrictedAppointment},
	} {
		if !have[must] {
			t.Errorf("planted flag %s on %s is missing", must.kind, must.ref)
		}
	}
	allowed := map[flag]bool{}
	for _, r := range d.NewRecords {
		v, _ := g.Lookup(parseRef(r.Subject.Ref))
		for i := range f.res.Flags.Findings {
			if fd := &f.res.Flags.Findings[i]; fd.Kind == engine.FlagBlacklistProximity && fd.Nodes[0] == v {
				for _, u := range fd.Flagged {
					allowed[flag{g.Ref(u).String(), fd.Kind}] = true
				}
			}
		}
	}
	e1, _ := g.Lookup(models.EnterpriseRef(pl.e1))
	for i := range f.res.Flags.Findings {
		if fd := &f.res.Flags.Findings[i]; fd.Kind == engine.FlagRestrictedAppointment && fd.Nodes[1] == e1 {
			for _, u := range fd.Flagged {
				allowed[flag{g.Ref(u).String(), fd.Kind}] = true
			}
		}
	}
	for k := range have {
		if !allowed[k] && k.kind != engine.FlagMutualHolding {
			t.Errorf("unexpected new flag %s on %s", k.kind, k.ref)
		}
		if k.kind == engine.FlagMutualHolding && k.ref != ent(pl.y) && k.ref != ent(pl.z) {
			t.Errorf("unexpected mutual holding on %s", k.ref)
		}
	}
	if len(d.RestrictedAppointments) == 0 || d.Summary.Restricted != len(d.RestrictedAppointments) {
		t.Errorf("restricted appointments: %d listed, summary %d", len(d.RestrictedAppointments), d.Summary.Restricted)
	}

	// Grades and scores: the report's changes are exactly the store's own
	// current-versus-previous record (Risk.Previous, kept by PromoteRun),
	// and every grade that worsened is moved by a planted record.
	wantChanged, wantRise := map[string]bool{}, map[string]float64{}
	err = f.st.Scan(ctx, 5000, func(b *store.Batch) error {
		visit := func(ref models.Ref, r *models.Risk) {
			if r == nil || r.Previous == nil {
				return
			}
			if r.Grade != r.Previous.Grade {
				wantChanged[ref.String()] = true
			}
			if dlt := quantize(quantize(r.Score) - quantize(r.Previous.Score)); dlt > 0 {
				wantRise[ref.String()] = dlt
			}
		}
		for i := range b.Enterprises {
			visit(b.Enterprises[i].Ref(), b.Enterprises[i].Risk)
		}
		for i := range b.Persons {
			visit(b.Persons[i].Ref(), b.Persons[i].Risk)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gotChanged := map[string]bool{}
	for _, gc := range d.GradeChanges {
		gotChanged[gc.Ref] = true
		if gradeRank[gc.After] > gradeRank[gc.Before] {
			if gc.MovedBy == nil || (gc.MovedBy.Record != pl.serious && gc.MovedBy.Record != pl.black) {
				t.Errorf("%s worsened %s→%s, moved by %+v; want a planted record", gc.Ref, gc.Before, gc.After, gc.MovedBy)
			}
		}
	}
	if len(gotChanged) != len(wantChanged) || len(wantChanged) == 0 {
		t.Errorf("grade changes: report %d, store %d", len(gotChanged), len(wantChanged))
	}
	for k := range wantChanged {
		if !gotChanged[k] {
			t.Errorf("grade change of %s missing", k)
		}
	}
	for _, gc := range d.EnteredCD {
		if gradeRank[gc.After] < 2 || gradeRank[gc.Before] >= 2 {
			t.Errorf("entered C/D: %+v", gc)
		}
	}
	if found := slices.ContainsFunc(d.EnteredCD, func(gc GradeChange) bool { return gc.Ref == ent(pl.e1) }); !found {
		t.Errorf("%s got a 0.9 serious violation and did not enter C or D", pl.e1)
	}
	if len(d.TopRisers) == 0 || len(d.TopRisers) > 50 {
		t.Fatalf("%d top risers", len(d.TopRisers))
	}
	for i, r := range d.TopRisers {
		if wantRise[r.Ref] != r.Delta {
			t.Errorf("riser %s: delta %v, store says %v", r.Ref, r.Delta, wantRise[r.Ref])
		}
		if i > 0 && r.Delta > d.TopRisers[i-1].Delta {
			t.Errorf("risers not in descending order at %d", i)
		}
	}
	if d.TopRisers[0].Name == "" {
		t.Errorf("top riser %s has no name", d.TopRisers[0].Ref)
	}

	// Byte-identical: built again, and built from a snapshot read back
	// from the store (the path of a report regenerated later).
	first := mustJSON(t, d)
	again, _ := Build(ctx, in)
	if !bytes.Equal(first, mustJSON(t, again)) {
		t.Error("the same pair of runs gave two different documents")
	}
	scanned, err := FromStore(ctx, f.st, f.snap.Run, f.today)
	if err != nil {
		t.Fatal(err)
	}
	in2 := in
	in2.Current = scanned
	if other := mustJSON(t, must(Build(ctx, in2))); !bytes.Equal(first, other) {
		t.Errorf("snapshot from the store gives another document (%d vs %d bytes)", len(first), len(other))
	}
	// The previous snapshot survives encoding.
	enc, err := before.Encode()
	if err != nil {
		t.Fatal(err)
	}
	dec, err := DecodeSnapshot(enc)
	if err != nil {
		t.Fatal(err)
	}
	in3 := in
	in3.Previous = dec
	if other := mustJSON(t, must(Build(ctx, in3))); !bytes.Equal(first, other) {
		t.Error("a decoded previous snapshot gives another document")
	}
	var parsed map[string]any
	if err := json.Unmarshal(first, &parsed); err != nil || parsed["format"] != float64(Format) {
		t.Errorf("document is not JSON of format %d: %v", Format, err)
	}
}

func must(d *Document, err error) *Document {
	if err != nil {
		panic(err)
	}
	return d
}

// TestTopRisersKeepsTheTop: the bounded list gives the same top risers as
// sorting every rise, ties on the rise included.
func TestTopRisersKeepsTheTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var all []Riser
	top := topRisers{top: 50}
	for i := range 20_000 {
		r := Riser{Subject: Subject{Ref: fmt.Sprintf("enterprise:%08d", rng.IntN(1_000_000))}, Delta: float64(1+rng.IntN(4)) * 0.5} // many ties at the cut
		if i%1000 == 0 {
			r.Delta = 10 // rises that tie at the top
		}
		all = append(all, r)
		if top.admits(r.Delta) {
			top.add(r)
		}
	}
	if !top.cut {
		t.Fatal("20 000 rises did not cut the list: the test does not exercise the bound")
	}
	slices.SortFunc(all, riserOrder)
	slices.SortFunc(top.list, riserOrder)
	if got := top.list[:50]; !slices.Equal(got, all[:50]) {
		t.Errorf("bounded top risers differ from the full sort:\n got %v\nwant %v", got, all[:50])
	}
}

// TestBuildWalksSortedSnapshots: entities only in the earlier run, only in
// the current one, and in both, are matched by reference.
func TestBuildWalksSortedSnapshots(t *testing.T) {
	snap := func(run string, grades map[string]string) *Snapshot {
		b := NewBuilder(run, nil)
		for key, g := range grades {
			score := map[string]float64{"A": 0.1, "B": 0.3, "C": 0.6, "D": 0.9}[g]
			b.AddResult(models.EnterpriseRef(key), &models.Risk{Score: score, Grade: g}, "440305", "C13")
		}
		return b.Snapshot()
	}
	prev := snap("r1", map[string]string{"a": "A", "b": "B", "d": "C", "f": "A"})
	cur := snap("r2", map[string]string{"b": "C", "c": "D", "d": "C", "e": "A", "f": "B"})
	d, err := Build(context.Background(), Input{Current: cur, Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, g := range d.GradeChanges {
		changes = append(changes, g.Ref+" "+g.Before+">"+g.After)
	}
	if want := []string{"enterprise:b B>C", "enterprise:f A>B"}; !slices.Equal(changes, want) {
		t.Errorf("grade changes %v, want %v", changes, want)
	}
	var entered []string
	for _, g := range d.EnteredCD {
		entered = append(entered, g.Ref+" "+g.Before+">"+g.After)
	}
	if want := []string{"enterprise:c >D", "enterprise:b B>C"}; !slices.Equal(entered, want) {
		t.Errorf("entered C/D %v, want %v", entered, want)
	}
}
