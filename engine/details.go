package engine

import (
	"encoding/json"
	"slices"
)

// Details is the engine JSON stored with an entity's result
// (models.Risk.Details): flag evidence and the top contributions. It is
// kept under maxDetailsBytes.
//
// The contributions are a bounded explanation (ExplainBounded with
// PropagationParams.DetailsMaxWork) and Unaccounted is its U, the part of
// the score it attributed to no record (part of Remainder): every listed
// amount is below its exact value by at most U, and a record not listed
// contributes at most the smallest listed amount plus U
// (docs/risk-model.md §4).
type Details struct {
	Intrinsic     float64            `json:"intrinsic"`
	Contributions []ContributionView `json:"contributions,omitempty"`
	Remainder     float64            `json:"remainder,omitempty"`
	Unaccounted   float64            `json:"unaccounted,omitempty"`
	Flags         []FindingView      `json:"flags,omitempty"`
}

// ContributionView is a contribution as the API and Details show it.
type ContributionView struct {
	Record  string   `json:"record"`
	Kind    string   `json:"kind"`
	Subject string   `json:"subject"` // "kind:key"
	Path    []string `json:"path"`    // from the subject to the entity, "kind:key"
	Amount  float64  `json:"amount"`
}

// FindingView is a finding as the API and Details show it.
type FindingView struct {
	Kind      string   `json:"kind"`
	Value     string   `json:"value,omitempty"`
	Count     int      `json:"count"`
	Threshold int      `json:"threshold"`
	Evidence  []string `json:"evidence"` // "kind:key", at most maxEvidence
	More      int      `json:"more,omitempty"`
	Records   []string `json:"records,omitempty"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
}

const (
	maxDetailsBytes  = 2048
	maxEvidence      = 8
	detailsContribs  = 3
	detailsMaxFlags  = 4
	detailsPathLimit = 6
)

// View renders an explanation.
func (r *Result) View(ex Explanation, limit int) []ContributionView {
	g := r.Graph
	var out []ContributionView
	for i, c := range ex.Contributions {
		if i == limit {
			break
		}
		cv := ContributionView{Record: g.RecordIDs.At(c.Record), Kind: g.RecordKinds[g.Records[c.Record].Kind],
			Subject: g.Ref(c.Subject).String(), Amount: c.Amount}
		for _, v := range c.Path {
			cv.Path = append(cv.Path, g.Ref(v).String())
		}
		out = append(out, cv)
	}
	return out
}

// FindingViews renders v's findings.
func (r *Result) FindingViews(v int32, evidence int) []FindingView {
	g := r.Graph
	var out []FindingView
	for _, i := range r.Flags.of(v) {
		f := &r.Flags.Findings[i]
		fv := FindingView{Kind: f.Kind, Value: f.Value, Count: f.Count, Threshold: f.Threshold,
			From: f.From.Date().String(), To: f.To.Date().String()}
		for k, n := range f.Nodes {
			if k == evidence {
				fv.More = len(f.Nodes) - evidence
				break
			}
			fv.Evidence = append(fv.Evidence, g.Ref(n).String())
		}
		for _, ri := range f.Records {
			fv.Records = append(fv.Records, g.RecordIDs.At(ri))
		}
		out = append(out, fv)
	}
	return out
}

// wantsDetails: details are stored for entities graded C or D or carrying a flag.
func (r *Result) wantsDetails(v int32) bool {
	return r.Score[v] >= r.Params.Grades.C || len(r.Flags.of(v)) > 0
}

// DetailsJSON renders v's details, trimmed to at most 2 KB, or nil.
func (r *Result) DetailsJSON(v int32) json.RawMessage {
	if !r.wantsDetails(v) {
		return nil
	}
	d := Details{Intrinsic: r.Intrinsic.Risk[v], Flags: r.FindingViews(v, maxEvidence)}
	if len(d.Flags) > detailsMaxFlags {
		d.Flags = d.Flags[:detailsMaxFlags]
	}
	if r.Score[v] > 0 {
		ex := r.explainForDetails(v)
		d.Contributions = r.View(ex, detailsContribs)
		d.Unaccounted = ex.Unaccounted
		d.Remainder = ex.Score
		for _, c := range d.Contributions {
			d.Remainder -= c.Amount
		}
		for i := range d.Contributions {
			if p := d.Contributions[i].Path; len(p) > detailsPathLimit {
				d.Contributions[i].Path = append(slices.Clone(p[:detailsPathLimit-1]), p[len(p)-1])
			}
		}
	}
	for {
		b, err := json.Marshal(d)
		if err != nil || len(b) <= maxDetailsBytes {
			return b
		}
		// Trim evidence first, then flags, then contributions.
		switch {
		case trimEvidence(d.Flags):
		case len(d.Flags) > 1:
			d.Flags = d.Flags[:len(d.Flags)-1]
		case len(d.Contributions) > 0:
			d.Remainder += d.Contributions[len(d.Contributions)-1].Amount
			d.Contributions = d.Contributions[:len(d.Contributions)-1]
		default:
			d.Flags = nil
		}
	}
}

// explainForDetails is Explain with the work bound of stored details
// (PropagationParams.DetailsMaxWork).
func (r *Result) explainForDetails(v int32) Explanation {
	pp := &r.Params.Propagation
	return ExplainBounded(r.Graph, r.Operator, r.Intrinsic, r.Score, pp.Alpha, v, detailsContribs, pp.ExplainTolerance*r.Score[v], pp.DetailsMaxWork)
}

func trimEvidence(fs []FindingView) bool {
	for i := range fs {
		if n := len(fs[i].Evidence); n > 2 {
			fs[i].More += n - 2
			fs[i].Evidence = fs[i].Evidence[:2]
			return true
		}
	}
	return false
}
