package match

import (
	"context"
	"fmt"

	"riskgraph/models"
	"riskgraph/store"
)

// storePageSize is the page size of the scan that builds an index.
const storePageSize = 10_000

// FromStore builds the index of the store's enterprises and persons in one
// scan (which sends every node before any relationship): enterprises,
// persons by pid and name, and the roles and person shareholdings that link
// them; the current legal representatives' names are attached to their
// enterprises.
func FromStore(ctx context.Context, s store.Scanner) (*Index, error) {
	b := NewBuilder()
	err := s.Scan(ctx, storePageSize, func(p *store.Batch) error {
		for _, e := range p.Enterprises {
			b.Add(e)
		}
		for _, pr := range p.Persons {
			b.AddPerson(pr)
		}
		for _, r := range p.Roles {
			b.AddRole(r)
		}
		for _, h := range p.Shareholdings {
			if h.Holder.Kind == models.KindPerson {
				b.AddHolding(h)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("match index: %w", err)
	}
	return b.Build(), nil
}
