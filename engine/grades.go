package engine

import "riskgraph/models"

// Grade maps a score to a grade with the configured thresholds.
func (gp *GradeParams) Grade(score float64) string {
	switch {
	case score >= gp.D:
		return "D"
	case score >= gp.C:
		return "C"
	case score >= gp.B:
		return "B"
	}
	return "A"
}

// Distribution counts enterprises per grade by province and by industry section.
type Distribution struct {
	Total    map[string]int            `json:"total"`
	Region   map[string]map[string]int `json:"region"`   // province name → grade → count
	Industry map[string]map[string]int `json:"industry"` // GB/T 4754 section letter → grade → count
}

// GradeDistribution counts the grades of all enterprises that are not
// placeholders of unknown status, by province (models.LookupRegion on the
// division code) and by industry section.
func GradeDistribution(g *Graph, grades []string) Distribution {
	d := Distribution{Total: map[string]int{}, Region: map[string]map[string]int{}, Industry: map[string]map[string]int{}}
	provinces := make([]string, len(g.Regions))
	for i, code := range g.Regions {
		provinces[i] = "unknown"
		if code != "" {
			if r := models.LookupRegion(code); r.Province != "" {
				provinces[i] = r.Province
			}
		}
	}
	inc := func(m map[string]map[string]int, k, grade string) {
		if m[k] == nil {
			m[k] = map[string]int{}
		}
		m[k][grade]++
	}
	for v := 0; v < g.N(); v++ {
		if g.Kinds[v] != NodeEnterprise {
			continue
		}
		gr := grades[v]
		d.Total[gr]++
		inc(d.Region, provinces[g.Region[v]], gr)
		sec := "unknown"
		if ind := g.Industries[g.Industry[v]]; ind != "" {
			sec = ind[:1]
		}
		inc(d.Industry, sec, gr)
	}
	return d
}
