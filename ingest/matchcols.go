package ingest

import (
	"fmt"
	"strings"
	"unicode"

	"riskgraph/match"
	"riskgraph/models"
	"riskgraph/textnorm"
)

// Matching at ingest, the row side (docs/ingest.md, "Matching at ingest").
// Every field that names an enterprise (records.subject of an enterprise,
// shareholdings.enterprise and .holder of an enterprise, legal_reps and
// officers .enterprise, branches.branch and .parent, licences.enterprise)
// may come with
// companion columns <field>_name, _address, _phone, _region and
// _legal_rep. With matching on, a reference that is not a key — empty with
// a <field>_name, a 15-digit registration number, a 9-character
// organisation code, an 18-character code that fails its check but whose
// organisation code part is intact, or text with Han characters — becomes
// a query for the matcher, helped by the companions. Without matching the
// companions are ignored, except that a row which names its enterprise by
// <field>_name alone is refused with the fix (load with --match).

// refFields lists, per kind, the fields that name an enterprise and can be
// matched, in the order the parser reads them.
var refFields = map[FileKind][]string{
	FileShareholdings: {"holder", "enterprise"},
	FileLegalReps:     {"enterprise"},
	FileOfficers:      {"enterprise"},
	FileBranches:      {"branch", "parent"},
	FileRecords:       {"subject"},
	FileLicences:      {"enterprise"},
}

// clueSuffixes are the companion columns of a reference field, in order:
// <field>_name … <field>_legal_rep.
var clueSuffixes = []string{"name", "address", "phone", "region", "legal_rep"}

// Positions of a clue in a field's companions.
const (
	clueName = iota
	clueAddress
	cluePhone
	clueRegion
	clueLegalRep
)

// companionColumns are the optional companion columns of each kind, after
// its canonical columns in the value slice the parser reads.
var companionColumns = func() map[FileKind][]Column {
	m := map[FileKind][]Column{}
	for k, fields := range refFields {
		for _, f := range fields {
			for _, s := range clueSuffixes {
				m[k] = append(m[k], Column{Name: f + "_" + s})
			}
		}
	}
	return m
}()

// fieldColumns are the columns the loader reads for kind: the canonical
// ones, then the companions.
func fieldColumns(kind FileKind) []Column {
	return append(append([]Column(nil), canonicalColumns[kind]...), companionColumns[kind]...)
}

// FieldNames returns every field a file of kind may have, canonical
// columns first, then the companion columns of matching at ingest
// (<field>_name, _address, _phone, _region, _legal_rep).
func (k FileKind) FieldNames() []string {
	cols := fieldColumns(k)
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// isRefField reports whether field of kind names an enterprise that may be matched.
func isRefField(kind FileKind, field string) bool {
	for _, f := range refFields[kind] {
		if f == field {
			return true
		}
	}
	return false
}

// clues returns the companions of field in a row's values (canonical
// order, then companions); nil when the kind has none.
func clues(kind FileKind, v []string, field string) []string {
	base := len(canonicalColumns[kind])
	for _, f := range refFields[kind] {
		if f == field {
			if len(v) < base+len(clueSuffixes) {
				return nil
			}
			return v[base : base+len(clueSuffixes)]
		}
		base += len(clueSuffixes)
	}
	return nil
}

// refQuery is a reference the matcher is to resolve.
type refQuery struct {
	field string
	raw   string // the value as written (the reference, else <field>_name)
	q     match.Query
}

// usable reports whether the matcher can look q up (match.ErrNoFeature
// otherwise): a name with something left after normalisation, a code, a
// registration number, a phone or an e-mail.
func usable(q match.Query) bool {
	return match.NormalizeName(q.Name).Core != "" || match.NormalizeUSCC(q.USCC) != "" || match.NormalizeOrgCode(q.OrgCode) != "" ||
		match.NormalizeRegNo(q.RegNo) != "" || match.NormalizePhone(q.Phone) != "" || match.NormalizeEmail(q.Email) != ""
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// orgCode returns s as a 9-character organisation code when its GB 11714
// check character is right ("12345678-9" accepted), else "".
func orgCode(s string) string {
	c := match.NormalizeOrgCode(s)
	if c == "" {
		return ""
	}
	if want, err := models.OrgCodeCheckChar(c[:8]); err != nil || want != c[8] {
		return ""
	}
	return c
}

// entRef resolves the enterprise reference field (at v[i]) of a row of
// kind. It returns the key, or — with matching on and a value that is not
// a key — no key and the query, which the caller holds for the matcher.
func (p *parser) entRef(kind FileKind, v []string, field string, i int) (string, *refQuery, *fieldError) {
	s := v[i]
	cl := clues(kind, v, field)
	var name string
	if cl != nil {
		name = cl[clueName]
	}
	if !p.matching {
		if s == "" && name != "" {
			return "", nil, &fieldError{Field: field, Reason: "is empty; the enterprise is named by " + field + "_name only",
				Fix: fmt.Sprintf("give the enterprise's USCC in %s, or load with --match (or a mapping with match:) to resolve %s_name against the stored enterprises", field, field)}
		}
		key, err := p.enterpriseRef(field, s)
		return key, nil, err
	}
	q := match.Query{Name: name}
	if cl != nil {
		q.Address, q.Phone, q.Region, q.LegalRep = cl[clueAddress], cl[cluePhone], cl[clueRegion], cl[clueLegalRep]
	}
	raw := s
	switch {
	case s == "":
		if name == "" {
			return "", nil, &fieldError{Field: field, Reason: "is required but empty",
				Fix: fmt.Sprintf("give the enterprise's USCC, or its name in %s_name to have it matched", field)}
		}
		raw = name
	case hasFold(s, "src:"):
		key, err := p.enterpriseRef(field, s)
		return key, nil, err
	case looksLikeUSCC(s):
		key, err := p.enterpriseRef(field, s)
		if err == nil {
			return key, nil, nil // a valid code decides; the clues are not needed
		}
		// A code that fails its check: its organisation code part
		// (characters 9-17) may be intact — a mistyped check character or
		// division. It is looked up as it stands: a typo inside it finds
		// no enterprise (or, rarely, another's: an equal organisation code
		// decides a match, so such a row is attached wrongly).
		folded := strings.ToUpper(textnorm.FoldString(s))
		q.OrgCode = match.NormalizeOrgCode(folded[8:17])
		if q.OrgCode == "" && name == "" {
			err.Fix += "; or give the enterprise's name in " + field + "_name to have it matched"
			return "", nil, err
		}
	case match.NormalizeRegNo(s) != "":
		q.RegNo = s
	case orgCode(s) != "":
		q.OrgCode = s
	case hasHan(s):
		if q.Name == "" {
			q.Name = s
		}
	default:
		key, err := p.enterpriseRef(field, s) // an id of the data set
		return key, nil, err
	}
	if !usable(q) {
		return "", nil, &fieldError{Field: field, Value: raw, Reason: "gives nothing the matcher can look up",
			Fix: fmt.Sprintf("give the enterprise's USCC, registration number or name (in %s or %s_name); an address, region or legal representative only supports a match", field, field)}
	}
	return "", &refQuery{field: field, raw: raw, q: q}, nil
}
