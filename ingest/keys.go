package ingest

import (
	"fmt"
	"slices"

	"github.com/rs/zerolog"

	"riskgraph/ingest/keyindex"
)

// keyIndexes owns the key indexes of one load: the fingerprint of every key
// (one hasher, so equal keys meet across indexes), the memory budget after
// which an index spills to a file in tempDir, and the open indexes, so that
// a disk error in any of them stops the load and every spill file is
// removed at the end. The indexes themselves are used by the parts that
// need them (references, duplicate keys, share sums).
type keyIndexes struct {
	hash    keyindex.Hasher
	budget  int
	tempDir string
	log     zerolog.Logger
	open    []*keyindex.Index
}

func newKeyIndexes(budget int, tempDir string, log zerolog.Logger) *keyIndexes {
	return &keyIndexes{hash: keyindex.NewHasher(), budget: budget, tempDir: tempDir, log: log}
}

// key returns the fingerprint of a key of this load.
func (k *keyIndexes) key(s string) keyindex.Key { return k.hash.Key(s) }

// newIndex returns a key index of the load with values width bytes wide.
func (k *keyIndexes) newIndex(width int) *keyindex.Index {
	x := keyindex.New(width, k.budget, k.tempDir)
	k.open = append(k.open, x)
	return x
}

// err returns the first disk error of the load's key indexes.
func (k *keyIndexes) err() error {
	for _, x := range k.open {
		if err := x.Err(); err != nil {
			return fmt.Errorf("ingest: %w; the key indexes spill there once a load holds more than %d keys: give a writable directory with room (--temp-dir, LoadOptions.TempDir) and run the load again to resume", err, k.budget)
		}
	}
	return nil
}

// close removes an index from the load and its spill file; x may be nil.
func (k *keyIndexes) close(x *keyindex.Index) {
	if x == nil {
		return
	}
	if err := x.Close(); err != nil {
		k.log.Warn().Err(err).Msg("could not remove a key index's spill file")
	}
	k.open = slices.DeleteFunc(k.open, func(y *keyindex.Index) bool { return y == x })
}

// closeAll removes every index of the load and its spill file.
func (k *keyIndexes) closeAll() {
	for _, x := range slices.Clone(k.open) {
		k.close(x)
	}
}
