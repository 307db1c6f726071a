package memory

import (
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/store"
	"riskgraph/store/storetest"
)

func newTestStore(t *testing.T) store.Store {
	s, err := Open(Options{DataDir: t.TempDir(), Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newTestStore)
}

func TestProjectionConformance(t *testing.T) {
	storetest.RunProjection(t, newTestStore)
}
