package match

import (
	"context"
	"fmt"

	"riskgraph/models"
	"riskgraph/store"
)

// storePageSize is the page size of the scan that builds an index.
const storePageSize = 10_000

// FromStore builds the index of the store's enterprises in one scan. The
// current legal representatives' names are attached to their enterprises
// (the scan sends persons before roles); other persons' names are held
// only until then.
func FromStore(ctx context.Context, s store.Scanner) (*Index, error) {
	b := NewBuilder()
	names := map[string]string{}
	type rep struct{ ent, pid string }
	var reps []rep
	err := s.Scan(ctx, storePageSize, func(p *store.Batch) error {
		for _, e := range p.Enterprises {
			b.Add(e)
		}
		for _, pr := range p.Persons {
			names[pr.PID] = pr.Name
		}
		for _, r := range p.Roles {
			if r.Kind == models.RoleLegalRep && r.Until.IsZero() {
				reps = append(reps, rep{r.Enterprise, r.Person})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("match index: %w", err)
	}
	for _, r := range reps {
		if n, ok := names[r.pid]; ok {
			b.SetLegalRep(r.ent, n)
		}
	}
	return b.Build(), nil
}
