package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"riskgraph/store"
)

func scanAll(t *testing.T, s store.Store, page int) *store.Batch {
	t.Helper()
	all := &store.Batch{}
	if err := s.Scan(ctx(), page, func(b *store.Batch) error { all.Append(b); return nil }); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return all
}

// counts: enterprises, persons, shareholdings, roles, branches, records.
func counts(b *store.Batch) [6]int {
	return [6]int{len(b.Enterprises), len(b.Persons), len(b.Shareholdings), len(b.Roles), len(b.Branches), len(b.Records)}
}

func sortBatch(b *store.Batch) {
	sort.Slice(b.Shareholdings, func(i, j int) bool {
		return store.ShareholdingEdge(b.Shareholdings[i]).ID() < store.ShareholdingEdge(b.Shareholdings[j]).ID()
	})
	sort.Slice(b.Roles, func(i, j int) bool { return store.RoleEdge(b.Roles[i]).ID() < store.RoleEdge(b.Roles[j]).ID() })
	sort.Slice(b.Branches, func(i, j int) bool { return b.Branches[i].Branch < b.Branches[j].Branch })
	sort.Slice(b.Records, func(i, j int) bool { return b.Records[i].ID < b.Records[j].ID })
}

func edgeIDs(es []store.Edge) []string {
	var ids []string
	for _, e := range es {
		ids = append(ids, e.ID())
	}
	slices.Sort(ids)
	return ids
}

func pathKeys(p store.Path) string {
	var ks []string
	for _, n := range p.Nodes {
		ks = append(ks, n.Ref.Key)
	}
	return strings.Join(ks, ">")
}

func describe(ps []store.Path) string {
	var out []string
	for _, p := range ps {
		out = append(out, pathKeys(p))
	}
	return fmt.Sprint(out)
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// runEqual compares runs, times by instant and JSON by value.
func runEqual(a, b store.Run) bool {
	return a.ID == b.ID && a.Started.Equal(b.Started) && a.Finished.Equal(b.Finished) && a.Status == b.Status &&
		a.Generation == b.Generation && a.Error == b.Error &&
		(len(a.Params) == 0) == (len(b.Params) == 0) && (len(a.Params) == 0 || jsonEqual(a.Params, b.Params)) &&
		(len(a.Summary) == 0) == (len(b.Summary) == 0) && (len(a.Summary) == 0 || jsonEqual(a.Summary, b.Summary))
}
