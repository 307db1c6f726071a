package engine

import (
	"context"
	"errors"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// TestPatchRefused: changes that touch a SAME_AS set are not patched
// (the run projects from the store).
func TestPatchRefused(t *testing.T) {
	gs := generated(t, 300)
	a, b := gs.graph.Ref(0).Key, gs.graph.Ref(1).Key
	for _, c := range []*store.Batch{
		{Enterprises: []models.Enterprise{{Key: b, Status: models.StatusRevoked}}},
		{Records: []models.Record{{ID: "new", Subject: models.EnterpriseRef(a), Kind: models.RecordPenalty, Severity: 0.5}}},
		{Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef(gs.graph.Ref(5).Key), Enterprise: b, Ratio: 0.5}}},
	} {
		g := snapshotGraph(t, 300, [][]string{{a, b}})
		if err := g.Patch(c); !errors.Is(err, ErrNotPatchable) {
			t.Errorf("patch %+v: %v; want not patchable", c, err)
		}
	}
	g, err := Project(context.Background(), gs.store)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Patch(&store.Batch{}); !errors.Is(err, ErrNotPatchable) {
		t.Errorf("a graph not projected for a snapshot: %v; want not patchable", err)
	}
}
