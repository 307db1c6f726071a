// Package mapping reads column mappings: small YAML or JSON files that say
// how the columns of a foreign layout (a registration export with Chinese
// headers, a court's list of dishonest debtors) become the canonical fields
// of one kind of row, and how each value is converted on the way (percent
// strings, money with units, Chinese date forms, status words, constants,
// key prefixes). docs/ingest.md describes the format; mappings/ holds the
// ones riskgraph ships.
//
// A mapping produces canonical text ("0.355", "1000000", "2019-03-05",
// "active"); the ingest package validates it like any canonical file.
package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"riskgraph/ingest/reader"
)

// File is a mapping file: one table per kind of row it produces. Several
// tables may read the same source file (a registration export gives
// enterprises, persons and legal representatives).
type File struct {
	Name   string   `yaml:"name" json:"name"`
	Tables []*Table `yaml:"tables" json:"tables"`
	// Match, when present (`match: {}` at least), switches matching at
	// ingest on for loads with this mapping (docs/ingest.md): enterprise
	// references that are not keys are resolved against the stored
	// enterprises. The command's --match-accept and --match-review win
	// over its thresholds.
	Match *MatchSettings `yaml:"match" json:"match"`
	path  string
}

// MatchSettings are a mapping's thresholds of matching at ingest; an
// absent one takes the loader's default.
type MatchSettings struct {
	// Accept: a row is attached to the best candidate from this score.
	Accept *float64 `yaml:"accept" json:"accept"`
	// Review: a row goes to the review queue from this score (below
	// Accept), to the rejects below it.
	Review *float64 `yaml:"review" json:"review"`
}

// Table maps one source layout to one kind.
type Table struct {
	// Kind is the canonical kind produced (enterprises, persons, …).
	Kind string `yaml:"kind" json:"kind"`
	// Files are glob patterns on the source file's name (without .gz)
	// that select this table; when empty, a file whose header holds every
	// required source column is read with it.
	Files []string `yaml:"files" json:"files"`
	// Columns maps canonical field names to their source.
	Columns map[string]*Spec `yaml:"columns" json:"columns"`
	// Header false: the table's files have no header line; every source
	// column is then a position ($1, $2 …). Default true.
	Header *bool `yaml:"header" json:"header"`
	// Delimiter and Quote configure the CSV reader for the table's files
	// (as --delimiter and --quote do for a whole load: one ASCII character,
	// "tab", or for the quote "none"). Empty: the command's setting.
	Delimiter string `yaml:"delimiter" json:"delimiter"`
	Quote     string `yaml:"quote" json:"quote"`
}

// HasHeader reports whether the table's files begin with a header line.
func (t *Table) HasHeader() bool { return t.Header == nil || *t.Header }

// CSV returns opts with the table's delimiter and quote in place of the
// command's, and NoHeader set when the table's files have no header. The
// table's settings win: they describe its export.
func (t *Table) CSV(opts reader.CSVOptions) reader.CSVOptions {
	if c, err := reader.ParseDelimiter(t.Delimiter); err == nil && c != 0 {
		opts.Comma = c
	}
	if q, err := reader.ParseQuote(t.Quote); err == nil && q != 0 {
		opts.Quote = q
	}
	if !t.HasHeader() {
		opts.NoHeader = true
	}
	return opts
}

// OwnReader reports whether the table sets any reader option of its own.
func (t *Table) OwnReader() bool { return t.Delimiter != "" || t.Quote != "" || !t.HasHeader() }

// Spec says where one canonical field comes from.
type Spec struct {
	// From names the source column; several names are alternatives
	// (the first the header has is used). Matched ignoring case,
	// surrounding spaces and full-width forms.
	From Names `yaml:"from" json:"from"`
	// Const gives the value for every row instead.
	Const *string `yaml:"const" json:"const"`
	// Transform converts the value: percent, fraction, money, currency,
	// date, status, enterprise_kind, title, record_kind, holder_kind, map,
	// upper, lower, pid (the value is an identity number; it is hashed
	// into a pid before anything else sees it) or empty (trimmed text).
	Transform string `yaml:"transform" json:"transform"`
	// Unit of bare numbers for money (元, 千元, 万元, 亿元).
	Unit string `yaml:"unit" json:"unit"`
	// Values maps source words to canonical values; it is consulted
	// first by every transform and is the whole of transform map.
	Values map[string]string `yaml:"values" json:"values"`
	// Default replaces values that Values and the transform do not know
	// (without it they are refused).
	Default *string `yaml:"default" json:"default"`
	// Prefix is put before every non-empty value (e.g. src:samr: for ids).
	Prefix string `yaml:"prefix" json:"prefix"`
	// Optional: the source column may be missing from a file.
	Optional bool `yaml:"optional" json:"optional"`
}

// Names is one column name or a list of alternatives.
type Names []string

// UnmarshalYAML accepts a name or a list of names.
func (n *Names) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind == yaml.ScalarNode {
		*n = Names{node.Value}
		return nil
	}
	var l []string
	if err := node.Decode(&l); err != nil {
		return fmt.Errorf("from: give a column name or a list of names")
	}
	*n = l
	return nil
}

// UnmarshalJSON accepts a name or a list of names.
func (n *Names) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*n = Names{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("from: give a column name or a list of names")
	}
	*n = l
	return nil
}

var specKeys = []string{"from", "const", "transform", "unit", "values", "default", "prefix", "optional"}

// UnmarshalYAML accepts the short form `field: 源列名` (or a list of names)
// besides the full form; unknown keys are errors.
func (s *Spec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode || n.Kind == yaml.SequenceNode {
		return (&s.From).UnmarshalYAML(n)
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; !slices.Contains(specKeys, k) {
				return fmt.Errorf("line %d: unknown key %q (known: %s)", n.Content[i].Line, k, strings.Join(specKeys, ", "))
			}
		}
	}
	type plain Spec
	return n.Decode((*plain)(s))
}

// UnmarshalJSON accepts the same forms as UnmarshalYAML.
func (s *Spec) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && (b[0] == '"' || b[0] == '[') {
		return (&s.From).UnmarshalJSON(b)
	}
	type plain Spec
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(s))
}

// Load reads a mapping file: JSON when it ends in .json, YAML otherwise.
// Unknown keys are errors, so a misspelt option does not pass silently.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	f, err := Parse(b, strings.EqualFold(filepath.Ext(path), ".json"))
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	f.path = path
	if f.Name == "" {
		f.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return f, nil
}

// Parse reads a mapping from YAML (or JSON when isJSON).
func Parse(b []byte, isJSON bool) (*File, error) {
	var f File
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, err
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			return nil, err
		}
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

var valueTransforms = []string{"", "trim", "upper", "lower", "percent", "fraction", "money", "currency", "date", "map", "pid"}

// Validate checks the mapping's own shape; the ingest package checks the
// kinds and field names against the canonical layout.
func (f *File) Validate() error {
	if len(f.Tables) == 0 {
		return errors.New("no tables: give at least one table with a kind and its columns")
	}
	if m := f.Match; m != nil {
		for _, t := range []struct {
			key string
			v   *float64
		}{{"match.accept", m.Accept}, {"match.review", m.Review}} {
			if t.v != nil && !(*t.v > 0 && *t.v <= 1) {
				return fmt.Errorf("%s %v: give a score above 0 and at most 1 (or leave it out for the default)", t.key, *t.v)
			}
		}
		if m.Accept != nil && m.Review != nil && *m.Review > *m.Accept {
			return fmt.Errorf("match.review %v is above match.accept %v: rows scoring from the review threshold up to the accept threshold are queued for review; give match.review at most match.accept", *m.Review, *m.Accept)
		}
	}
	for i, t := range f.Tables {
		if t == nil || t.Kind == "" {
			return fmt.Errorf("table %d: kind is empty", i+1)
		}
		if len(t.Columns) == 0 {
			return fmt.Errorf("table %d (%s): no columns", i+1, t.Kind)
		}
		if _, err := reader.ParseDelimiter(t.Delimiter); err != nil {
			return fmt.Errorf("table %d (%s): %v", i+1, t.Kind, err)
		}
		if _, err := reader.ParseQuote(t.Quote); err != nil {
			return fmt.Errorf("table %d (%s): %v", i+1, t.Kind, err)
		}
		if err := t.CSV(reader.CSVOptions{}).Validate(); err != nil {
			return fmt.Errorf("table %d (%s): %v", i+1, t.Kind, err)
		}
		for _, p := range t.Files {
			if _, err := filepath.Match(p, ""); err != nil {
				return fmt.Errorf("table %d (%s): files pattern %q: %v", i+1, t.Kind, p, err)
			}
		}
		for _, field := range t.Targets() {
			s := t.Columns[field]
			where := fmt.Sprintf("table %d (%s), field %s", i+1, t.Kind, field)
			switch {
			case s == nil:
				return fmt.Errorf("%s: empty; give the source column (from:) or a constant (const:)", where)
			case len(s.From) == 0 && s.Const == nil:
				return fmt.Errorf("%s: give the source column (from:) or a constant (const:)", where)
			case len(s.From) > 0 && s.Const != nil:
				return fmt.Errorf("%s: give from: or const:, not both", where)
			case !slices.Contains(valueTransforms, s.Transform) && vocabularies[s.Transform] == nil:
				return fmt.Errorf("%s: transform %q: %w (use one of %s, %s)", where, s.Transform, ErrUnknownTransform,
					strings.Join(valueTransforms[1:], ", "), strings.Join(Builtin(), ", "))
			case s.Transform == "map" && len(s.Values) == 0:
				return fmt.Errorf("%s: transform map needs a values: list", where)
			case s.Unit != "" && s.Transform != "money":
				return fmt.Errorf("%s: unit: applies to transform money only", where)
			}
			if s.Unit != "" {
				if _, ok := unitFactor(s.Unit); !ok {
					return fmt.Errorf("%s: unit %q: use 元, 千元, 万元 or 亿元", where, s.Unit)
				}
			}
			for _, n := range s.From {
				if normName(n) == "" {
					return fmt.Errorf("%s: an empty column name among the from: names", where)
				}
				if p, ok := reader.Position(n); ok && p < 1 {
					return fmt.Errorf("%s: column position %s: positions count from $1 (the first column)", where, n)
				}
				if _, ok := reader.Position(n); !ok && !t.HasHeader() {
					return fmt.Errorf("%s: %q is a column name, but the table says header: false; address the column by position ($1 is the first)", where, n)
				}
			}
		}
	}
	return nil
}

// Targets returns the table's canonical field names, sorted.
func (t *Table) Targets() []string {
	out := make([]string, 0, len(t.Columns))
	for k := range t.Columns {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// MatchesFile reports whether the table's file patterns select name.
func (t *Table) MatchesFile(name string) bool {
	for _, p := range t.Files {
		if ok, _ := filepath.Match(strings.ToLower(p), strings.ToLower(name)); ok {
			return true
		}
	}
	return false
}

// normName is how column names compare: full-width folded, trimmed, lower case.
func normName(s string) string { return strings.ToLower(fold(s)) }

// Missing returns the source columns the table needs (not optional, not
// constant) that header lacks, each as "源列名 (field)".
func (t *Table) Missing(header []string) []string {
	have := map[string]bool{}
	for _, h := range header {
		have[normName(h)] = true
	}
	var out []string
	for _, field := range t.Targets() {
		s := t.Columns[field]
		if s.Const != nil || s.Optional {
			continue
		}
		found := false
		for _, n := range s.From {
			p, isPos := reader.Position(n)
			found = found || have[normName(n)] || (isPos && p <= len(header))
		}
		if !found {
			out = append(out, fmt.Sprintf("%s (%s)", strings.Join(s.From, " or "), field))
		}
	}
	return out
}

// Matched counts the table's source columns present in header.
func (t *Table) Matched(header []string) int {
	have := map[string]bool{}
	for _, h := range header {
		have[normName(h)] = true
	}
	n := 0
	for _, s := range t.Columns {
		for _, name := range s.From {
			if p, isPos := reader.Position(name); have[normName(name)] || (isPos && p <= len(header)) {
				n++
				break
			}
		}
	}
	return n
}

// MissingError is a file whose header lacks columns the table needs.
type MissingError struct {
	Kind    string
	Missing []string
	Header  []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("the header lacks %s, which the mapping for %s needs (the header has: %s)",
		strings.Join(e.Missing, ", "), e.Kind, strings.Join(e.Header, ", "))
}

// Rows is a mapped source: its columns are the table's canonical fields
// (those whose source is present), its values converted.
type Rows struct {
	src    reader.Rows
	table  *Table
	fields []string
	specs  []*Spec
	index  []int    // source column of each field; -1 for a constant
	names  []string // source column name of each field
	vals   []string
	raw    []string
	width  int
	// noHeader: width is the first row's, and the message says so.
	noHeader bool
}

// LayoutError is a table that cannot read a file without a header: a
// field addressed by name, or by a position past the first row's width.
type LayoutError struct {
	Kind   string
	Field  string
	Reason string
	Fix    string
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("the mapping for %s, field %s: %s", e.Kind, e.Field, e.Reason)
}

// Apply maps src through the table. A header lacking a required source
// column is a *MissingError. Source columns written $n address the n-th
// column whatever the header says.
func Apply(t *Table, src reader.Rows) (*Rows, error) {
	return apply(t, src, false)
}

// ApplyNoHeader maps a source without a header line (its columns are only
// positions, reader.CSVOptions.NoHeader): every field must be addressed by
// position ($1 …) within the first row's width, else a *LayoutError says
// which field and what to change.
func ApplyNoHeader(t *Table, src reader.Rows) (*Rows, error) {
	return apply(t, src, true)
}

func apply(t *Table, src reader.Rows, noHeader bool) (*Rows, error) {
	header := src.Columns()
	if noHeader {
		for _, field := range t.Targets() {
			s := t.Columns[field]
			if s.Const != nil {
				continue
			}
			var pos []int
			for _, n := range s.From {
				if p, ok := reader.Position(n); ok {
					pos = append(pos, p)
				}
			}
			switch {
			case len(pos) == 0:
				return nil, &LayoutError{Kind: t.Kind, Field: field,
					Reason: fmt.Sprintf("%s names a column, but the file has no header line to find it in", strings.Join(s.From, " or ")),
					Fix:    "address the column by its position ($1 is the first column): " + field + ": $n; or load a file with a header"}
			case !slices.ContainsFunc(pos, func(p int) bool { return p <= len(header) }) && !s.Optional:
				return nil, &LayoutError{Kind: t.Kind, Field: field,
					Reason: fmt.Sprintf("column %s is past the %d fields of the first row", strings.Join(s.From, " or "), len(header)),
					Fix:    fmt.Sprintf("give a position between $1 and $%d, or check the delimiter (the table's delimiter: key or --delimiter)", len(header))}
			}
		}
	} else if miss := t.Missing(header); len(miss) > 0 {
		return nil, &MissingError{Kind: t.Kind, Missing: miss, Header: header}
	}
	pos := map[string]int{}
	for i, h := range header {
		if _, dup := pos[normName(h)]; !dup {
			pos[normName(h)] = i
		}
	}
	m := &Rows{src: src, table: t, width: len(header), noHeader: noHeader}
	for _, field := range t.Targets() {
		s := t.Columns[field]
		idx, name := -1, ""
		for _, n := range s.From {
			if p, ok := reader.Position(n); ok {
				if p <= len(header) {
					idx, name = p-1, header[p-1]
					break
				}
				continue
			}
			if noHeader {
				continue
			}
			if i, ok := pos[normName(n)]; ok {
				idx, name = i, header[i]
				break
			}
		}
		if idx < 0 && s.Const == nil {
			continue // an optional column the file lacks
		}
		m.fields = append(m.fields, field)
		m.specs = append(m.specs, s)
		m.index = append(m.index, idx)
		m.names = append(m.names, name)
	}
	m.vals = make([]string, len(m.fields))
	m.raw = make([]string, len(m.fields))
	return m, nil
}

// Columns returns the canonical fields produced.
func (m *Rows) Columns() []string { return m.fields }

// Source returns the source column of a canonical field and its raw value
// in the last row read ("" for constants and unknown fields).
func (m *Rows) Source(field string) (column, raw string) {
	for i, f := range m.fields {
		if f == field {
			return m.names[i], m.raw[i]
		}
	}
	return "", ""
}

// Identity returns the fields whose values are identity numbers (transform pid).
func (m *Rows) Identity() []string {
	var out []string
	for i, s := range m.specs {
		if s.Transform == "pid" {
			out = append(out, m.fields[i])
		}
	}
	return out
}

// Next reads and converts one row. A value a transform refuses is a
// *reader.RowError naming the source column and the canonical field.
func (m *Rows) Next() (reader.Row, error) {
	row, err := m.src.Next()
	if err != nil {
		return row, err
	}
	if len(row.Values) != m.width {
		what := "the header"
		if m.noHeader {
			what = "the first row"
		}
		return reader.Row{}, &reader.RowError{Line: row.Line,
			Err: fmt.Errorf("has %d fields, %s has %d", len(row.Values), what, m.width),
			Fix: "give one value per column; enclose values that contain the delimiter in double quotes"}
	}
	for i, s := range m.specs {
		var v string
		if m.index[i] < 0 {
			v = *s.Const
			m.raw[i] = ""
		} else {
			v = row.Values[m.index[i]]
			m.raw[i] = v
		}
		out, err := Convert(s, v)
		if err != nil {
			var ve *ValueError
			reason, fix := err.Error(), ""
			if errors.As(err, &ve) {
				reason, fix = ve.Reason, ve.Fix
			}
			return reader.Row{}, &reader.RowError{Line: row.Line, Field: m.label(i), Value: v,
				Err: errors.New(reason), Fix: fix}
		}
		m.vals[i] = out
	}
	return reader.Row{Line: row.Line, Values: m.vals}, nil
}

// label names a field for messages: "注册资本 (capital)".
func (m *Rows) label(i int) string {
	if m.names[i] == "" {
		return m.fields[i]
	}
	return m.names[i] + " (" + m.fields[i] + ")"
}

// Label names a canonical field for messages, with its source column.
func (m *Rows) Label(field string) string {
	if i := slices.Index(m.fields, field); i >= 0 {
		return m.label(i)
	}
	return field
}

// Convert applies a spec's transform to one value.
func Convert(s *Spec, v string) (string, error) {
	f := fold(v)
	if out, ok := s.Values[f]; ok {
		return out, nil
	}
	var out string
	var err error
	switch s.Transform {
	case "", "trim", "pid":
		out = f
	case "upper":
		out = strings.ToUpper(f)
	case "lower":
		out = strings.ToLower(f)
	case "percent":
		out, err = Percent(v)
	case "fraction":
		out, err = Fraction(v)
	case "money":
		out, err = Money(v, s.Unit)
	case "currency":
		out, err = Currency(v)
	case "date":
		out, err = Date(v)
	case "title":
		out, err = Title(v, s.Values) // values: also apply to a compound's first part
	case "map":
		if f != "" {
			keys := make([]string, 0, len(s.Values))
			for k := range s.Values {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			err = bad("is not one of the mapped values", "use one of "+strings.Join(keys, ", ")+", or add it under values: in the mapping")
		}
	default:
		voc := vocabularies[s.Transform]
		if voc == nil {
			return "", fmt.Errorf("transform %q: %w", s.Transform, ErrUnknownTransform)
		}
		out, err = voc.apply(v)
	}
	if err != nil {
		if s.Default != nil {
			return *s.Default, nil
		}
		return "", err
	}
	if out != "" && s.Prefix != "" {
		out = s.Prefix + out
	}
	return out, nil
}
