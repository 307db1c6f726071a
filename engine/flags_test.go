package engine

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/synth"
)

// flagForAnomaly maps the generator's anomaly kinds to flag kinds.
var flagForAnomaly = map[synth.AnomalyKind]string{
	synth.AnomalyCircularHolding:       FlagCircularHolding,
	synth.AnomalyMutualHolding:         FlagMutualHolding,
	synth.AnomalyShellCluster:          FlagShellCluster,
	synth.AnomalySerialLegalRep:        FlagSerialLegalRep,
	synth.AnomalyRegistrationBurst:     FlagRegistrationBurst,
	synth.AnomalyRestrictedAppointment: FlagRestrictedAppointment,
	synth.AnomalyDeepLayering:          FlagDeepLayering,
}

// findingKey identifies a finding the way the ground truth does: the set
// of enterprises for holding patterns and shell clusters, the person for
// the others.
func findingKey(g *Graph, f *Finding) string {
	switch f.Kind {
	case FlagCircularHolding, FlagMutualHolding, FlagShellCluster:
		var keys []string
		for _, v := range f.Nodes {
			keys = append(keys, g.Keys.At(v))
		}
		slices.Sort(keys)
		return strings.Join(keys, ",")
	case FlagDeepLayering:
		return g.Keys.At(f.Nodes[0])
	}
	return g.Keys.At(f.Nodes[0]) // the person
}

func anomalyKey(gs *generatedSet, a *synth.Anomaly) string {
	switch a.Kind {
	case synth.AnomalyCircularHolding, synth.AnomalyMutualHolding, synth.AnomalyShellCluster:
		keys := slices.Clone(a.Enterprises)
		slices.Sort(keys)
		return strings.Join(keys, ",")
	}
	return gs.pids[a.Persons[0]]
}

// TestFlagsAgainstGroundTruth runs every detector on the generator's data
// and requires precision and recall ≥ 0.95 for each planted kind.
func TestFlagsAgainstGroundTruth(t *testing.T) {
	for _, n := range []int{10_000, 30_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			gs := generated(t, n)
			p := DefaultParams()
			o := ComputeOwnership(gs.graph, &p, genToday)
			flags := DetectFlags(gs.graph, o, &p, genToday)
			for ak, fk := range flagForAnomaly {
				truth := map[string]bool{}
				for _, a := range gs.truth.ByKind(ak) {
					truth[anomalyKey(gs, &a)] = true
				}
				found := map[string]bool{}
				for i := range flags.Findings {
					// The generator's spouses are drawn at random, not planted: a
					// restricted appointment reached through one is a finding the
					// ground truth does not know (TestRestrictedAppointmentThroughRelation
					// tests those).
					if f := &flags.Findings[i]; f.Kind == fk && !strings.HasSuffix(f.Value, viaRelation) {
						found[findingKey(gs.graph, f)] = true
					}
				}
				tp := 0
				for k := range found {
					if truth[k] {
						tp++
					}
				}
				if len(truth) == 0 {
					t.Fatalf("%s: nothing planted", ak)
				}
				precision, recall := 1.0, float64(tp)/float64(len(truth))
				if len(found) > 0 {
					precision = float64(tp) / float64(len(found))
				}
				t.Logf("%-22s planted %3d found %3d precision %.3f recall %.3f", fk, len(truth), len(found), precision, recall)
				if precision < 0.95 || recall < 0.95 {
					t.Errorf("%s: precision %.3f recall %.3f, want both ≥ 0.95", fk, precision, recall)
					for k := range found {
						if !truth[k] {
							t.Logf("  false positive %.120s", k)
						}
					}
					for k := range truth {
						if !found[k] {
							t.Logf("  missed %.120s", k)
						}
					}
				}
			}
		})
	}
}

// TestBlacklistProximity: an enterprise two control hops from a
// blacklisted one is flagged, three hops is not, and the blacklisted entity
// itself is not; a lifted record blacklists nothing.
func TestBlacklistProximity(t *testing.T) {
	b := holdingBatch([]holding{{"B", "C1", 0.6}, {"C1", "C2", 0.7}, {"C2", "C3", 0.8}, {"B", "M", 0.1}})
	b.Records = append(b.Records,
		models.Record{ID: "bl", Subject: models.EnterpriseRef("B"), Kind: models.RecordBlacklist, Severity: 0.9, Decided: models.NewDate(2025, 1, 1)},
		models.Record{ID: "old", Subject: models.EnterpriseRef("C3"), Kind: models.RecordBlacklist, Severity: 0.9,
			Decided: models.NewDate(2020, 1, 1), Removed: models.NewDate(2021, 1, 1)})
	g := projectBatch(t, b)
	p := DefaultParams()
	o := ComputeOwnership(g, &p, genToday)
	f := DetectFlags(g, o, &p, genToday)
	want := map[string]bool{"B": false, "C1": true, "C2": true, "C3": false, "M": false}
	for key, flagged := range want {
		v, _ := g.Lookup(models.EnterpriseRef(key))
		if got := slices.Contains(f.KindsOf(v), FlagBlacklistProximity); got != flagged {
			t.Errorf("%s: blacklist_proximity %v, want %v", key, got, flagged)
		}
	}
}

// TestRestrictedAppointmentThroughRelation: P was legal representative of T
// when T went on the serious-violation list; P's spouse S, newly appointed
// at N, is flagged with P as evidence (S is P's nominee), P's relative R,
// newly appointed at N2, only when "relative" is among
// restricted_relations, and S's appointment that began before the event
// flags nothing. The relation counts whichever way round it was stored.
func TestRestrictedAppointmentThroughRelation(t *testing.T) {
	d := models.NewDate
	ents := []string{"T", "N", "N2", "OLD"}
	b := &store.Batch{}
	for _, k := range ents {
		b.Enterprises = append(b.Enterprises, models.Enterprise{Key: k, Name: k, Status: models.StatusActive})
	}
	b.Persons = []models.Person{{PID: "P", Name: "P"}, {PID: "S", Name: "S"}, {PID: "R", Name: "R"}}
	b.Roles = []models.Role{
		{Person: "P", Enterprise: "T", Kind: models.RoleLegalRep, Since: d(2020, 1, 1)},
		{Person: "S", Enterprise: "N", Kind: models.RoleLegalRep, Since: d(2025, 6, 1)},
		{Person: "S", Enterprise: "OLD", Kind: models.RoleLegalRep, Since: d(2019, 1, 1)},
		{Person: "R", Enterprise: "N2", Kind: models.RoleOfficer, Title: "director", Since: d(2025, 7, 1)},
	}
	b.Records = []models.Record{{ID: "sv", Subject: models.EnterpriseRef("T"), Kind: models.RecordSeriousViolation,
		Severity: 0.9, Decided: d(2025, 1, 1)}}
	b.Relations = []models.Relation{
		{A: "S", B: "P", Kind: models.RelationSpouse, Since: d(2015, 1, 1)},
		{A: "P", B: "R", Kind: models.RelationRelative},
	}
	g := projectBatch(t, b)
	flagged := func(p *Params) map[string][]string {
		o := ComputeOwnership(g, p, genToday)
		f := DetectFlags(g, o, p, genToday)
		out := map[string][]string{}
		for i := range f.Findings {
			x := &f.Findings[i]
			if x.Kind != FlagRestrictedAppointment {
				continue
			}
			var ev []string
			for _, v := range x.Nodes {
				ev = append(ev, g.Keys.At(v))
			}
			out[g.Keys.At(x.Nodes[0])] = ev
		}
		return out
	}
	p := DefaultParams()
	got := flagged(&p)
	want := map[string][]string{"S": {"S", "T", "P", "N"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("default (spouse): findings %v, want %v", got, want)
	}
	p.Flags.RestrictedRelations = []string{"spouse", "relative"}
	got = flagged(&p)
	want = map[string][]string{"S": {"S", "T", "P", "N"}, "R": {"R", "T", "P", "N2"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spouse and relative: findings %v, want %v", got, want)
	}
	p.Flags.RestrictedRelations = nil
	if got = flagged(&p); len(got) != 0 {
		t.Errorf("no relation kinds: findings %v, want none", got)
	}
	p.Flags.RestrictedRelations = []string{"cousin"}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "restricted_relations") {
		t.Errorf("Validate with an unknown relation kind: %v", err)
	}
}

// TestFindingsWithoutDatesSayNone: a finding whose kind has no dates
// (holding patterns, layering, blacklist proximity) carries NoDay, not day
// 0, which every view would render as 1970-01-01.
func TestFindingsWithoutDatesSayNone(t *testing.T) {
	gs := generated(t, 10_000)
	p := DefaultParams()
	o := ComputeOwnership(gs.graph, &p, genToday)
	flags := DetectFlags(gs.graph, o, &p, genToday)
	kinds := map[string]bool{}
	for _, f := range flags.Findings {
		kinds[f.Kind] = true
		if f.From == 0 || f.To == 0 {
			t.Errorf("%s finding %v: From %d To %d; an undated finding carries NoDay", f.Kind, f.Nodes, f.From, f.To)
		}
	}
	for _, k := range []string{FlagCircularHolding, FlagMutualHolding, FlagDeepLayering, FlagShellCluster} {
		if !kinds[k] {
			t.Errorf("no %s finding in the generated data: the test would check nothing for it", k)
		}
	}
}

// TestFlagsMatchReference requires DetectFlags to find exactly what the
// detectors before the appointment count found (referenceDetectFlags), on
// the generator's sample at the default thresholds and at thresholds low
// enough that most legal representatives are counted.
func TestFlagsMatchReference(t *testing.T) {
	gs := generated(t, 10_000)
	for _, low := range []bool{false, true} {
		p := DefaultParams()
		if low {
			p.Flags.SerialLegalRepMin, p.Flags.BurstMin = 2, 2
		}
		o := ComputeOwnership(gs.graph, &p, genToday)
		got, want := DetectFlags(gs.graph, o, &p, genToday), referenceDetectFlags(gs.graph, o, &p, genToday)
		// Findings and their index by node; the bitmap of flagged nodes
		// (which the reference does not build) is TestFlagsOfMatchesByNode's.
		if !reflect.DeepEqual(got.Findings, want.Findings) || !reflect.DeepEqual(got.ByNode, want.ByNode) {
			t.Errorf("low thresholds %v: %d findings, reference %d; they differ", low, len(got.Findings), len(want.Findings))
		}
		if len(got.Count()) == 0 || got.Count()[FlagSerialLegalRep] == 0 || got.Count()[FlagRegistrationBurst] == 0 {
			t.Errorf("low thresholds %v: counts %v; the test would check nothing", low, got.Count())
		}
	}
}

// TestFlagsOfMatchesByNode: the findings DetectFlags's bitmap lets
// through are ByNode's, node for node — none lost, none invented — and so
// are every entity's kinds, mask and details' flags.
func TestFlagsOfMatchesByNode(t *testing.T) {
	gs := generated(t, 10_000)
	p := DefaultParams()
	res, err := Compute(t.Context(), gs.graph, Options{Params: p, Today: genToday.Date()})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Flags
	if f.flagged == nil || len(f.ByNode) == 0 {
		t.Fatalf("no bitmap (%v) or no flagged node (%d)", f.flagged == nil, len(f.ByNode))
	}
	plain := &Flags{Findings: f.Findings, ByNode: f.ByNode}
	for v := range int32(gs.graph.N()) {
		if !slices.Equal(f.of(v), f.ByNode[v]) || (f.of(v) == nil) != (f.ByNode[v] == nil) {
			t.Fatalf("node %d: of %v, ByNode %v", v, f.of(v), f.ByNode[v])
		}
		if !slices.Equal(f.KindsOf(v), plain.KindsOf(v)) || f.maskOf(v) != plain.maskOf(v) {
			t.Fatalf("node %d: kinds %v mask %b, without the bitmap %v %b", v, f.KindsOf(v), f.maskOf(v), plain.KindsOf(v), plain.maskOf(v))
		}
	}
	for v := range f.ByNode {
		if f.flagged[v>>6]&(1<<(v&63)) == 0 {
			t.Fatalf("flagged node %d not in the bitmap", v)
		}
	}
}

// BenchmarkFlagsOf asks every node for its flag mask, as the write-back's
// Changed does, with the bitmap and without (the map alone), on the
// generator's sample of RISKGRAPH_STRUCTURE_BENCH_ENTERPRISES enterprises.
func BenchmarkFlagsOf(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("RISKGRAPH_STRUCTURE_BENCH_ENTERPRISES")); err == nil && v > 0 {
		n = v
	}
	g := generated(b, n).graph
	p := DefaultParams()
	f := DetectFlags(g, ComputeOwnership(g, &p, genToday), &p, genToday)
	b.Logf("%d nodes, %d flagged", g.N(), len(f.ByNode))
	for _, c := range []struct {
		name string
		f    *Flags
	}{{"map", &Flags{Findings: f.Findings, ByNode: f.ByNode}}, {"bitmap", f}} {
		b.Run(c.name, func(b *testing.B) {
			m := uint16(0)
			for b.Loop() {
				for v := range int32(g.N()) {
					m |= c.f.maskOf(v)
				}
			}
			_ = m
		})
	}
}
