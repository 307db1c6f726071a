package match

import (
	"math"

	"riskgraph/models"
)

// Threshold is the score from which a candidate is a match (Candidate.Match).
// See docs/matching.md for how it was chosen: an equal core name with no
// contradicting feature scores 1; an equal core name whose region
// contradicts scores 0.8, below it.
const Threshold = 0.9

// preparedQuery holds a query's normal forms.
type preparedQuery struct {
	name                   Name
	hasName                bool
	uscc, org, regNo       string
	regions                []string
	addr                   Address
	phone, email, legalRep string
}

func prepare(q Query) preparedQuery {
	p := preparedQuery{uscc: NormalizeUSCC(q.USCC), org: NormalizeOrgCode(q.OrgCode), regNo: NormalizeRegNo(q.RegNo),
		addr: NormalizeAddress(q.Address), phone: NormalizePhone(q.Phone), email: NormalizeEmail(q.Email),
		legalRep: NormalizePersonName(q.LegalRep)}
	if q.Name != "" {
		p.name = NormalizeName(q.Name)
		p.hasName = p.name.Core != ""
	}
	if p.uscc != "" && p.org == "" {
		p.org = models.USCC(p.uscc).OrgCode()
	}
	p.regions = ParseRegion(q.Region)
	if len(p.regions) == 0 {
		p.regions = p.name.Regions
	}
	if len(p.regions) == 0 && p.regNo != "" {
		p.regions = []string{p.regNo[:6]}
	}
	return p
}

func (p *preparedQuery) usable() bool {
	return p.hasName || p.uscc != "" || p.org != "" || p.regNo != "" || p.phone != "" || p.email != ""
}

// score compares a prepared query with one enterprise. The formula
// (docs/matching.md):
//
//   - an equal USCC, organisation code or registration number decides:
//     score 1;
//   - otherwise s starts at the name similarity of the core names
//     (1 if equal, else 0.6·Dice(bigrams) + 0.4·Jaro-Winkler), 0 without a name;
//   - each agreeing supporting feature f with agreement v pulls s up:
//     s ← s + w_f·v·(1−s), w = phone 0.5, email 0.5, address 0.4,
//     legal_rep 0.3, region 0.2, legal_form 0.1, branch 0.1;
//   - each contradicting strong feature pulls it down: s ← s·m, m = region
//     0.8, branch 0.8 (a branch against its parent or another branch),
//     legal_form 0.85 (different class), 0.95 (two kinds of company),
//     uscc 0.7 (both have valid, different codes).
func (ix *Index) score(p *preparedQuery, e *entry) Candidate {
	c := Candidate{Key: e.key, Name: e.name}
	f := &c.Features
	decided := false
	if p.uscc != "" && e.uscc != "" {
		if p.uscc == e.uscc {
			decided = true
			f.set("uscc", 1)
		} else {
			f.set("uscc", 0)
		}
	}
	if p.org != "" && e.uscc != "" {
		if p.org == models.USCC(e.uscc).OrgCode() {
			decided = true
			f.set("org_code", 1)
		} else if p.uscc == "" {
			f.set("org_code", 0)
		}
	}
	if p.regNo != "" {
		if i, ok := ix.regNo[p.regNo]; ok && &ix.ents[i] == e {
			decided = true
			f.set("reg_no", 1)
		}
	}
	s := 0.0
	if p.hasName {
		s = nameSimilarity(p.name.Core, e.nm.Core)
		f.set("name", round(s))
	}
	up := func(name string, v, w float64) {
		f.set(name, v)
		s += w * v * (1 - s)
	}
	if p.hasName {
		if p.name.Form != FormNone && e.nm.Form != FormNone {
			v := p.name.Form.Compare(e.nm.Form)
			f.set("legal_form", v)
			switch v {
			case 1:
				s += 0.1 * (1 - s)
			case 0.5:
				s *= 0.95
			default:
				s *= 0.85
			}
		}
		bq, be := p.name.Branch, e.nm.Branch
		switch {
		case bq && be && p.name.Place == e.nm.Place:
			up("branch", 1, 0.1)
		case bq || be:
			f.set("branch", 0)
			s *= 0.8
		}
	}
	if r := regionScore(p.regions, e); r >= 0 {
		if r == 1 {
			up("region", 1, 0.2)
		} else {
			f.set("region", 0)
			s *= 0.8
		}
	}
	if p.addr.Rest != "" && e.addr.Rest != "" {
		if v := CompareAddress(p.addr, e.addr); v > 0 {
			up("address", v, 0.4)
		} else {
			f.set("address", 0)
		}
	}
	if p.phone != "" && e.phone != "" {
		up("phone", ComparePhone(p.phone, e.phone), 0.5)
	}
	if p.email != "" && e.email != "" {
		v := 0.0
		if p.email == e.email {
			v = 1
		}
		up("email", v, 0.5)
	}
	if p.legalRep != "" && e.legalRep != "" {
		v := 0.0
		if p.legalRep == e.legalRep {
			v = 1
		}
		up("legal_rep", v, 0.3)
	}
	if f.USCC != nil && *f.USCC == 0 && !decided {
		s *= 0.7
	}
	if decided {
		s = 1
	}
	c.support = f.sum()
	c.Score = round(s)
	c.Match = c.Score >= Threshold
	return c
}

// regionScore compares the query's regions with an enterprise's: its
// registered division and the regions its own name names (a branch
// registered in 湘西 may carry its parent's 伊春市 in its name). 1 when one
// agrees, 0 when none does, -1 when either side is unknown.
func regionScore(named []string, e *entry) float64 {
	best := RegionAgrees(named, e.region)
	for _, code := range e.nm.Regions {
		best = max(best, RegionAgrees(named, code))
	}
	return best
}

// nameSimilarity compares two core names in [0,1].
func nameSimilarity(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	return 0.6*Dice(a, b) + 0.4*JaroWinkler(a, b)
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }
