package synth

import (
	"fmt"
	"math/rand/v2"

	"riskgraph/models"
)

// writeControls writes controls.csv: about one company in two hundred has
// two persons acting in concert about it, and one in five hundred a person
// controlling it by agreement; the persons are drawn at random. The draws
// come from their own stream, so the other files stay as they were before
// controls existed; no anomaly is planted through them (the engine's flags
// do not read controls; beneficial owners do, docs/beneficial-owners.md).
func (g *generator) writeControls() {
	t := g.tables[fileControls]
	k := streamControls // a variable: the product wraps, as newGenerator's streams do
	r := rand.New(rand.NewPCG(uint64(g.opts.Seed), k*0x9E3779B97F4A7C15))
	if g.nPersons < 2 {
		return
	}
	other := func(p int32) int32 {
		q := int32(r.IntN(int(g.nPersons - 1)))
		if q >= p {
			q++
		}
		return q
	}
	for i := range g.ents {
		e := &g.ents[i]
		switch x := r.Float64(); {
		case x < 0.005:
			p := int32(r.IntN(int(g.nPersons)))
			group := fmt.Sprintf("AIC-%06d", i)
			for _, q := range []int32{p, other(p)} {
				t.write([]string{string(models.KindPerson), personID(q), e.key, string(models.ControlActingInConcert), group, "一致行动协议", "", ""})
			}
		case x < 0.007:
			p := int32(r.IntN(int(g.nPersons)))
			t.write([]string{string(models.KindPerson), personID(p), e.key, string(models.ControlAgreement), "", "控制协议", "", ""})
		}
	}
}
