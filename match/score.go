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
	name             Name
	hasName          bool
	uscc, org, regNo string
	// regions are the regions of the first reading: the region field's,
	// else those the name names, else a reg no's division.
	regions []string
	// explicit are the region field's codes; regNoRegion the reg no's
	// division (both nil when absent).
	explicit, regNoRegion  []string
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
	p.explicit = ParseRegion(q.Region)
	if p.regNo != "" {
		p.regNoRegion = []string{p.regNo[:6]}
	}
	p.regions = p.readingRegions(p.name.Regions)
	return p
}

// readingRegions are the query's regions in a reading whose name names
// named: the region field's when given, else named, else the reg no's.
func (p *preparedQuery) readingRegions(named []string) []string {
	switch {
	case len(p.explicit) > 0:
		return p.explicit
	case len(named) > 0:
		return named
	}
	return p.regNoRegion
}

func (p *preparedQuery) usable() bool {
	return p.hasName || p.uscc != "" || p.org != "" || p.regNo != "" || p.phone != "" || p.email != ""
}

// score compares a prepared query with one enterprise and renders the
// candidate (Match set when the score reaches the threshold; Index.Match
// leaves it on the single best only).
func (ix *Index) score(p *preparedQuery, e *entry) Candidate {
	var sc scratch
	s, ev := ix.scoreEntry(&sc, p, e)
	return Candidate{Kind: KindEnterprise, Key: e.key, Name: e.name, Score: s, Match: s >= Threshold,
		Features: ev.features(), support: ev.support()}
}

// scoreEntry compares a prepared query with one enterprise. The formula
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
//
// Names with two readings (Name) are compared in every pair of readings,
// each with the regions that reading split off; the best pair counts.
func (ix *Index) scoreEntry(sc *scratch, p *preparedQuery, e *entry) (float64, evidence) {
	var base evidence
	decided := false
	if p.uscc != "" && e.uscc != "" {
		if p.uscc == e.uscc {
			decided = true
			base.set(fUSCC, 1)
		} else {
			base.set(fUSCC, 0)
		}
	}
	if p.org != "" && e.uscc != "" {
		if p.org == models.USCC(e.uscc).OrgCode() {
			decided = true
			base.set(fOrgCode, 1)
		} else if p.uscc == "" {
			base.set(fOrgCode, 0)
		}
	}
	if p.regNo != "" {
		if i, ok := ix.regNo[p.regNo]; ok && &ix.ents[i] == e {
			decided = true
			base.set(fRegNo, 1)
		}
	}
	// Features that do not depend on the reading.
	addr := -1.0
	if p.addr.Rest != "" && e.addr.Rest != "" {
		addr = CompareAddress(p.addr, e.addr)
	}
	best, bestSupport := -1.0, -1.0
	var bestEv evidence
	qn := 1
	if p.hasName {
		qn = p.name.readings()
	}
	for qr := range qn {
		qcore, qnamed := p.name.reading(qr)
		qregions := p.readingRegions(qnamed)
		for er := range e.nm.readings() {
			ecore, enamed := e.nm.reading(er)
			// A region the enterprise's name names counts only when it is
			// consistent with where it is registered (or it is a branch,
			// which may carry its parent's city): in 新宁电子科技 registered
			// in Wuhan, 新宁 is part of the trade name, not a region.
			if len(enamed) > 0 && !e.nm.Branch && len(e.region) == 6 && !regionsOverlap(enamed, []string{e.region}) {
				enamed = nil
			}
			ev := base
			ev.nameRegion = len(p.explicit) == 0 && len(qnamed) > 0
			s := 0.0
			if p.hasName {
				s = sc.nameSimilarity(qcore, ecore)
				ev.set(fName, s)
			}
			up := func(f int, v, w float64) {
				ev.set(f, v)
				s += w * v * (1 - s)
			}
			if p.hasName {
				if p.name.Form != FormNone && e.nm.Form != FormNone {
					v := p.name.Form.Compare(e.nm.Form)
					ev.set(fLegalForm, v)
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
					up(fBranch, 1, 0.1)
				case bq || be:
					ev.set(fBranch, 0)
					s *= 0.8
				}
			}
			if r := regionScore(qregions, e.region, enamed); r >= 0 {
				if r == 1 {
					up(fRegion, 1, 0.2)
				} else {
					ev.set(fRegion, 0)
					s *= 0.8
				}
			}
			if addr > 0 {
				up(fAddress, addr, 0.4)
			} else if addr == 0 {
				ev.set(fAddress, 0)
			}
			if p.phone != "" && e.phone != "" {
				up(fPhone, ComparePhone(p.phone, e.phone), 0.5)
			}
			if p.email != "" && e.email != "" {
				v := 0.0
				if p.email == e.email {
					v = 1
				}
				up(fEmail, v, 0.5)
			}
			if p.legalRep != "" && e.legalRep != "" {
				v := 0.0
				if p.legalRep == e.legalRep {
					v = 1
				}
				up(fLegalRep, v, 0.3)
			}
			if v, ok := ev.get(fUSCC); ok && v == 0 && !decided {
				s *= 0.7
			}
			if decided {
				s = 1
			}
			s = round(s)
			if sup := ev.support(); s > best || s == best && sup > bestSupport {
				best, bestSupport, bestEv = s, sup, ev
			}
		}
	}
	return best, bestEv
}

// regionScore compares the query's regions with an enterprise's: its
// registered division and the regions its name names in the reading
// compared (a branch registered in 湘西 may carry its parent's 伊春市 in its
// name). 1 when one agrees, 0 when none does, -1 when either side is unknown.
func regionScore(named []string, region string, nameRegions []string) float64 {
	best := RegionAgrees(named, region)
	for _, code := range nameRegions {
		best = max(best, RegionAgrees(named, code))
	}
	return best
}

// nameSimilarity compares two core names in [0,1].
func nameSimilarity(a, b string) float64 {
	var sc scratch
	return sc.nameSimilarity(a, b)
}

// nameSimilarity compares two core names in [0,1] with sc's buffers: 1 if
// equal, else 0.6·Dice(bigrams) + 0.4·Jaro-Winkler.
func (sc *scratch) nameSimilarity(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	sc.ra, sc.rb = appendRunes(sc.ra[:0], a), appendRunes(sc.rb[:0], b)
	return 0.6*sc.dice(sc.ra, sc.rb) + 0.4*sc.jaroWinkler(sc.ra, sc.rb)
}

func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

// marks returns sc's two mark buffers cleared to lengths na and nb.
func (sc *scratch) marks(na, nb int) ([]bool, []bool) {
	if cap(sc.ma) < na {
		sc.ma = make([]bool, na)
	}
	if cap(sc.mb) < nb {
		sc.mb = make([]bool, nb)
	}
	ma, mb := sc.ma[:na], sc.mb[:nb]
	clear(ma)
	clear(mb)
	return ma, mb
}

// dice is the Dice coefficient of the character bigrams (as multisets) of
// a and b; a one-character string is its own unigram.
func (sc *scratch) dice(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) == 1 || len(b) == 1 {
		if len(a) == 1 && len(b) == 1 && a[0] == b[0] {
			return 1
		}
		return 0 // a unigram equals no bigram
	}
	na, nb := len(a)-1, len(b)-1
	_, used := sc.marks(0, nb)
	shared := 0
	for i := range na {
		for j := range nb {
			if !used[j] && a[i] == b[j] && a[i+1] == b[j+1] {
				used[j] = true
				shared++
				break
			}
		}
	}
	return 2 * float64(shared) / float64(na+nb)
}

// jaroWinkler is the Jaro-Winkler similarity of a and b.
func (sc *scratch) jaroWinkler(ra, rb []rune) float64 {
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	win := max(max(len(ra), len(rb))/2-1, 0)
	ma, mb := sc.marks(len(ra), len(rb))
	m := 0
	for i := range ra {
		for j := max(0, i-win); j < min(len(rb), i+win+1); j++ {
			if !mb[j] && ra[i] == rb[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := range ra {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if ra[i] != rb[k] {
			t++
		}
		k++
	}
	fm := float64(m)
	j := (fm/float64(len(ra)) + fm/float64(len(rb)) + (fm-float64(t)/2)/fm) / 3
	p := 0
	for p < min(4, len(ra), len(rb)) && ra[p] == rb[p] {
		p++
	}
	return j + float64(p)*0.1*(1-j)
}

// Dice is the Dice coefficient of the character bigrams of a and b (a
// one-character string is its own unigram).
func Dice(a, b string) float64 {
	var sc scratch
	sc.ra, sc.rb = appendRunes(nil, a), appendRunes(nil, b)
	return sc.dice(sc.ra, sc.rb)
}

// JaroWinkler is the Jaro-Winkler similarity of a and b over runes.
func JaroWinkler(a, b string) float64 {
	var sc scratch
	return sc.jaroWinkler(appendRunes(nil, a), appendRunes(nil, b))
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }

// --- persons ---

// Person scoring (docs/matching.md, "Persons"): an equal pid decides;
// otherwise names are weak evidence (many people share one), so a name
// alone scores at most personNameWeight, below the threshold, and a link
// to the enterprise the query names lifts it.
const (
	personNameWeight = 0.7
	personLinkWeight = 0.7
)

// maxLinkedEnterprises bounds the enterprises a person query's enterprise
// resolves to.
const maxLinkedEnterprises = 5

// matchPerson answers a person query.
func (ix *Index) matchPerson(q Query, limit int) ([]Candidate, error) {
	if q.IDNumber != "" {
		return nil, ErrUnhashedID
	}
	norm := NormalizePersonName(q.Name)
	if norm == "" && q.PID == "" {
		return nil, ErrNoPersonFeature
	}
	regions := ParseRegion(q.Region)
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	// The enterprise the query names, resolved to at most a few
	// enterprises with how well each matches.
	var linked map[int32]float64
	strongLink := false
	if q.Enterprise != "" {
		linked = ix.resolveEnterprise(sc, q.Enterprise, q.Region)
		for _, v := range linked {
			strongLink = strongLink || v >= Threshold
		}
	}
	seen := map[int32]bool{}
	var cands []int32
	add := func(i int32) {
		if !seen[i] {
			seen[i] = true
			cands = append(cands, i)
		}
	}
	if i, ok := ix.byPID[q.PID]; ok && q.PID != "" {
		add(i)
	}
	if norm != "" {
		k := 0
		for i := range ix.byPName.all(norm) {
			if k == maxNamesakes {
				break
			}
			add(i)
			k++
		}
	}
	for e := range linked {
		for _, i := range ix.ents[e].people {
			add(i)
		}
	}
	out := make([]scored, 0, len(cands))
	for _, i := range cands {
		ps := &ix.pers[i]
		var ev evidence
		s := 0.0
		if norm != "" && ps.norm != "" {
			v := sc.nameSimilarity(norm, ps.norm)
			ev.set(fName, v)
			s = personNameWeight * v
		}
		up := func(f int, v, w float64) {
			ev.set(f, v)
			s += w * v * (1 - s)
		}
		if linked != nil {
			v := 0.0
			for _, e := range ps.links {
				v = max(v, linked[e])
			}
			if v > 0 {
				up(fEnterprise, v, personLinkWeight)
			} else {
				ev.set(fEnterprise, 0)
				if strongLink {
					s *= 0.8
				}
			}
		}
		if len(regions) > 0 {
			r := -1.0
			for _, e := range ps.links {
				r = max(r, RegionAgrees(regions, ix.ents[e].region))
			}
			switch r {
			case 1:
				up(fRegion, 1, 0.2)
			case 0:
				ev.set(fRegion, 0)
				s *= 0.8
			}
		}
		if q.PID != "" {
			if ps.pid == q.PID {
				ev.set(fIDNumber, 1)
				s = 1
			} else {
				ev.set(fIDNumber, 0)
				s *= 0.7
			}
		}
		out = append(out, scored{id: i, s: round(s), support: ev.support(), ev: ev})
	}
	return ranked(out, limit, func(i int32) string { return ix.pers[i].pid }, func(c *scored) Candidate {
		ps := &ix.pers[c.id]
		return Candidate{Kind: KindPerson, Key: ps.pid, Name: ps.name, Score: c.s, Features: c.ev.features(), support: c.support}
	}), nil
}

// resolveEnterprise finds the enterprises a person query's enterprise
// field names: by key or USCC exactly (1), else by name (the enterprise
// matcher's best candidates scoring at least 0.8, with their scores).
func (ix *Index) resolveEnterprise(sc *scratch, ref, region string) map[int32]float64 {
	if i, ok := ix.byKey[ref]; ok {
		return map[int32]float64{i: 1}
	}
	if u := NormalizeUSCC(ref); u != "" {
		if i, ok := ix.uscc[u]; ok {
			return map[int32]float64{i: 1}
		}
		return map[int32]float64{}
	}
	pq := prepare(Query{Name: ref, Region: region})
	out := map[int32]float64{}
	if !pq.hasName {
		return out
	}
	for _, c := range ix.matchPrepared(sc, &pq, maxLinkedEnterprises) {
		if c.Score >= 0.8 {
			out[ix.byKey[c.Key]] = c.Score
		}
	}
	return out
}
