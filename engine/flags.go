package engine

import (
	"slices"
	"sort"
)

// Flag kinds.
const (
	FlagCircularHolding       = "circular_holding"
	FlagMutualHolding         = "mutual_holding"
	FlagShellCluster          = "shell_cluster"
	FlagSerialLegalRep        = "serial_legal_rep"
	FlagRegistrationBurst     = "registration_burst"
	FlagRestrictedAppointment = "restricted_appointment"
	FlagBlacklistProximity    = "blacklist_proximity"
	FlagDeepLayering          = "deep_layering"
	// FlagCommitmentBreached is in life.go.
)

// FlagKinds lists every flag kind.
var FlagKinds = []string{FlagCircularHolding, FlagMutualHolding, FlagShellCluster, FlagSerialLegalRep,
	FlagRegistrationBurst, FlagRestrictedAppointment, FlagBlacklistProximity, FlagDeepLayering, FlagCommitmentBreached}

// Finding is one detected anomaly with its evidence.
type Finding struct {
	Kind string
	// Nodes are the evidence entities, in the order the kind describes
	// (the cycle; the person then the enterprises; the chain from the top).
	Nodes []int32
	// Flagged are the entities that carry the flag.
	Flagged []int32
	// Value is the shared value (shell clusters) or the quantity compared
	// with the threshold (count, layers, hops).
	Value string
	Count int
	// Threshold is the configured threshold the finding met.
	Threshold int
	// From and To bound the dates that matter (bursts, restricted
	// appointments, shell clusters' registrations); NoDay when the kind has
	// none (holding patterns, layering, blacklist proximity) or they are unknown.
	From, To Day
	// Records are evidence record indices (restricted appointments, blacklist).
	Records []int32
}

// Flags are all findings of a run, and the findings of each entity.
type Flags struct {
	Findings []Finding
	// ByNode maps an entity to the indices of its findings.
	ByNode map[int32][]int32
	// flagged has bit v set when ByNode holds v (DetectFlags fills it):
	// the write-back asks every entity for its findings (Result.Changed,
	// then each written result's flags and details), most of them have
	// none, and the bit, in an array of n/8 bytes, answers that without
	// probing the map, a cache miss at a million nodes. nil: ask the map.
	flagged []uint64
}

// of returns the indices of v's findings (ByNode[v]).
func (f *Flags) of(v int32) []int32 {
	if w := uint(uint32(v)) >> 6; f.flagged != nil && (w >= uint(len(f.flagged)) || f.flagged[w]&(1<<(v&63)) == 0) {
		return nil // (a negative v is past the end: no node)
	}
	return f.ByNode[v]
}

// DetectFlags runs every detector (docs/risk-model.md, "Anomaly flags").
func DetectFlags(g *Graph, o *Ownership, p *Params, today Day) *Flags {
	f := &Flags{ByNode: map[int32][]int32{}}
	detectors := []func(*Graph, *Ownership, *FlagParams, Day) []Finding{
		detectHoldingCycles, detectShellClusters, detectLegalReps, detectRestricted,
		detectBlacklistProximity, detectDeepLayering, detectCommitments,
	}
	for _, d := range detectors {
		f.Findings = append(f.Findings, d(g, o, &p.Flags, today)...)
	}
	f.flagged = make([]uint64, (g.N()+63)/64)
	for i := range f.Findings {
		for _, v := range f.Findings[i].Flagged {
			f.ByNode[v] = append(f.ByNode[v], int32(i))
			f.flagged[v>>6] |= 1 << (v & 63)
		}
	}
	return f
}

// KindsOf returns the distinct flag kinds of v, sorted.
func (f *Flags) KindsOf(v int32) []string {
	var out []string
	for _, i := range f.of(v) {
		k := f.Findings[i].Kind
		found := false
		for _, x := range out {
			found = found || x == k
		}
		if !found {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Count returns the number of findings per kind.
func (f *Flags) Count() map[string]int {
	out := map[string]int{}
	for _, k := range FlagKinds {
		out[k] = 0
	}
	for i := range f.Findings {
		out[f.Findings[i].Kind]++
	}
	return out
}

func sortedUnique(xs []int32) []int32 {
	slices.Sort(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
