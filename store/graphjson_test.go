package store_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// TestGraphAppendJSON: Graph.AppendJSON writes exactly what json.Marshal
// writes for the same graph — networks of the conformance fixture with
// every shown property (risk with flags, details and a previous run;
// placeholders; match scores; a SAME_AS decision), nil and empty lists,
// and values that need escapes or exponent notation.
func TestGraphAppendJSON(t *testing.T) {
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.LoadNetworkProperties(t, s)
	var graphs []store.Graph
	for _, root := range storetest.NetworkPropertiesRoots {
		for depth := 1; depth <= 3; depth++ {
			g, err := store.Neighbourhood(context.Background(), s, root, depth, nil, 100)
			if err != nil {
				t.Fatal(err)
			}
			graphs = append(graphs, g)
		}
	}
	ent, per := models.EnterpriseRef, models.PersonRef
	tricky := store.Graph{
		Nodes: []store.Node{
			{ID: "enterprise:<a&b>", Ref: ent("<a&b>"), Label: "名称 \"引号\" \u2028 \x01 \xff", Props: map[string]any{"status": "active", "note": "<x>", "n": 1e21},
				Risk: &models.Risk{Score: 1e-7, Grade: "D", Run: "r<1>", Flags: []string{"cycle", "星<"},
					Details: json.RawMessage(`{ "top" : [ ["enterprise:a", 0.5 ], "<&>" ] }`), Previous: &models.PreviousRisk{Score: -0.25, Grade: "C", Run: "r0"}}},
			{ID: "person:p", Ref: per("p"), Label: "", Props: map[string]any{}, Risk: &models.Risk{Score: 0, Grade: "", Run: ""}},
			{ID: "record:r", Ref: models.RecordRef("r"), Label: "penalty", Props: map[string]any{"severity": 123456789.125, "tiny": -2.5e-9}},
		},
		Edges: []store.Edge{
			{From: ent("<a&b>"), To: per("p"), Type: models.RelHoldsShares, Props: map[string]any{"ratio": 1.0 / 3}},
			{From: per("p"), To: models.RecordRef("r"), Type: models.RelHasRecord},
		},
		Truncated: true,
	}
	graphs = append(graphs, tricky, store.Graph{}, store.Graph{Nodes: []store.Node{}, Edges: []store.Edge{}})
	for i, g := range graphs {
		want, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		got, err := g.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("graph %d:\n got  %s\n want %s", i, got, want)
		}
	}
	// Values encoding/json refuses are refused.
	bad := store.Graph{Nodes: []store.Node{{ID: "x", Risk: &models.Risk{Score: math.NaN()}}}}
	if _, err := bad.AppendJSON(nil); err == nil {
		t.Error("NaN score encoded, want an error as json.Marshal gives")
	}
	for _, f := range []float64{0, 1, -1, 0.1, 1e-6, 9.999e-7, 1e20, 1e21, 123456789012345678, 5e-324, math.MaxFloat64} {
		g := store.Graph{Nodes: []store.Node{{ID: "x", Risk: &models.Risk{Score: f}}}}
		want, _ := json.Marshal(g)
		got, _ := g.AppendJSON(nil)
		if string(got) != string(want) {
			t.Errorf("score %v: got %s, want %s", f, got, want)
		}
	}
}
