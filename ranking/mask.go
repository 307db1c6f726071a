package ranking

import "riskgraph/models"

// Masked returns the entry as a role that must not see persons' names sees
// it (models/mask.go): a person's name masked, an enterprise's kept.
func (e Entry) Masked() Entry {
	if e.Ref.Kind == models.KindPerson {
		e.Name = models.MaskName(e.Name)
	}
	return e
}
