package store

import "context"

// NoNumber is the node number of an endpoint a projection scan could not
// number; the engine then finds the node by its key.
const NoNumber int32 = -1

// NumberAt returns nums[i], or NoNumber when the scan gave no numbers (a
// page's numbers are nil on a backend that cannot number).
func NumberAt(nums []int32, i int) int32 {
	if i < len(nums) {
		return nums[i]
	}
	return NoNumber
}

// EndsAt returns ends[i], or NoNumber twice when the scan gave no numbers.
func EndsAt(ends []Ends, i int) Ends {
	if i < len(ends) {
		return ends[i]
	}
	return Ends{From: NoNumber, To: NoNumber}
}

// ProjectionScanner streams the graph for the engine's projection (part of
// Store; both backends implement it): the rows
// Scan gives, in the same order, with node numbers beside them so
// that the engine resolves relationship endpoints by indexing a slice
// instead of hashing keys.
//
// Rows carry at least the fields the projection reads; a backend may leave
// the others empty:
//
//	Enterprise   Key, Kind, Status, Established, Region, Industry, Address,
//	             Phone, Email, Placeholder, Risk (Score and Flags; nil if none)
//	Person       PID, Placeholder, Risk (Score and Flags; nil if none)
//	Record       ID, Subject, Kind, Severity, Decided, Removed
//	Shareholding Holder, Enterprise, Ratio, Since
//	Role         Person, Enterprise, Kind, Title, Since, Until (not TitleText)
//	Branch       Branch, Parent
//	Relation     A, B, Kind
//
// Pages hold at most pageSize rows. A page and its slices are valid only
// while fn runs (backends reuse them); the strings in the rows may be kept.
//
// Node numbers are assigned by the backend for the duration of one scan:
// one number per node, the same wherever the node appears, distinct for
// distinct nodes, in [0, 2^31-1). They index a slice, so a backend keeps
// them dense: below 4 × (nodes in the graph) + 2^20. An endpoint the
// backend cannot number carries NoNumber.
type ProjectionScanner interface {
	ScanProjection(ctx context.Context, pageSize int, fn func(*ProjectionPage) error) error
}

// ProjectionPage is one page of a projection scan: a Batch with the node
// numbers of its rows in parallel slices.
type ProjectionPage struct {
	Batch
	// EnterpriseNums[i] numbers Enterprises[i]; PersonNums[i] Persons[i].
	EnterpriseNums, PersonNums []int32
	// RecordSubjects[i] numbers the subject of Records[i].
	RecordSubjects []int32
	// ShareholdingEnds[i] numbers the holder and the enterprise of
	// Shareholdings[i]; RoleEnds the person and the enterprise of Roles[i];
	// BranchEnds the branch and the parent of Branches[i]; RelationEnds
	// persons A and B of Relations[i].
	ShareholdingEnds, RoleEnds, BranchEnds, RelationEnds []Ends
	// Sizes is what the backend expects the whole scan to hold, so that the
	// consumer can reserve its arrays once; zero where it does not know.
	// Set on the first page at least.
	Sizes ScanSizes
	// StringsKept says that the rows' strings are the backend's own
	// copies, kept unchanged while the store is open (the memory store's):
	// a consumer that keeps one keeps no more than a reference. Otherwise a
	// string may have been allocated for this page, or share its memory
	// with the rest of its row, and a consumer that keeps many copies them
	// (the engine's KeyTable). Set on the first page at least.
	StringsKept bool
}

// ScanSizes are the expected numbers of enterprises, persons and
// relationships (shareholdings, roles, branches and relations) of a scan; estimates
// only (writes during the scan may change them).
type ScanSizes struct {
	Enterprises, Persons, Relationships int
}

// Ends are the node numbers of a relationship's start and end.
type Ends struct{ From, To int32 }

// ScanForProjection runs s's ScanProjection when it has one, else its Scan
// with pages that carry no numbers (the engine then finds every endpoint
// by key). It serves consumers that take only a Scanner (engine.Project,
// report.Capture over an engine.ScoreStore); every Store has
// ScanProjection, so a wrapper of a Store forwards it directly.
func ScanForProjection(ctx context.Context, s Scanner, pageSize int, fn func(*ProjectionPage) error) error {
	if ps, ok := s.(ProjectionScanner); ok {
		return ps.ScanProjection(ctx, pageSize, fn)
	}
	var p ProjectionPage
	return s.Scan(ctx, pageSize, func(b *Batch) error {
		p = ProjectionPage{Batch: *b}
		return fn(&p)
	})
}
