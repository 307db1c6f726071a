package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"

	"riskgraph/models"
)

// Params are the risk model's parameters. DefaultParams gives the documented
// defaults (docs/risk-model.md); a JSON file given to LoadParams overrides
// any subset of them.
type Params struct {
	Intrinsic   IntrinsicParams   `json:"intrinsic"`
	Propagation PropagationParams `json:"propagation"`
	Grades      GradeParams       `json:"grades"`
	Ownership   OwnershipParams   `json:"ownership"`
	Flags       FlagParams        `json:"flags"`
	// Records are the record kinds' polarity and publication periods,
	// from the measures catalogue (credit.Catalogue.RecordParams).
	Records RecordParams `json:"records"`
	// Workers is the number of goroutines used by parallel steps; 0 means
	// GOMAXPROCS. Results do not depend on it.
	Workers int `json:"workers"`
}

// KindParams weigh the records of one kind.
type KindParams struct {
	// Severity is used when the record carries none (severity 0).
	Severity float64 `json:"severity"`
	// Weight multiplies the record's severity (how much this kind counts).
	Weight float64 `json:"weight"`
	// HalfLifeDays is the half-life of a record in force.
	HalfLifeDays float64 `json:"half_life_days"`
}

// IntrinsicParams define risk from an entity's own records.
type IntrinsicParams struct {
	// Kinds by record kind; "default" applies to kinds not listed.
	Kinds map[string]KindParams `json:"kinds"`
	// LiftedHalfLifeDays is the half-life applied after a record was lifted
	// (removed); it is shorter than any kind's, so lifted records fade faster.
	LiftedHalfLifeDays float64 `json:"lifted_half_life_days"`
	// LiftedFactor multiplies a lifted record's weight at the day it was lifted.
	LiftedFactor float64 `json:"lifted_factor"`
}

// RelWeights are the strengths with which risk passes along one
// relationship type, in each direction (see docs/risk-model.md).
type RelWeights struct {
	// ControlDown: from a majority (controlling) holder to the enterprise.
	ControlDown float64 `json:"control_down"`
	// MinorityDown: from a minority holder to the enterprise, times the ratio.
	MinorityDown float64 `json:"minority_down"`
	// HolderUp: from an enterprise to each holder, times the ratio.
	HolderUp float64 `json:"holder_up"`
	// LegalRepDown: from a legal representative to the enterprise.
	LegalRepDown float64 `json:"legal_rep_down"`
	// LegalRepUp: from the enterprise to its legal representative.
	LegalRepUp float64 `json:"legal_rep_up"`
	// Officer by title (both directions); "default" for titles not listed.
	Officer map[string]float64 `json:"officer"`
	// FormerRoleFactor multiplies ended appointments (until given).
	FormerRoleFactor float64 `json:"former_role_factor"`
	// Branch: between a branch and its head office (both directions).
	Branch float64 `json:"branch"`
	// SharedAddress, SharedPhone, SharedEmail: between an enterprise and the
	// group node of a value it shares with others (both directions).
	SharedAddress float64 `json:"shared_address"`
	SharedPhone   float64 `json:"shared_phone"`
	SharedEmail   float64 `json:"shared_email"`
}

// PropagationParams define the diffusion with restart.
type PropagationParams struct {
	// Alpha is the share of a score that comes from the neighbours; 1-Alpha
	// the share of the entity's own intrinsic risk. In (0,1).
	Alpha   float64    `json:"alpha"`
	Weights RelWeights `json:"weights"`
	// Tolerance: iteration stops when the largest change of any score is
	// below it; the remaining error is at most Tolerance·Alpha/(1-Alpha).
	Tolerance     float64 `json:"tolerance"`
	MaxIterations int     `json:"max_iterations"`
	// TopK contributions kept in an explanation.
	TopK int `json:"top_k"`
	// ExplainEpsilon is the residual threshold of the exhaustive reverse
	// push (Explain), the reference the bounded one is tested against.
	ExplainEpsilon float64 `json:"explain_epsilon"`
	// ExplainTolerance: the bounded explanation (ExplainBounded, what the
	// API and reports show) stops once the score it has not attributed to
	// any record is at most ExplainTolerance × the score...
	ExplainTolerance float64 `json:"explain_tolerance"`
	// ExplainMaxWork: ...or after this many edge visits, whichever comes
	// first; the unattributed part is reported with the explanation.
	ExplainMaxWork int `json:"explain_max_work"`
	// DetailsMaxWork is ExplainMaxWork for the explanation stored with
	// each written result's details (Details: the top 3 contributions
	// and, with them, what is left unattributed), rendered for tens of
	// thousands of entities per run; the API's and reports' live answers
	// keep ExplainMaxWork (docs/risk-model.md §4, "Stored details").
	DetailsMaxWork int `json:"details_max_work"`
	// WriteTolerance: a run that knows the stored results (incremental,
	// or from a projection snapshot) writes an entity's result back when
	// its score moved from the stored one by more than this (or by more
	// than Bound, if larger), or its grade or flags changed; so a stored
	// score is within WriteThreshold of the run's computed one, and its
	// grade and flags are the run's. 0: Bound.
	WriteTolerance float64 `json:"write_tolerance"`
	// IncrementalTolerance is the Tolerance of an incremental run's
	// propagation (PropagateIncremental), whose results are written back
	// only when they move by more than WriteThreshold. It is used as
	// IncrementalTol: never tighter than Tolerance, never so loose that
	// its bound (IncrementalBound) exceeds a hundredth of WriteThreshold.
	// 0: Tolerance; at most 1e-5.
	IncrementalTolerance float64 `json:"incremental_tolerance"`
}

// Bound is the propagation's error bound, Tolerance·Alpha/(1−Alpha): every
// score a run computes (Propagate, or PropagatePush with ε = Alpha·Tolerance)
// is within it of the exact fixed point. A run writes back a result only
// when its score moved by more than WriteThreshold, at least Bound (or its
// grade or flags changed: Result.Changed).
func (pp *PropagationParams) Bound() float64 {
	return pp.Tolerance * pp.Alpha / (1 - pp.Alpha)
}

// WriteThreshold is how far a run's score may be from the stored one
// before the run writes it back: WriteTolerance, and never less than
// Bound (a smaller move is below what the run can tell apart). A stored
// score is within WriteThreshold of the last run's, so within
// WriteThreshold + Bound of the exact one.
func (pp *PropagationParams) WriteThreshold() float64 {
	return max(pp.WriteTolerance, pp.Bound())
}

// IncrementalTol is the tolerance an incremental run's propagation stops
// at: IncrementalTolerance (Tolerance when 0), at least Tolerance, and at
// most the tolerance whose bound is a hundredth of WriteThreshold. With
// the defaults 1e-7 (a bound of 1e-7, a hundredth of the write tolerance
// 1e-5); with write_tolerance 0 (the write threshold is the bound) it is
// Tolerance.
func (pp *PropagationParams) IncrementalTol() float64 {
	if pp.IncrementalTolerance == 0 {
		return pp.Tolerance
	}
	most := pp.WriteThreshold() / 100 * (1 - pp.Alpha) / pp.Alpha
	return max(pp.Tolerance, min(pp.IncrementalTolerance, most))
}

// IncrementalBound is the error bound of an incremental run's scores,
// IncrementalTol·Alpha/(1−Alpha): every score PropagateIncremental
// computes is within it of the exact fixed point. It is at least Bound and
// at most max(Bound, WriteThreshold/100).
func (pp *PropagationParams) IncrementalBound() float64 {
	return pp.IncrementalTol() * pp.Alpha / (1 - pp.Alpha)
}

// GradeParams map scores to grades A (lowest risk) to D.
type GradeParams struct {
	// B, C, D are the lowest scores of grades B, C and D.
	B float64 `json:"b"`
	C float64 `json:"c"`
	D float64 `json:"d"`
}

// OwnershipParams define beneficial owners and control.
type OwnershipParams struct {
	// BeneficialThreshold: natural persons with at least this integrated
	// ownership are beneficial owners.
	BeneficialThreshold float64 `json:"beneficial_threshold"`
	// ControlThreshold: a holder (with what it controls) holding more than
	// this controls the enterprise.
	ControlThreshold float64 `json:"control_threshold"`
	// MaxChains and MaxChainDepth bound the chains listed per owner.
	MaxChains     int `json:"max_chains"`
	MaxChainDepth int `json:"max_chain_depth"`
}

// RecordParams say which record kinds raise risk and how long each is
// published (docs/risk-model.md, "Record life"). The measures catalogue
// is their source: credit.Catalogue.RecordParams fills them, and the run
// history keeps them with each run.
type RecordParams struct {
	// PositiveKinds (commendations, red lists) and NeutralKinds (facts
	// such as licences) never raise risk nor flags; every other kind is
	// negative.
	PositiveKinds []string `json:"positive_kinds"`
	NeutralKinds  []string `json:"neutral_kinds"`
	// PublicationYears: a record of the kind stops counting this many
	// years after its decision; kinds not listed are published until
	// removed.
	PublicationYears map[string]int `json:"publication_years"`
}

// FlagParams are the anomaly thresholds.
type FlagParams struct {
	// ShellClusterMin: at least this many active enterprises at one value.
	ShellClusterMin int `json:"shell_cluster_min"`
	// SerialLegalRepMin: legal representative of at least this many enterprises.
	SerialLegalRepMin int `json:"serial_legal_rep_min"`
	// BurstMin enterprises established within BurstDays days.
	BurstMin  int `json:"burst_min"`
	BurstDays int `json:"burst_days"`
	// RestrictedYears: the serious violation or revocation lies within this many years.
	RestrictedYears int `json:"restricted_years"`
	// RestrictedRelations are the relation kinds (models.RelationKinds)
	// through which a restriction reaches a related person: the spouse of a
	// restricted person newly appointed elsewhere is flagged too. Empty:
	// only the person themself.
	RestrictedRelations []string `json:"restricted_relations"`
	// BlacklistKinds are the record kinds (in force) that blacklist an entity.
	BlacklistKinds []string `json:"blacklist_kinds"`
	// BlacklistHops: control hops searched around a blacklisted entity.
	BlacklistHops int `json:"blacklist_hops"`
	// LayeringMin: at least this many enterprises in the control chain from
	// the controlling person down to the enterprise (LayeringMin-1 layers above it).
	LayeringMin int `json:"layering_min"`
}

// DefaultWriteTolerance is PropagationParams.WriteTolerance by default:
// a tenth of the last decimal the API and reports show (4), so a stored
// score differs from the run's in the shown digits only when the run's
// lies within 1e-5 of a rounding edge. On a day that changes 1 % of the
// enterprises it writes back about a quarter of what the propagation's
// bound (1e-9) would (docs/scaling.md, "Write-back").
const DefaultWriteTolerance = 1e-5

// DefaultIncrementalTolerance is PropagationParams.IncrementalTolerance by
// default: an incremental run's scores are within 1e-7 of the exact fixed
// point (α = 0.5), a hundredth of the write tolerance and a thousandth of
// the last decimal shown. Against the full run's 1e-9 it spares the sweeps
// that would settle digits no written result keeps (docs/risk-model.md
// §10, "Incremental tolerance").
const DefaultIncrementalTolerance = 1e-7

// DefaultDetailsMaxWork is PropagationParams.DetailsMaxWork by default:
// a quarter of the API's bound. Measured on the 6 565 written results with
// details of a 1 % day at 200 000 enterprises (docs/risk-model.md §4): a
// fifth of the CPU of 20 000 visits, the same top 3 records in 99.5 % of
// them (in the same order in 98.9 %), 0.66 % of the score left
// unattributed on average (0.25 % with 20 000).
const DefaultDetailsMaxWork = 5_000

// DefaultParams returns the documented defaults.
func DefaultParams() Params {
	return Params{
		Intrinsic: IntrinsicParams{
			Kinds: map[string]KindParams{
				"administrative_penalty": {Severity: 0.4, Weight: 0.8, HalfLifeDays: 730},
				"abnormal_operations":    {Severity: 0.3, Weight: 0.8, HalfLifeDays: 365},
				"serious_violation":      {Severity: 0.9, Weight: 1.0, HalfLifeDays: 1825},
				"blacklist":              {Severity: 0.9, Weight: 1.0, HalfLifeDays: 1825},
				"dishonest_debtor":       {Severity: 0.7, Weight: 0.9, HalfLifeDays: 1095},
				"tax_violation":          {Severity: 0.7, Weight: 0.9, HalfLifeDays: 1095},
				"default":                {Severity: 0.3, Weight: 0.5, HalfLifeDays: 730},
			},
			LiftedHalfLifeDays: 180,
			LiftedFactor:       0.5,
		},
		Propagation: PropagationParams{
			Alpha: 0.5,
			Weights: RelWeights{
				ControlDown: 0.9, MinorityDown: 0.6, HolderUp: 0.5,
				LegalRepDown: 0.8, LegalRepUp: 0.6,
				Officer: map[string]float64{
					"chairman": 0.5, "executive_director": 0.5, "general_manager": 0.5, "executive_partner": 0.6,
					"vice_chairman": 0.35, "director": 0.3, "manager": 0.3, "deputy_general_manager": 0.25,
					"cfo": 0.25, "board_secretary": 0.2, "branch_head": 0.4,
					"supervisor": 0.15, "chief_supervisor": 0.2, "independent_director": 0.1, "default": 0.2,
				},
				FormerRoleFactor: 0.5,
				Branch:           0.7,
				SharedAddress:    0.15, SharedPhone: 0.15, SharedEmail: 0.1,
			},
			Tolerance:        1e-9,
			MaxIterations:    1000,
			TopK:             5,
			ExplainEpsilon:   1e-7,
			ExplainTolerance: 1e-4,
			ExplainMaxWork:   20_000,
			DetailsMaxWork:   DefaultDetailsMaxWork,
			WriteTolerance:   DefaultWriteTolerance,

			IncrementalTolerance: DefaultIncrementalTolerance,
		},
		Grades: GradeParams{B: 0.02, C: 0.1, D: 0.25},
		Ownership: OwnershipParams{
			BeneficialThreshold: 0.25, ControlThreshold: 0.5, MaxChains: 5, MaxChainDepth: 12,
		},
		Flags: FlagParams{
			ShellClusterMin: 8, SerialLegalRepMin: 10, BurstMin: 5, BurstDays: 30,
			RestrictedYears: 3, RestrictedRelations: []string{"spouse"}, BlacklistKinds: []string{"blacklist", "serious_violation"},
			BlacklistHops: 2, LayeringMin: 7,
		},
		Records: RecordParams{PositiveKinds: []string{"red_list", "a_grade_taxpayer", "commendation"}, NeutralKinds: []string{},
			PublicationYears: map[string]int{}},
	}
}

// LoadParams reads a JSON parameter file over the defaults: fields the file
// does not name keep their default. Unknown fields are refused, so a typo
// does not silently keep a default.
func LoadParams(path string) (Params, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Params{}, fmt.Errorf("params: %w", err)
	}
	return ParseParams(raw)
}

// ParseParams decodes JSON parameters over the defaults and validates them.
func ParseParams(raw []byte) (Params, error) {
	p := DefaultParams()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Params{}, fmt.Errorf("params: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}

// Validate reports every parameter out of range, each with what to write instead.
func (p *Params) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("params: "+format, args...)) }
	unit := func(name string, v float64) {
		if !(v >= 0 && v <= 1) {
			bad("%s = %v: use a number in [0,1]", name, v)
		}
	}
	if _, ok := p.Intrinsic.Kinds["default"]; !ok {
		bad("intrinsic.kinds has no \"default\" entry: add one for record kinds not listed")
	}
	kinds := make([]string, 0, len(p.Intrinsic.Kinds))
	for k := range p.Intrinsic.Kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		kp := p.Intrinsic.Kinds[k]
		unit("intrinsic.kinds."+k+".severity", kp.Severity)
		unit("intrinsic.kinds."+k+".weight", kp.Weight)
		if !(kp.HalfLifeDays > 0) {
			bad("intrinsic.kinds.%s.half_life_days = %v: use a positive number of days", k, kp.HalfLifeDays)
		}
	}
	if !(p.Intrinsic.LiftedHalfLifeDays > 0) {
		bad("intrinsic.lifted_half_life_days = %v: use a positive number of days", p.Intrinsic.LiftedHalfLifeDays)
	}
	unit("intrinsic.lifted_factor", p.Intrinsic.LiftedFactor)
	pp := &p.Propagation
	if !(pp.Alpha > 0 && pp.Alpha < 1) {
		bad("propagation.alpha = %v: use a number strictly between 0 and 1 (default 0.5)", pp.Alpha)
	}
	w := &pp.Weights
	for name, v := range map[string]float64{
		"control_down": w.ControlDown, "minority_down": w.MinorityDown, "holder_up": w.HolderUp,
		"legal_rep_down": w.LegalRepDown, "legal_rep_up": w.LegalRepUp, "former_role_factor": w.FormerRoleFactor,
		"branch": w.Branch, "shared_address": w.SharedAddress, "shared_phone": w.SharedPhone, "shared_email": w.SharedEmail,
	} {
		unit("propagation.weights."+name, v)
	}
	for t, v := range w.Officer {
		unit("propagation.weights.officer."+t, v)
	}
	if w.MinorityDown > w.ControlDown {
		bad("propagation.weights.minority_down %v > control_down %v: control must pass risk at least as strongly as a minority holding", w.MinorityDown, w.ControlDown)
	}
	if !(pp.Tolerance > 0 && pp.Tolerance < 1e-2) {
		bad("propagation.tolerance = %v: use a small positive number such as 1e-9", pp.Tolerance)
	}
	if pp.MaxIterations < 1 {
		bad("propagation.max_iterations = %d: use at least 1", pp.MaxIterations)
	}
	if pp.TopK < 1 || pp.TopK > 100 {
		bad("propagation.top_k = %d: use 1 to 100", pp.TopK)
	}
	if !(pp.ExplainEpsilon > 0 && pp.ExplainEpsilon < 1e-2) {
		bad("propagation.explain_epsilon = %v: use a small positive number such as 1e-7", pp.ExplainEpsilon)
	}
	if !(pp.ExplainTolerance >= 0 && pp.ExplainTolerance < 1) {
		bad("propagation.explain_tolerance = %v: use a fraction of the score in [0, 1) such as 1e-4", pp.ExplainTolerance)
	}
	if !(pp.WriteTolerance >= 0 && pp.WriteTolerance <= 1e-4) {
		bad("propagation.write_tolerance = %v: use 0 (the propagation's bound) up to 1e-4, the precision scores are shown at (default %g)", pp.WriteTolerance, DefaultWriteTolerance)
	}
	if !(pp.IncrementalTolerance >= 0 && pp.IncrementalTolerance <= 1e-5) {
		bad("propagation.incremental_tolerance = %v: use 0 (the tolerance) up to 1e-5; an incremental run never stops tighter than the tolerance nor with a bound above a hundredth of the write threshold (default %g)", pp.IncrementalTolerance, DefaultIncrementalTolerance)
	}
	if pp.ExplainMaxWork < 1_000 || pp.ExplainMaxWork > 100_000_000 {
		bad("propagation.explain_max_work = %d: use 1000 to 100000000 edge visits (default 20000)", pp.ExplainMaxWork)
	}
	if pp.DetailsMaxWork < 1_000 || pp.DetailsMaxWork > 100_000_000 {
		bad("propagation.details_max_work = %d: use 1000 to 100000000 edge visits (default %d)", pp.DetailsMaxWork, DefaultDetailsMaxWork)
	}
	g := p.Grades
	if !(0 < g.B && g.B < g.C && g.C < g.D && g.D <= 1) {
		bad("grades b=%v c=%v d=%v: use 0 < b < c < d <= 1", g.B, g.C, g.D)
	}
	o := p.Ownership
	if !(o.BeneficialThreshold > 0 && o.BeneficialThreshold <= 1) {
		bad("ownership.beneficial_threshold = %v: use a number in (0,1], 0.25 by regulation", o.BeneficialThreshold)
	}
	if !(o.ControlThreshold >= 0.5 && o.ControlThreshold < 1) {
		bad("ownership.control_threshold = %v: use a number in [0.5,1)", o.ControlThreshold)
	}
	if o.MaxChains < 1 || o.MaxChainDepth < 1 {
		bad("ownership.max_chains and max_chain_depth must be at least 1")
	}
	f := p.Flags
	if f.ShellClusterMin < 2 {
		bad("flags.shell_cluster_min = %d: use at least 2", f.ShellClusterMin)
	}
	if f.SerialLegalRepMin < 2 {
		bad("flags.serial_legal_rep_min = %d: use at least 2", f.SerialLegalRepMin)
	}
	if f.BurstMin < 2 || f.BurstDays < 1 {
		bad("flags.burst_min (%d) must be at least 2 and burst_days (%d) at least 1", f.BurstMin, f.BurstDays)
	}
	if f.RestrictedYears < 1 {
		bad("flags.restricted_years = %d: use at least 1", f.RestrictedYears)
	}
	for _, k := range f.RestrictedRelations {
		if !models.RelationKind(k).Valid() {
			bad("flags.restricted_relations: %q is no relation kind; use spouse, relative or other", k)
		}
	}
	if f.BlacklistHops < 1 || f.BlacklistHops > 10 {
		bad("flags.blacklist_hops = %d: use 1 to 10", f.BlacklistHops)
	}
	if f.LayeringMin < 2 {
		bad("flags.layering_min = %d: use at least 2", f.LayeringMin)
	}
	for k, y := range p.Records.PublicationYears {
		if y < 0 {
			bad("records.publication_years.%s = %d: use a number of years, or leave the kind out (published until removed)", k, y)
		}
	}
	for _, k := range append(slices.Clone(p.Records.PositiveKinds), p.Records.NeutralKinds...) {
		if slices.Contains(f.BlacklistKinds, k) {
			bad("records: kind %s raises no risk (positive or neutral) but is a blacklist kind in flags.blacklist_kinds; remove it from one", k)
		}
	}
	if p.Workers < 0 {
		bad("workers = %d: use 0 (all cores) or a positive number", p.Workers)
	}
	return errors.Join(errs...)
}

// kind returns the parameters of a record kind (the default for unlisted kinds).
func (ip *IntrinsicParams) kind(k string) KindParams {
	if kp, ok := ip.Kinds[k]; ok {
		return kp
	}
	return ip.Kinds["default"]
}

// officer returns the weight of an officer title.
func (w *RelWeights) officer(title string) float64 {
	if v, ok := w.Officer[title]; ok {
		return v
	}
	return w.Officer["default"]
}
