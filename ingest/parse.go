package ingest

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"riskgraph/ingest/keyindex"
	"riskgraph/ingest/mapping"
	"riskgraph/models"

	"riskgraph/textnorm"
)

// fieldError is why one field of a row was refused. Field and Value are
// filled in by the caller when the parser leaves them empty.
type fieldError struct {
	Field  string
	Value  string
	Reason string
	Fix    string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Reason }

// personEntry is what the parser remembers of a persons row.
type personEntry struct {
	pid  string
	line int32
	file int32 // index into parser.files
}

// parser converts canonical-order rows to models. It remembers the persons
// it has seen so that relationship rows, which name persons by person_id,
// resolve to the pid of the person's identity number.
type parser struct {
	source  string
	today   models.Date
	hasher  *models.PIDHasher
	persons personIndex
	files   []string
	// unknownPersons counts person references to person_ids that no persons
	// row of this load gave.
	unknownPersons int64
	// matching: enterprise references that are not keys become queries
	// for the matcher (matchcols.go).
	matching bool
}

// newParser returns a parser that remembers persons in idx (a keyindex of
// personEntryWidth-byte values).
func newParser(source string, today models.Date, h *models.PIDHasher, idx *keyindex.Index) *parser {
	return &parser{source: source, today: today, hasher: h, persons: personIndex{keys: keyindex.NewHasher(), idx: idx}}
}

// personEntryWidth is the width of a personEntry in the index: the pid's
// 16 bytes, the line and the file.
const personEntryWidth = 24

// personIndex remembers a personEntry per person_id in bounded memory.
type personIndex struct {
	keys keyindex.Hasher
	idx  *keyindex.Index
}

func (x personIndex) get(id string) (personEntry, bool) {
	var b [personEntryWidth]byte
	if !x.idx.Get(x.keys.Key(id), b[:]) {
		return personEntry{}, false
	}
	return personEntry{pid: hex.EncodeToString(b[:16]),
		line: int32(binary.LittleEndian.Uint32(b[16:])), file: int32(binary.LittleEndian.Uint32(b[20:]))}, true
}

func (x personIndex) put(id string, e personEntry) {
	var b [personEntryWidth]byte
	if n, err := hex.Decode(b[:16], []byte(e.pid)); err != nil || n != 16 {
		panic("ingest: a pid is not 32 hex digits: " + e.pid) // pids come from models.PIDHasher or isPID
	}
	binary.LittleEndian.PutUint32(b[16:], uint32(e.line))
	binary.LittleEndian.PutUint32(b[20:], uint32(e.file))
	x.idx.Put(x.keys.Key(id), b[:])
}

// maxIDLen bounds source ids and other keys.
const maxIDLen = 200

// minDate is the earliest date accepted anywhere.
var minDate = models.NewDate(1900, time.January, 1)

func required(field string) *fieldError {
	return &fieldError{Field: field, Reason: "is required but empty", Fix: "fill in " + field}
}

// checkID validates a source's own identifier (person_id, record_id, an
// enterprise id).
func checkID(field, s string) *fieldError {
	switch {
	case s == "":
		return required(field)
	case utf8.RuneCountInString(s) > maxIDLen:
		return &fieldError{Field: field, Reason: fmt.Sprintf("is longer than %d characters", maxIDLen), Fix: "use a shorter identifier"}
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return &fieldError{Field: field, Reason: "contains a control character", Fix: "remove tabs, line breaks and other control characters from the identifier"}
	}
	return nil
}

// sourceKey namespaces a source id: "src:<source>:<id>". An id already of
// that form is kept as it is, so data sets can refer to each other's
// entities (e.g. src:foreign:F000001).
func (p *parser) sourceKey(field, id string) (string, *fieldError) {
	if err := checkID(field, id); err != nil {
		return "", err
	}
	if hasFold(id, "src:") {
		src, rest, ok := strings.Cut(id[4:], ":")
		if !ok || src == "" || rest == "" {
			return "", &fieldError{Field: field, Reason: "starts with src: but is not of the form src:<source>:<id>",
				Fix: "write the full key src:<source>:<id>, or drop the src: prefix to give an id of this data set"}
		}
		return "src:" + src + ":" + rest, nil
	}
	return "src:" + p.source + ":" + id, nil
}

func hasFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// looksLikeUSCC reports whether s has the shape of a unified social credit
// code: 18 ASCII or full-width letters and digits.
func looksLikeUSCC(s string) bool {
	if utf8.RuneCountInString(s) != 18 {
		return false
	}
	for _, r := range s {
		if r = textnorm.Fold(r); !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// usccError turns a models.ParseUSCC error into a field error.
func usccError(field string, err error, other string) *fieldError {
	var ue *models.USCCError
	reason, fix := err.Error(), "copy the 18-character code from the business licence"
	if errors.As(err, &ue) {
		reason = ue.Reason
		if ue.Expected != "" {
			fix = fmt.Sprintf("a code with these first 17 characters ends in %q; one character is mistyped, check the code against the business licence", ue.Expected)
		}
	}
	if other != "" {
		fix += "; " + other
	}
	return &fieldError{Field: field, Reason: reason, Fix: fix}
}

// enterpriseRef resolves a reference to an enterprise: a USCC, a full key
// src:<source>:<id>, or an id of this data set.
func (p *parser) enterpriseRef(field, s string) (string, *fieldError) {
	if s == "" {
		return "", required(field)
	}
	if looksLikeUSCC(s) {
		c, err := models.ParseUSCC(s)
		if err != nil {
			return "", usccError(field, err, "if it is not a USCC but an id of your data, write it as src:<source>:<id>")
		}
		if !digits(c.Division()) {
			return "", &fieldError{Field: field, Reason: "characters 3-8 (the administrative division code) are not all digits",
				Fix: "correct the code; if it is not a USCC but an id of your data, write it as src:<source>:<id>"}
		}
		return string(c), nil
	}
	return p.sourceKey(field, s)
}

// personRef resolves a person_id to a pid: the pid of the identity number
// that a persons row of this load gave for it, else the pid of the source key.
func (p *parser) personRef(field, id string) (string, *fieldError) {
	if err := checkID(field, id); err != nil {
		return "", err
	}
	if e, ok := p.persons.get(id); ok {
		return e.pid, nil
	}
	if pid, ok := isPID(id); ok {
		return pid, nil // an identity number, hashed by the identity stage
	}
	p.unknownPersons++
	return p.hasher.FromSourceKey(p.source, id), nil
}

// parseEnum matches s case-insensitively against the allowed values.
func parseEnum[T ~string](field, s string, allowed []T) (T, *fieldError) {
	for _, a := range allowed {
		if strings.EqualFold(s, string(a)) {
			return a, nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", &fieldError{Field: field, Reason: "is not a known value", Fix: "use one of: " + strings.Join(names, ", ")}
}

var numberChars = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// parseNumber parses a plain decimal number (no thousands separators, units,
// hex or NaN).
func parseNumber(field, s string) (float64, *fieldError) {
	if !numberChars.MatchString(s) {
		fix := "write a plain decimal number, e.g. 1000000 or 0.25"
		switch {
		case strings.Contains(s, ","):
			fix = fmt.Sprintf("remove the thousands separators: %s", strings.ReplaceAll(s, ",", ""))
		case strings.HasSuffix(s, "万") || strings.HasSuffix(s, "万元"):
			if v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(s, "元"), "万"), 64); err == nil && numberChars.MatchString(strings.TrimSuffix(strings.TrimSuffix(s, "元"), "万")) {
				fix = fmt.Sprintf("amounts are in yuan: write %s for %s", strconv.FormatFloat(v*10000, 'f', -1, 64), s)
			} else {
				fix = "amounts are in yuan: write the number without units"
			}
		case strings.HasSuffix(s, "元"):
			fix = "amounts are in yuan: write the number without units"
		}
		return 0, &fieldError{Field: field, Reason: "is not a number", Fix: fix}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, &fieldError{Field: field, Reason: "is out of range", Fix: "write a finite decimal number"}
	}
	return v, nil
}

// parseAmount parses an optional non-negative amount in yuan.
func parseAmount(field, s string) (float64, *fieldError) {
	if s == "" {
		return 0, nil
	}
	v, err := parseNumber(field, s)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return 0, &fieldError{Field: field, Reason: "is negative", Fix: "amounts are zero or more; leave the field empty when unknown"}
	}
	return v, nil
}

// parseFraction parses a number in [0,1] (a ratio or a severity).
func parseFraction(field, s string) (float64, *fieldError) {
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		fix := "write the fraction of 1 without a percent sign"
		if v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64); err == nil && v >= 0 && v <= 100 {
			fix = fmt.Sprintf("write the fraction of 1: %s for %s", strconv.FormatFloat(v/100, 'f', -1, 64), s)
		}
		return 0, &fieldError{Field: field, Reason: "is a percentage", Fix: fix}
	}
	v, err := parseNumber(field, s)
	if err != nil {
		return 0, err
	}
	if v < 0 || v > 1 {
		fix := "give a value from 0 to 1"
		if v > 1 && v <= 100 {
			fix = fmt.Sprintf("it is a fraction of 1, not a percentage: write %s for %s%%", strconv.FormatFloat(v/100, 'f', -1, 64), s)
		}
		return 0, &fieldError{Field: field, Reason: "is outside [0,1]", Fix: fix}
	}
	return v, nil
}

// otherDateLayouts are recognised only to suggest the canonical form.
var otherDateLayouts = []string{"2006/01/02", "2006/1/2", "2006.01.02", "20060102", "2006年1月2日", "2006-1-2", "01/02/2006"}

// parseDate parses an optional YYYY-MM-DD date not before 1900 and not
// after today.
func (p *parser) parseDate(field, s string) (models.Date, *fieldError) {
	if s == "" {
		return models.Date{}, nil
	}
	d, err := models.ParseDate(s)
	if err != nil {
		fix := "write dates as YYYY-MM-DD, e.g. 2024-03-05"
		for _, layout := range otherDateLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				fix = fmt.Sprintf("write dates as YYYY-MM-DD: %s", t.Format(time.DateOnly))
				break
			}
		}
		return models.Date{}, &fieldError{Field: field, Reason: "is not a date YYYY-MM-DD", Fix: fix}
	}
	switch {
	case d.After(p.today.Time):
		return models.Date{}, &fieldError{Field: field, Reason: fmt.Sprintf("is in the future (today is %s)", p.today),
			Fix: "check the year; dates of registrations, appointments and decisions cannot be later than today"}
	case d.Before(minDate.Time):
		return models.Date{}, &fieldError{Field: field, Reason: "is before 1900", Fix: "check the year"}
	}
	return d, nil
}

// dateRange parses since/until (or decided/removed), checking their order.
func (p *parser) dateRange(fromField, from, toField, to string) (models.Date, models.Date, *fieldError) {
	a, err := p.parseDate(fromField, from)
	if err != nil {
		return a, a, err
	}
	b, err := p.parseDate(toField, to)
	if err != nil {
		return a, b, err
	}
	if !a.IsZero() && !b.IsZero() && b.Before(a.Time) {
		return a, b, &fieldError{Field: toField, Reason: fmt.Sprintf("is before %s (%s)", fromField, a),
			Fix: fmt.Sprintf("%s must be on or after %s; check whether the two dates are swapped", toField, fromField)}
	}
	return a, b, nil
}

// normaliseText collapses runs of white space to one space.
func normaliseText(s string) string { return textnorm.Collapse(s) }

// normaliseAddress collapses white space and turns full-width ASCII (digits,
// letters, punctuation) into ASCII, so that "８８号" and "88号" agree.
func normaliseAddress(s string) string { return textnorm.Clean(s) }

// normalisePhone keeps the digits of a telephone number, dropping
// separators and the country code +86: "0755-8601 2345" → "075586012345".
func normalisePhone(s string) (string, *fieldError) {
	if s == "" {
		return "", nil
	}
	var b strings.Builder
	s = textnorm.FoldString(s)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '(' || r == ')' || r == '+' || r == '.':
		default:
			return "", &fieldError{Field: "phone", Reason: fmt.Sprintf("contains %q", r),
				Fix: "give one telephone number of digits (separators - and spaces are fine), e.g. 0755-86012345 or 13812345678"}
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(s, "+86"):
		d = d[2:]
	case strings.HasPrefix(d, "0086") && len(d) > 13:
		d = d[4:]
	}
	if len(d) < 7 || len(d) > 15 {
		return "", &fieldError{Field: "phone", Reason: fmt.Sprintf("has %d digits", len(d)),
			Fix: "give one telephone number of 7 to 15 digits, e.g. 0755-86012345 or 13812345678"}
	}
	return d, nil
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func normaliseEmail(s string) (string, *fieldError) {
	if s == "" {
		return "", nil
	}
	e := strings.ToLower(s)
	if !emailPattern.MatchString(e) {
		return "", &fieldError{Field: "email", Reason: "is not an email address", Fix: "give one address of the form name@example.com"}
	}
	return e, nil
}

var industryPattern = regexp.MustCompile(`^([A-T]([0-9]{2}([0-9]{1,2})?)?|[0-9]{2}([0-9]{1,2})?)$`)

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

var recordKindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,63}$`)

// enterprise parses an enterprises row.
func (p *parser) enterprise(v []string) (models.Enterprise, *fieldError) {
	var e models.Enterprise
	var code models.USCC
	if s := v[entUSCC]; s != "" {
		c, err := models.ParseUSCC(s)
		if err != nil {
			return e, usccError("uscc", err, "or leave uscc empty and key the row by id")
		}
		if !digits(c.Division()) {
			return e, &fieldError{Field: "uscc", Reason: "characters 3-8 (the administrative division code) are not all digits",
				Fix: "copy the 18-character code from the business licence"}
		}
		code = c
		e.Key, e.USCC = string(c), string(c)
	} else {
		id := v[entID]
		if id == "" {
			return e, &fieldError{Field: "uscc", Reason: "and id are both empty",
				Fix: "give the unified social credit code, or for an entity without one (a foreign company, an old registration) its id in your data"}
		}
		if looksLikeUSCC(id) {
			return e, &fieldError{Field: "id", Reason: "looks like a unified social credit code",
				Fix: "put the code in the uscc column (the id column is for entities without one)"}
		}
		key, err := p.sourceKey("id", id)
		if err != nil {
			return e, err
		}
		e.Key = key
	}
	if e.Name = normaliseText(v[entName]); e.Name == "" {
		return e, required("name")
	}
	if s := v[entKind]; s != "" {
		k, err := parseEnum("kind", s, models.EnterpriseKinds)
		if err != nil {
			return e, err
		}
		e.Kind = k
	} else if code != "" && code.Authority() == '9' {
		switch code.Category() {
		case '2':
			e.Kind = models.EnterpriseIndividual
		case '3':
			e.Kind = models.EnterpriseCooperative
		}
	}
	if s := v[entStatus]; s != "" {
		st, err := parseEnum("status", s, models.Statuses)
		if err != nil {
			return e, err
		}
		e.Status = st
	}
	var err *fieldError
	if e.Capital, err = parseAmount("capital", v[entCapital]); err != nil {
		return e, err
	}
	if s := strings.ToUpper(v[entCurrency]); s != "" {
		if !currencyPattern.MatchString(s) {
			return e, &fieldError{Field: "currency", Reason: "is not an ISO 4217 code", Fix: "write a 3-letter currency code such as CNY, USD or HKD"}
		}
		e.Currency = s
	} else if v[entCapital] != "" {
		e.Currency = "CNY"
	}
	if e.Established, err = p.parseDate("established", v[entEstablished]); err != nil {
		return e, err
	}
	if s := v[entRegion]; s != "" {
		if len(s) != 6 || !digits(s) {
			return e, &fieldError{Field: "region", Reason: "is not a 6-digit division code (GB/T 2260)", Fix: "write the 6-digit code, e.g. 440305, or leave it empty to take it from the USCC"}
		}
		if models.LookupRegion(s).Level == models.RegionUnknown {
			return e, &fieldError{Field: "region", Reason: "is not a known division code (unknown province)", Fix: "check the code, or leave it empty to take it from the USCC"}
		}
		e.Region = s
	} else if code != "" && models.LookupRegion(code.Division()).Level != models.RegionUnknown {
		e.Region = code.Division()
	}
	if s := strings.ToUpper(v[entIndustry]); s != "" {
		if !industryPattern.MatchString(s) {
			return e, &fieldError{Field: "industry", Reason: "is not a GB/T 4754 code", Fix: "write a section letter A-T, optionally followed by the 2-4 digit class, e.g. I65 or F5191"}
		}
		e.Industry = s
	}
	e.Address = normaliseAddress(v[entAddress])
	if e.Phone, err = normalisePhone(v[entPhone]); err != nil {
		return e, err
	}
	if e.Email, err = normaliseEmail(v[entEmail]); err != nil {
		return e, err
	}
	return e, nil
}

// person parses a persons row and remembers its pid under person_id.
func (p *parser) person(v []string, file string, line int) (models.Person, *fieldError) {
	var per models.Person
	id := v[perID]
	if err := checkID("person_id", id); err != nil {
		return per, err
	}
	if per.Name = normaliseText(v[perName]); per.Name == "" {
		return per, required("name")
	}
	if pid, ok := isPID(v[perIDNumber]); ok {
		per.PID = pid
	} else if n := v[perIDNumber]; n != "" {
		norm, err := checkIDNumber(n, p.today)
		if err != nil {
			err.Field = "id_number"
			return per, err
		}
		per.PID = p.hasher.FromIDNumber(norm)
	} else if pid, ok := isPID(id); ok {
		per.PID = pid
	} else {
		per.PID = p.hasher.FromSourceKey(p.source, id)
	}
	prev, known := p.persons.get(id)
	if known && prev.pid != per.PID {
		return per, &fieldError{Field: "person_id", Reason: fmt.Sprintf("is already used on line %d of %s for a person with another identity number", prev.line, p.files[prev.file]),
			Fix: "give each person one person_id; a person_id names one person throughout the data set"}
	}
	if !known {
		fi := slices.Index(p.files, file)
		if fi < 0 {
			p.files = append(p.files, file)
			fi = len(p.files) - 1
		}
		p.persons.put(id, personEntry{pid: per.PID, line: int32(line), file: int32(fi)})
	}
	return per, nil
}

// shareholding parses a shareholdings row; refs are the references left
// to the matcher (their keys empty in the row).
func (p *parser) shareholding(v []string) (s models.Shareholding, refs []refQuery, _ *fieldError) {
	kind, err := parseEnum("holder_kind", v[shHolderKind], []models.NodeKind{models.KindPerson, models.KindEnterprise})
	if v[shHolderKind] == "" {
		return s, nil, required("holder_kind")
	} else if err != nil {
		return s, nil, err
	}
	s.Holder.Kind = kind
	var q *refQuery
	if kind == models.KindPerson {
		s.Holder.Key, err = p.personRef("holder", v[shHolder])
	} else {
		s.Holder.Key, q, err = p.entRef(FileShareholdings, v, "holder", shHolder)
	}
	if err != nil {
		return s, nil, err
	}
	refs = withRef(refs, q)
	if s.Enterprise, q, err = p.entRef(FileShareholdings, v, "enterprise", shEnterprise); err != nil {
		return s, nil, err
	}
	refs = withRef(refs, q)
	s, err = p.shareholdingRest(v, s)
	return s, refs, err
}

// shareholdingRest checks the holder against the enterprise and parses
// the rest of a shareholdings row.
func (p *parser) shareholdingRest(v []string, s models.Shareholding) (models.Shareholding, *fieldError) {
	var err *fieldError
	if s.Holder.Kind == models.KindEnterprise && s.Holder.Key != "" && s.Holder.Key == s.Enterprise {
		return s, &fieldError{Field: "holder", Reason: "is the enterprise itself", Fix: "an enterprise cannot be recorded as its own shareholder; drop the row"}
	}
	if v[shRatio] == "" {
		return s, &fieldError{Field: "ratio", Reason: "is required but empty", Fix: "give the share of the registered capital as a fraction of 1, e.g. 0.25"}
	}
	if s.Ratio, err = parseFraction("ratio", v[shRatio]); err != nil {
		return s, err
	}
	if s.Amount, err = parseAmount("amount", v[shAmount]); err != nil {
		return s, err
	}
	if s.Since, err = p.parseDate("since", v[shSince]); err != nil {
		return s, err
	}
	return shareholdingRights(v, s)
}

// role parses a legal_reps or officers row; ref is the enterprise left to
// the matcher, if it is.
func (p *parser) role(v []string, kind models.RoleKind) (r models.Role, refs []refQuery, _ *fieldError) {
	r.Kind = kind
	iPerson, iEnt, iSince, iUntil := lrPerson, lrEnterprise, lrSince, lrUntil
	file := FileLegalReps
	if kind == models.RoleOfficer {
		iPerson, iEnt, iSince, iUntil = ofPerson, ofEnterprise, ofSince, ofUntil
		file = FileOfficers
	}
	var err *fieldError
	if r.Person, err = p.personRef("person_id", v[iPerson]); err != nil {
		return r, nil, err
	}
	var q *refQuery
	if r.Enterprise, q, err = p.entRef(file, v, "enterprise", iEnt); err != nil {
		return r, nil, err
	}
	refs = withRef(refs, q)
	if kind == models.RoleOfficer {
		t := strings.ToLower(v[ofTitle])
		if t == "" {
			return r, nil, required("title")
		}
		if !slices.Contains(OfficerTitles, t) {
			// Free text (董事长, 执行董事兼总经理, CEO): the title table of docs/ingest.md.
			var terr error
			if t, terr = mapping.Title(v[ofTitle], nil); terr != nil {
				return r, nil, &fieldError{Field: "title", Reason: "is not a known title", Fix: "use one of: " + strings.Join(OfficerTitles, ", ") + ", or a title word of docs/ingest.md (董事长, 监事 …)"}
			}
		}
		r.Title = t
	}
	if r.Since, r.Until, err = p.dateRange("since", v[iSince], "until", v[iUntil]); err != nil {
		return r, nil, err
	}
	return r, refs, nil
}

// branch parses a branches row; refs are the ends left to the matcher.
func (p *parser) branch(v []string) (b models.Branch, refs []refQuery, _ *fieldError) {
	var err *fieldError
	var q *refQuery
	if b.Branch, q, err = p.entRef(FileBranches, v, "branch", brBranch); err != nil {
		return b, nil, err
	}
	refs = withRef(refs, q)
	if b.Parent, q, err = p.entRef(FileBranches, v, "parent", brParent); err != nil {
		return b, nil, err
	}
	refs = withRef(refs, q)
	if err := checkBranch(b); err != nil {
		return b, nil, err
	}
	return b, refs, nil
}

// checkBranch refuses a branch that is its own parent (once both ends are known).
func checkBranch(b models.Branch) *fieldError {
	if b.Branch != "" && b.Branch == b.Parent {
		return &fieldError{Field: "parent", Reason: "is the branch itself", Fix: "give the head office's USCC in parent"}
	}
	return nil
}

// relation parses a relations row into its canonical form (A < B).
func (p *parser) relation(v []string) (models.Relation, *fieldError) {
	var r models.Relation
	var err *fieldError
	if r.A, err = p.personRef("person_a", v[rlPersonA]); err != nil {
		return r, err
	}
	if r.B, err = p.personRef("person_b", v[rlPersonB]); err != nil {
		return r, err
	}
	if r.A == r.B {
		return r, &fieldError{Field: "person_b", Reason: "is person_a again", Fix: "name the other person of the relation in person_b"}
	}
	if v[rlKind] == "" {
		return r, required("kind")
	}
	if r.Kind, err = parseEnum("kind", v[rlKind], models.RelationKinds); err != nil {
		return r, err
	}
	if r.Since, err = p.parseDate("since", v[rlSince]); err != nil {
		return r, err
	}
	return r.Canonical(), nil
}

// record parses a records row; refs holds the subject when it is left
// to the matcher.
func (p *parser) record(v []string) (r models.Record, refs []refQuery, _ *fieldError) {
	var err *fieldError
	if r.ID, err = p.sourceKey("record_id", v[rcID]); err != nil {
		return r, nil, err
	}
	if v[rcSubjectKind] == "" {
		return r, nil, required("subject_kind")
	}
	kind, err := parseEnum("subject_kind", v[rcSubjectKind], []models.NodeKind{models.KindEnterprise, models.KindPerson})
	if err != nil {
		return r, nil, err
	}
	r.Subject.Kind = kind
	var q *refQuery
	if kind == models.KindPerson {
		r.Subject.Key, err = p.personRef("subject", v[rcSubject])
	} else {
		r.Subject.Key, q, err = p.entRef(FileRecords, v, "subject", rcSubject)
	}
	if err != nil {
		return r, nil, err
	}
	refs = withRef(refs, q)
	r, err = p.recordRest(v, r)
	return r, refs, err
}

// recordRest parses the fields of a records row after its subject.
func (p *parser) recordRest(v []string, r models.Record) (models.Record, *fieldError) {
	var err *fieldError
	k := strings.ToLower(v[rcKind])
	if k == "" {
		return r, required("kind")
	}
	if !recordKindPattern.MatchString(k) {
		return r, &fieldError{Field: "kind", Reason: "is not a record kind name",
			Fix: "use a known kind (administrative_penalty, abnormal_operations, serious_violation, blacklist, dishonest_debtor, tax_violation) or a lower-case name of letters, digits and _"}
	}
	r.Kind = models.RecordKind(k)
	if s := v[rcSeverity]; s != "" {
		if r.Severity, err = parseFraction("severity", s); err != nil {
			return r, err
		}
	} else if sev, ok := DefaultSeverity(r.Kind); ok {
		r.Severity = sev
	} else {
		return r, &fieldError{Field: "severity", Reason: fmt.Sprintf("is required for kind %q, which riskgraph does not know by name", k),
			Fix: "give a severity from 0 to 1"}
	}
	r.Authority = normaliseText(v[rcAuthority])
	if v[rcDecided] == "" {
		return r, required("decided")
	}
	if r.Decided, r.Removed, err = p.dateRange("decided", v[rcDecided], "removed", v[rcRemoved]); err != nil {
		return r, err
	}
	if r.Amount, err = parseAmount("amount", v[rcAmount]); err != nil {
		return r, err
	}
	r.DocNo = normaliseText(v[rcDocNo])
	r.Reason = normaliseText(v[rcReason])
	return r, nil
}

// maxDate is the latest date a licence's validity may name: some exports
// write 9999-12-31 for "no end".
var maxDate = models.NewDate(9999, time.December, 31)

// parseValidity parses an optional date of a licence's validity, which
// may lie after today (a licence valid until 2029); not before 1900.
func (p *parser) parseValidity(field, s string) (models.Date, *fieldError) {
	if s == "" {
		return models.Date{}, nil
	}
	if strings.Contains(s, "长期") || strings.EqualFold(s, "long-term") {
		return models.Date{}, &fieldError{Field: field, Reason: "is not a date YYYY-MM-DD",
			Fix: "leave " + field + " empty for a licence without an end (长期); a mapping can say so with values: {长期: \"\"}"}
	}
	d, err := models.ParseDate(s)
	if err != nil {
		fix := "write dates as YYYY-MM-DD, e.g. 2024-03-05"
		for _, layout := range otherDateLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				fix = fmt.Sprintf("write dates as YYYY-MM-DD: %s", t.Format(time.DateOnly))
				break
			}
		}
		return models.Date{}, &fieldError{Field: field, Reason: "is not a date YYYY-MM-DD", Fix: fix}
	}
	switch {
	case d.Before(minDate.Time):
		return models.Date{}, &fieldError{Field: field, Reason: "is before 1900", Fix: "check the year"}
	case d.After(maxDate.Time):
		return models.Date{}, &fieldError{Field: field, Reason: "is after 9999-12-31", Fix: "check the year, or leave " + field + " empty for a licence without an end"}
	}
	return d, nil
}

// licence parses a licences row; refs holds the enterprise when it is
// left to the matcher.
func (p *parser) licence(v []string) (l models.Licence, refs []refQuery, _ *fieldError) {
	var err *fieldError
	if l.ID, err = p.sourceKey("licence_id", v[lcID]); err != nil {
		return l, nil, err
	}
	var q *refQuery
	if l.Enterprise, q, err = p.entRef(FileLicences, v, "enterprise", lcEnterprise); err != nil {
		return l, nil, err
	}
	refs = withRef(refs, q)
	if l.Name = normaliseText(v[lcName]); l.Name == "" {
		return l, nil, &fieldError{Field: "name", Reason: "is required but empty", Fix: "give the licence's or certificate's name (许可证书名称), e.g. 食品经营许可证"}
	}
	l.Number = normaliseText(v[lcNumber])
	l.DocNo = normaliseText(v[lcDocNo])
	l.Content = normaliseText(v[lcContent])
	l.Authority = normaliseText(v[lcAuthority])
	if v[lcDecided] == "" {
		return l, nil, &fieldError{Field: "decided", Reason: "is required but empty", Fix: "give the date of the licence decision (许可决定日期) as YYYY-MM-DD"}
	}
	if l.Decided, err = p.parseDate("decided", v[lcDecided]); err != nil {
		return l, nil, err
	}
	if l.ValidFrom, err = p.parseValidity("valid_from", v[lcValidFrom]); err != nil {
		return l, nil, err
	}
	if l.ValidTo, err = p.parseValidity("valid_to", v[lcValidTo]); err != nil {
		return l, nil, err
	}
	if !l.ValidFrom.IsZero() && !l.ValidTo.IsZero() && l.ValidTo.Before(l.ValidFrom.Time) {
		return l, nil, &fieldError{Field: "valid_to", Reason: fmt.Sprintf("is before valid_from (%s)", l.ValidFrom),
			Fix: "valid_to must be on or after valid_from; check whether the two dates are swapped"}
	}
	return l, refs, nil
}

// withRef appends q, a reference left to match, to refs (nil: none).
func withRef(refs []refQuery, q *refQuery) []refQuery {
	if q == nil {
		return refs
	}
	return append(refs, *q)
}
