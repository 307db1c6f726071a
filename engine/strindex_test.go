package engine

import (
	"encoding/binary"
	"testing"
)

// TestHashStringMatchesPlainReading: hashString reads the string's words
// through unsafe pointers; a plain reading (encoding/binary) of the same
// bytes gives the same hash for every length around the word boundaries.
// The graph file keeps indexes built with these hashes, so a change of
// value would make every saved index wrong.
func TestHashStringMatchesPlainReading(t *testing.T) {
	plain := func(seed uint64, s string) uint64 {
		h := seed ^ hashK0
		b := []byte(s)
		for len(b) >= 8 {
			h = mix64(h^binary.LittleEndian.Uint64(b), hashK1)
			b = b[8:]
		}
		if len(b) > 0 {
			var w [8]byte
			copy(w[:], b)
			h = mix64(h^binary.LittleEndian.Uint64(w[:]), hashK2)
		}
		return mix64(h^uint64(len(s)), hashK1^seed)
	}
	text := "enterprise:91310000MA1FL0001X 上海某某科技有限公司"
	for _, seed := range []uint64{0, 1, 0x9e3779b97f4a7c15} {
		for n := 0; n <= len(text); n++ {
			s := text[:n]
			if got, want := hashString(seed, s), plain(seed, s); got != want {
				t.Fatalf("seed %x, %q: %x, plain reading %x", seed, s, got, want)
			}
		}
	}
}
