package memory

import (
	"hash/maphash"

	"riskgraph/models"
)

// lookupBlock is the number of references lookupResults resolves
// together.
const lookupBlock = 32

// lookupResults calls fn(i, id) for every result of rs whose entity
// exists, in order: lookup for a batch of results. A look-up is a chain
// of three cache misses at a million entities — the key's slot, the node
// that slot names, the node's key to compare — each waiting for the one
// before; looked up one after the other, every miss of a batch is waited
// for in turn. Here each block of references takes each step together:
// all their hashes and first slots, then all their candidate nodes, then
// the comparisons, so that a step's loads, independent of each other,
// overlap. A reference whose first slot is empty is absent; one whose
// first slot holds another key's hash, or whose candidate's key differs
// (two keys with the same 32-bit hash), is looked up by the ordinary
// probe. The answer is lookup's, reference for reference
// (TestLookupResultsMatchesLookup).
func (g *graph) lookupResults(rs []models.RiskResult, fn func(i int, id nodeID)) {
	var (
		hash [lookupBlock]uint32
		slot [lookupBlock]uint64
		key  [lookupBlock]textRef
		ix   [lookupBlock]*keyIndex
	)
	for lo := 0; lo < len(rs); lo += lookupBlock {
		block := rs[lo:min(lo+lookupBlock, len(rs))]
		for i := range block {
			ix[i], slot[i] = g.indexOf(block[i].Ref.Kind), 0
			if x := ix[i]; x != nil && x.n > 0 {
				hash[i] = uint32(maphash.String(x.seed, block[i].Ref.Key))
				slot[i] = x.slots[int(hash[i])&(len(x.slots)-1)]
			}
		}
		for i := range block {
			if s := slot[i]; s != 0 && uint32(s>>32) == hash[i] {
				key[i] = g.nodes[int32(uint32(s))-1].key
			}
		}
		for i := range block {
			s := slot[i]
			if s == 0 {
				continue // an empty first slot: absent (or no index)
			}
			if uint32(s>>32) == hash[i] && g.text.str(key[i]) == block[i].Ref.Key {
				fn(lo+i, int32(uint32(s))-1)
			} else if id, ok := ix[i].get(block[i].Ref.Key, g.nodeKey); ok {
				fn(lo+i, id)
			}
		}
	}
}

// indexOf is the key index of references of kind k (nil for other kinds).
func (g *graph) indexOf(k models.NodeKind) *keyIndex {
	switch k {
	case models.KindEnterprise:
		return &g.entID
	case models.KindPerson:
		return &g.perID
	}
	return nil
}
