package store

import (
	"encoding/json"
	"slices"
	"testing"

	"riskgraph/models"
)

// TestEdgeID pins the edge IDs the API shows and sorts by: endpoints and
// type, then the officer's title, the relation's kind or the control's
// basis after '#'.
func TestEdgeID(t *testing.T) {
	ent, per := models.EnterpriseRef, models.PersonRef
	cases := []struct {
		e    Edge
		want string
	}{
		{Edge{From: ent("a"), To: ent("b"), Type: models.RelHoldsShares, Props: map[string]any{"ratio": 0.5}}, "enterprise:a-HOLDS_SHARES->enterprise:b"},
		{Edge{From: per("p"), To: ent("b"), Type: models.RelOfficerOf, Props: map[string]any{"title": "director"}}, "person:p-OFFICER_OF->enterprise:b#director"},
		{Edge{From: per("p"), To: ent("b"), Type: models.RelOfficerOf, Props: map[string]any{"title": ""}}, "person:p-OFFICER_OF->enterprise:b"},
		{Edge{From: per("p"), To: per("q"), Type: models.RelRelatedTo, Props: map[string]any{"kind": "spouse"}}, "person:p-RELATED_TO->person:q#spouse"},
		{Edge{From: per("p"), To: ent("b"), Type: models.RelControls, Props: map[string]any{"basis": "agreement"}}, "person:p-CONTROLS->enterprise:b#agreement"},
		{Edge{From: per("p"), To: ent("b"), Type: models.RelControls, Props: map[string]any{"basis": "agreement", "title": "t"}},
			"person:p-CONTROLS->enterprise:b#t#agreement"},
		{Edge{From: ent("a"), To: models.RecordRef("r1"), Type: models.RelHasRecord}, "enterprise:a-HAS_RECORD->record:r1"},
	}
	for _, c := range cases {
		if got := c.e.ID(); got != c.want {
			t.Errorf("ID() = %q, want %q", got, c.want)
		}
	}
}

// TestSortEdges: edges in ID order, each edge kept.
func TestSortEdges(t *testing.T) {
	ent, per := models.EnterpriseRef, models.PersonRef
	es := []Edge{
		{From: per("p"), To: ent("b"), Type: models.RelOfficerOf, Props: map[string]any{"title": "z"}},
		{From: ent("b"), To: ent("a"), Type: models.RelHoldsShares},
		{From: per("p"), To: ent("b"), Type: models.RelOfficerOf, Props: map[string]any{"title": "a"}},
		{From: ent("a"), To: ent("b"), Type: models.RelHoldsShares},
	}
	sortEdges(es)
	var got []string
	for _, e := range es {
		got = append(got, e.ID())
	}
	want := []string{"enterprise:a-HOLDS_SHARES->enterprise:b", "enterprise:b-HOLDS_SHARES->enterprise:a",
		"person:p-OFFICER_OF->enterprise:b#a", "person:p-OFFICER_OF->enterprise:b#z"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
}

// TestEdgeMarshalJSON: Edge.MarshalJSON writes what encoding/json writes
// for edgeJSON, byte for byte: strings that need escapes (quotes, HTML
// characters, control and non-ASCII characters, U+2028, invalid UTF-8),
// no props, empty props and props.
func TestEdgeMarshalJSON(t *testing.T) {
	ent, per := models.EnterpriseRef, models.PersonRef
	vr := 0.25
	edges := []Edge{
		{From: ent("a"), To: ent("b"), Type: models.RelHoldsShares, Props: map[string]any{"ratio": 0.5, "voting_ratio": vr, "since": "2020-01-02"}},
		{From: ent("a"), To: models.RecordRef("r1"), Type: models.RelHasRecord},
		{From: ent("a"), To: ent("b"), Type: models.RelBranchOf, Props: map[string]any{}},
		{From: per("p"), To: ent("深圳\"<b>&"), Type: models.RelOfficerOf, Props: map[string]any{"title": "董事\u2028长", "title_text": "a\tb\x01"}},
		{From: ent("src:x:\xff\xfe"), To: ent("b\\c"), Type: models.RelSameAs, Props: map[string]any{"pair": "p<1>", "score": 1e-7}},
		{From: ent(`q"<&>\\`), To: ent("b"), Type: models.RelHoldsShares, Props: map[string]any{"ratio": 1.0}},
		{From: ent("a\x7f"), To: ent("b"), Type: models.RelControls, Props: map[string]any{"basis": "other", "note": "x & y"}},
	}
	for _, e := range edges {
		got, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(edgeJSON{ID: e.ID(), From: e.From.String(), To: e.To.String(), Type: e.Type, Props: e.Props})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("MarshalJSON\n got  %s\n want %s", got, want)
		}
	}
}
