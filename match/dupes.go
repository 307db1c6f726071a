package match

import (
	"cmp"
	"hash/maphash"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"riskgraph/models"
)

// Duplicates inside the index (riskgraph xref, docs/matching.md
// "Duplicates"). Querying the index once per enterprise costs a few
// milliseconds each, far too slow for a million; instead the enterprises
// are put into blocks that share one exact normal form, and only the pairs
// inside a block are scored, with the scorer Match uses:
//
//	core     the normalised core name (traditional → simplified, legal form,
//	         region prefix, brackets and punctuation removed); a core block
//	         larger than MaxBlock is split by province (first two digits of
//	         the region, or of a region the name names), and an enterprise
//	         whose region is unknown then lands in a sub-block of its own
//	phone    the normalised phone number (all digits, not only the tail)
//	email    the normalised e-mail address
//	address  the normalised address (region words split off), when what is
//	         left has at least minAddressRunes characters
//	code     the organisation code: characters 9–17 of a USCC, or a source
//	         key's id that is a 9-character organisation code; and the
//	         15-digit registration number of a source key src:<source>:<no>
//
// A block larger than MaxBlock (after the core's split) is a common value —
// a registration agent's phone, an incubator's address — that says little;
// it is skipped and counted in DupeStats.Skipped. Pairs of two enterprises
// with valid, different USCCs are never formed: they are different legal
// persons whatever their names say.

// DupeThreshold is the default score from which a pair is kept: the match
// threshold. An equal core name in agreeing (or unknown) regions scores 1;
// the same core in another city 0.8; a phone or e-mail alone shared by two
// different names stays well below.
const DupeThreshold = Threshold

// DefaultMaxBlock is the default bound on a block's size.
const DefaultMaxBlock = 64

// minAddressRunes is the shortest normalised address (after its region
// words) that forms a block: shorter ones ("1号") are too common to say
// anything.
const minAddressRunes = 6

// DupeOptions tune Duplicates. Zero values take the defaults.
type DupeOptions struct {
	// Threshold: pairs scoring below it are dropped (default DupeThreshold).
	Threshold float64
	// MaxBlock: blocks with more enterprises are skipped (default
	// DefaultMaxBlock; at most 1 000).
	MaxBlock int
	// Workers score pairs in parallel (default GOMAXPROCS).
	Workers int
}

// Pair is a likely duplicate: two indexed enterprises, A's key before B's.
type Pair struct {
	A, B     string
	Score    float64
	Features Features
	// Blocks names the kinds of block that put the two together.
	Blocks []string
}

// Block kinds, in the order DupeStats lists them.
var blockKinds = [...]string{"core", "phone", "email", "address", "code"}

// DupeStats describes one search.
type DupeStats struct {
	Enterprises int `json:"enterprises"`
	// Blocks counts, per kind, the blocks of two or more enterprises that
	// were compared; Skipped those larger than MaxBlock, with the size of
	// the largest skipped in Largest.
	Blocks  map[string]int `json:"blocks"`
	Skipped map[string]int `json:"skipped"`
	Largest map[string]int `json:"largest_skipped,omitempty"`
	// Compared is the number of distinct pairs scored; Pairs those kept.
	Compared int `json:"compared"`
	Pairs    int `json:"pairs"`
	// DifferentUSCC counts pairs not formed because both hold valid,
	// different USCCs.
	DifferentUSCC int `json:"different_uscc"`
}

// blockKey is one enterprise's key in one kind of block.
type blockKey struct {
	h   uint64
	i   int32
	key string
}

// Duplicates finds likely duplicate pairs among the indexed enterprises,
// best score first, then by keys.
func (ix *Index) Duplicates(opts DupeOptions) ([]Pair, DupeStats) {
	if opts.Threshold <= 0 {
		opts.Threshold = DupeThreshold
	}
	if opts.MaxBlock < 2 {
		opts.MaxBlock = DefaultMaxBlock
	}
	opts.MaxBlock = min(opts.MaxBlock, 1000)
	if opts.Workers < 1 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	st := DupeStats{Enterprises: len(ix.ents), Blocks: map[string]int{}, Skipped: map[string]int{}, Largest: map[string]int{}}
	seed := maphash.MakeSeed()
	// Candidate pairs: (i<<32 | j) with i < j, and the kinds (a bit each)
	// of the blocks that formed them, packed in the low bits after sorting.
	var cands []uint64
	var kinds []uint8
	emit := func(kind int, members []int32) {
		for x := 0; x < len(members); x++ {
			for y := x + 1; y < len(members); y++ {
				i, j := members[x], members[y]
				if i == j {
					continue
				}
				if i > j {
					i, j = j, i
				}
				a, b := &ix.ents[i], &ix.ents[j]
				if a.uscc != "" && b.uscc != "" && a.uscc != b.uscc {
					st.DifferentUSCC++
					continue
				}
				cands = append(cands, uint64(i)<<32|uint64(j))
				kinds = append(kinds, 1<<kind)
			}
		}
	}
	for kind := range blockKinds {
		keys := ix.blockKeys(kind, seed)
		forRuns(keys, func(run []blockKey) {
			if len(run) < 2 {
				return
			}
			members := make([]int32, len(run))
			for k := range run {
				members[k] = run[k].i
			}
			if len(members) > opts.MaxBlock && kind == 0 {
				// A common core (华信科技): compare within provinces.
				for _, sub := range ix.byProvince(members) {
					if len(sub) < 2 {
						continue
					}
					if len(sub) > opts.MaxBlock {
						st.Skipped["core"]++
						st.Largest["core"] = max(st.Largest["core"], len(sub))
						continue
					}
					st.Blocks["core"]++
					emit(kind, sub)
				}
				return
			}
			if len(members) > opts.MaxBlock {
				st.Skipped[blockKinds[kind]]++
				st.Largest[blockKinds[kind]] = max(st.Largest[blockKinds[kind]], len(members))
				return
			}
			st.Blocks[blockKinds[kind]]++
			emit(kind, members)
		})
	}
	// One score per distinct pair, whatever blocks formed it.
	order := make([]int32, len(cands))
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortFunc(order, func(x, y int32) int { return cmp.Compare(cands[x], cands[y]) })
	var uniq []uint64
	var uniqKinds []uint8
	for _, k := range order {
		if n := len(uniq); n > 0 && uniq[n-1] == cands[k] {
			uniqKinds[n-1] |= kinds[k]
			continue
		}
		uniq = append(uniq, cands[k])
		uniqKinds = append(uniqKinds, kinds[k])
	}
	cands, kinds, order = nil, nil, nil
	st.Compared = len(uniq)
	kept := make([][]Pair, opts.Workers)
	var wg sync.WaitGroup
	chunk := (len(uniq) + opts.Workers - 1) / max(opts.Workers, 1)
	for w := range opts.Workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(uniq))
		if lo >= hi {
			continue
		}
		wg.Go(func() {
			for k := lo; k < hi; k++ {
				i, j := int32(uniq[k]>>32), int32(uint32(uniq[k]))
				if p, ok := ix.scorePair(i, j, opts.Threshold); ok {
					for b := range blockKinds {
						if uniqKinds[k]&(1<<b) != 0 {
							p.Blocks = append(p.Blocks, blockKinds[b])
						}
					}
					kept[w] = append(kept[w], p)
				}
			}
		})
	}
	wg.Wait()
	var out []Pair
	for _, ps := range kept {
		out = append(out, ps...)
	}
	slices.SortFunc(out, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), strings.Compare(x.A, y.A), strings.Compare(x.B, y.B))
	})
	st.Pairs = len(out)
	return out, st
}

// blockKeys returns every enterprise's key in block kind (0 core, 1 phone,
// 2 email, 3 address, 4 code), sorted by hash then key, so that equal keys
// are adjacent. Enterprises without one are left out; kind 4 may list an
// enterprise twice (organisation code and registration number).
func (ix *Index) blockKeys(kind int, seed maphash.Seed) []blockKey {
	out := make([]blockKey, 0, len(ix.ents))
	add := func(i int, k string) {
		if k != "" {
			out = append(out, blockKey{h: maphash.String(seed, k), i: int32(i), key: k})
		}
	}
	for i := range ix.ents {
		e := &ix.ents[i]
		switch kind {
		case 0:
			add(i, e.nm.Core)
		case 1:
			add(i, e.phone)
		case 2:
			add(i, e.email)
		case 3:
			if utf8.RuneCountInString(e.addr.Rest) >= minAddressRunes {
				add(i, e.addr.Rest)
			}
		case 4:
			org, regNo := entryCodes(e)
			if org != "" {
				add(i, "o"+org)
			}
			if regNo != "" {
				add(i, "r"+regNo)
			}
		}
	}
	slices.SortFunc(out, func(x, y blockKey) int {
		return cmp.Or(cmp.Compare(x.h, y.h), strings.Compare(x.key, y.key), cmp.Compare(x.i, y.i))
	})
	return out
}

// forRuns calls fn with every run of equal keys in sorted ks.
func forRuns(ks []blockKey, fn func([]blockKey)) {
	for lo := 0; lo < len(ks); {
		hi := lo + 1
		for hi < len(ks) && ks[hi].h == ks[lo].h && ks[hi].key == ks[lo].key {
			hi++
		}
		fn(ks[lo:hi])
		lo = hi
	}
}

// entryCodes returns an enterprise's organisation code (from its USCC, or
// a source key whose id is one) and registration number (a source key
// whose id is 15 digits).
func entryCodes(e *entry) (org, regNo string) {
	if e.uscc != "" {
		org = models.USCC(e.uscc).OrgCode()
	}
	if rest, ok := strings.CutPrefix(e.key, "src:"); ok {
		if j := strings.LastIndexByte(rest, ':'); j >= 0 {
			id := rest[j+1:]
			regNo = NormalizeRegNo(id)
			if org == "" && regNo == "" {
				org = NormalizeOrgCode(id)
			}
		}
	}
	return org, regNo
}

// byProvince splits members by the province of their region (the
// registered one, else the first one their name names); members of
// unknown region form one group of their own.
func (ix *Index) byProvince(members []int32) [][]int32 {
	groups := map[string][]int32{}
	var order []string
	for _, i := range members {
		p := entryRegion(&ix.ents[i])
		if len(p) >= 2 {
			p = p[:2]
		}
		if _, ok := groups[p]; !ok {
			order = append(order, p)
		}
		groups[p] = append(groups[p], i)
	}
	out := make([][]int32, 0, len(order))
	for _, p := range order {
		out = append(out, groups[p])
	}
	return out
}

// entryRegion is an enterprise's division code: its region, else the first
// region its name names, else "".
func entryRegion(e *entry) string {
	if len(e.region) == 6 {
		return e.region
	}
	if len(e.nm.Regions) > 0 {
		return e.nm.Regions[0]
	}
	return ""
}

// entryQuery turns an indexed enterprise into a prepared query, so that
// the scorer compares two enterprises as it compares a query with one.
func entryQuery(e *entry) preparedQuery {
	p := preparedQuery{name: e.nm, hasName: e.nm.Core != "", uscc: e.uscc, addr: e.addr,
		phone: e.phone, email: e.email, legalRep: e.legalRep}
	org, regNo := entryCodes(e)
	p.org, p.regNo = org, regNo
	// Both of its regions, as regionScore reads the other side's: a branch
	// registered in 武汉 whose name carries its parent's 石家庄 agrees with
	// either. They count as given apart from the name (the scorer's
	// explicit regions), so every reading of the name is held to them.
	if len(e.region) == 6 {
		p.explicit = append([]string{e.region}, e.nm.Regions...)
	}
	p.regions = p.readingRegions(e.nm.Regions)
	return p
}

// scorePair scores enterprises i and j; ok when the score reaches threshold.
func (ix *Index) scorePair(i, j int32, threshold float64) (Pair, bool) {
	a, b := &ix.ents[i], &ix.ents[j]
	if a.key > b.key {
		a, b = b, a
	}
	pq := entryQuery(a)
	c := ix.score(&pq, b)
	// Equal organisation codes or registration numbers decide, as in a
	// query; the scorer sees them only where one side has a USCC or is the
	// one enterprise the index keeps per number.
	ob, rb := entryCodes(b)
	one := 1.0
	if pq.org != "" && pq.org == ob && c.Features.OrgCode == nil {
		c.Features.OrgCode = &one
		c.Score = 1
	}
	if pq.regNo != "" && pq.regNo == rb && c.Features.RegNo == nil {
		c.Features.RegNo = &one
		c.Score = 1
	}
	if c.Score < threshold {
		return Pair{}, false
	}
	return Pair{A: a.key, B: b.key, Score: c.Score, Features: c.Features}, true
}
