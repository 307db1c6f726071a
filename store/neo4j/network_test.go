package neo4j_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/neo4j"
	"riskgraph/store/neo4j/neo4jtest"
	"riskgraph/store/storetest"
)

// TestNetworkInOneRead checks that the conformance suite's network answers
// come from network.cypher alone where they should (the suite would pass
// too if Neighbourhood always fell back to the walk over Expand), and that
// the statement declines a first ring larger than the limit.
func TestNetworkInOneRead(t *testing.T) {
	s := neo4jtest.Open(t)
	storetest.LoadNetwork(t, s)
	ctx := context.Background()
	shares := []models.RelType{models.RelHoldsShares}
	for _, root := range []models.Ref{models.EnterpriseRef(storetest.NR), models.EnterpriseRef(storetest.NC1X), models.PersonRef(storetest.NQ)} {
		for depth := 1; depth <= 2; depth++ {
			for _, types := range [][]models.RelType{nil, shares, {models.RelSameAs}} {
				for _, limit := range []int{1, 11, 15, 100} {
					if depth == 2 && limit < 8 {
						continue // declined: each root's first ring is larger (below)
					}
					name := fmt.Sprintf("%s depth %d types %v limit %d", root, depth, types, limit)
					got, err := neo4j.NeighbourhoodInOneRead(ctx, s, root, depth, types, limit)
					if err != nil {
						t.Errorf("%s: %v, want the answer from one statement", name, err)
						continue
					}
					want, err := store.WalkNeighbourhood(ctx, s, root, depth, types, limit)
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Errorf("%s: one read %+v\n walk %+v (%v)", name, got, want, err)
					}
				}
			}
		}
	}
	// Seven nodes in the first ring beyond the root's SAME_AS set: at limit 5
	// the walk cuts the ring and the statement leaves depth 2 to it.
	if _, err := neo4j.NeighbourhoodInOneRead(ctx, s, models.EnterpriseRef(storetest.NR), 2, nil, 5); !errors.Is(err, neo4j.ErrDeclined) {
		t.Errorf("depth 2 limit 5: %v, want the statement to decline", err)
	}
	if _, err := neo4j.NeighbourhoodInOneRead(ctx, s, models.EnterpriseRef("src:net:none"), 2, nil, 100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown root: %v, want ErrNotFound", err)
	}
}

// TestNetworkPropertiesInOneRead: on a network where every property a
// subgraph node or edge shows is set (storetest.LoadNetworkProperties),
// the answer from network.cypher's lean rows — only the properties shown,
// by position — equals the walk over Expand, which reads whole nodes and
// relationships. NetworkProperties in the conformance suite checks the
// same through Neighbourhood, which could hide a gap behind its fallback.
func TestNetworkPropertiesInOneRead(t *testing.T) {
	s := neo4jtest.Open(t)
	storetest.LoadNetworkProperties(t, s)
	ctx := context.Background()
	for _, root := range storetest.NetworkPropertiesRoots {
		for depth := 1; depth <= 2; depth++ {
			name := fmt.Sprintf("%s depth %d", root, depth)
			got, err := neo4j.NeighbourhoodInOneRead(ctx, s, root, depth, nil, 100)
			if err != nil {
				t.Errorf("%s: %v, want the answer from one statement", name, err)
				continue
			}
			want, err := store.WalkNeighbourhood(ctx, s, root, depth, nil, 100)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: one read %+v\n walk %+v (%v)", name, got, want, err)
			}
		}
	}
}
