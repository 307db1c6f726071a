package report

import (
	"context"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// TestCaptureKeepsProjectionScan: a scoring run through Capture (the
// scheduled job's path) still gets the store's node numbers.
func TestCaptureKeepsProjectionScan(t *testing.T) {
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := &store.Batch{Shareholdings: []models.Shareholding{{Holder: models.EnterpriseRef("src:t:1"), Enterprise: "src:t:2", Ratio: 0.6}}}
	if err := st.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	var s store.Scanner = NewCapture(st, "r1")
	ps, ok := s.(store.ProjectionScanner)
	if !ok {
		t.Fatal("Capture hides the store's projection scan")
	}
	numbered := 0
	err = ps.ScanProjection(context.Background(), 10, func(p *store.ProjectionPage) error {
		for _, e := range p.ShareholdingEnds {
			if e.From >= 0 && e.To >= 0 {
				numbered++
			}
		}
		return nil
	})
	if err != nil || numbered != 1 {
		t.Fatalf("numbered shareholdings through Capture: %d, %v", numbered, err)
	}
}
