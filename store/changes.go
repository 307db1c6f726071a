package store

import "context"

// ChangeFeed lets a consumer that keeps a copy of the graph — the engine's
// projection snapshot — catch up with what was written since its copy
// (part of Store; both backends implement it).
//
// The contract: every write of an enterprise, person, record or
// relationship (shareholding, role, branch, relation) is stamped with a
// data generation, the generation of the batch that wrote it, and
// Generation() = G means that every write stamped ≤ G is visible. A row
// written again is stamped again (the last write's generation counts).
//
// Nothing the projection reads is ever deleted: nodes, records and
// relationships are upserted (a record that moves to another subject is
// written, so stamped, again). A store whose data is replaced wholesale
// (emptied, restored from elsewhere) gets a new Lineage, which tells the
// consumer that its copy no longer applies.
type ChangeFeed interface {
	// Lineage names the store's history of writes: it stays the same as
	// long as every write since is in the change feed, and changes when
	// the data is replaced wholesale.
	Lineage(ctx context.Context) (string, error)
	// Changes returns the current rows of everything written after
	// generation since: each enterprise, person, record and relationship
	// whose last write is stamped above since, once, with at least the
	// fields ProjectionScanner lists. Controls and licences are left out.
	// When more than limit rows changed it returns ErrTooLarge (the
	// consumer then reads everything instead). Writes made while it runs
	// may or may not be included.
	Changes(ctx context.Context, since uint64, limit int) (*Batch, error)
	// SettledGeneration returns a generation G such that every write
	// stamped ≤ G is visible when it returns and every write not yet
	// visible will be stamped above G: what a consumer records as the
	// point its copy is complete up to. On both backends Generation already
	// promises this (Neo4j: the watermark of the batches' stamps); this
	// also settles what a writer that died left open (Neo4j: stamps whose
	// lease expired), waiting for a batch still writing under one.
	SettledGeneration(ctx context.Context) (uint64, error)
}
