package memory

import "riskgraph/models"

// Staged engine results (store.ResultWriter): WriteResults stages a run's
// results, PromoteRun makes them current. A daily run at 1 M enterprises
// stages 0.7–2.5 M results, so they are kept in rows appended in chunks
// (no rehashing, no copy of what is already there as the rows grow) and
// found by node id through a dense index that lives only while results
// are staged. Each row's result is allocated when staged as what the
// promotion installs on the node, so that the promotion, which holds the
// store's lock, allocates nothing and only links results in. Staging an entity again replaces its row in place (the
// latest result wins, whichever run staged it, as a map by node id
// would): however many runs stage and fail before the next promotion,
// at most one row per entity is held.

// stagedChunk is the number of rows per chunk.
const stagedChunk = 4096

// stagedRow is an entity's staged result, allocated as what a promotion
// installs (the promotion, under the store's lock, only links it in).
type stagedRow struct {
	id nodeID
	c  *current
}

// staging holds the staged results; its zero value holds none.
type staging struct {
	chunks [][]stagedRow
	n      int     // rows
	at     []int32 // by node id: the row's index + 1, or 0
}

// put stages r for node id (of nodes nodes).
func (s *staging) put(id nodeID, r models.Risk, nodes int) {
	if int(id) >= len(s.at) {
		at := make([]int32, max(nodes, int(id)+1))
		copy(at, s.at)
		s.at = at
	}
	if i := s.at[id]; i != 0 {
		// Not installed yet (a promotion drops every row): a new result
		// may replace it in place.
		s.chunks[(i-1)/stagedChunk][(i-1)%stagedChunk].c.risk = r
		return
	}
	if s.n%stagedChunk == 0 {
		s.chunks = append(s.chunks, make([]stagedRow, 0, stagedChunk))
	}
	c := &s.chunks[len(s.chunks)-1]
	*c = append(*c, stagedRow{id: id, c: &current{risk: r}})
	s.n++
	s.at[id] = int32(s.n)
}

// len returns the number of staged results.
func (s *staging) len() int { return s.n }

// each calls fn for every staged result, in the order first staged.
func (s *staging) each(fn func(id nodeID, c *current)) {
	for _, c := range s.chunks {
		for i := range c {
			fn(c[i].id, c[i].c)
		}
	}
}

// current is a result as installed on its node (node.risk points to its
// risk), with the previous one in the same allocation.
type current struct {
	risk models.Risk
	prev models.PreviousRisk
}
