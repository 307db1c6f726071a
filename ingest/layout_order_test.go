package ingest

import (
	"testing"

	"riskgraph/models"
)

// FileKinds is models.Layout's order: the loader reads the files in the
// order the shared table gives, and knows every kind in it.
func TestFileKindsFollowTheLayout(t *testing.T) {
	if len(FileKinds) != len(models.Layout) {
		t.Fatalf("%d file kinds, the layout has %d", len(FileKinds), len(models.Layout))
	}
	for i, f := range models.Layout {
		if string(FileKinds[i]) != f.Kind || !FileKinds[i].Valid() || len(FileKinds[i].Columns()) != len(f.Columns) {
			t.Errorf("file kind %d: %q, layout %q", i, FileKinds[i], f.Kind)
		}
	}
}
