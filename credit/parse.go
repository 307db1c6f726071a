package credit

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"riskgraph/models"
)

// CatalogueError is one mistake in a catalogue file: where (file, line,
// field), what is wrong, and the values that would be accepted.
type CatalogueError struct {
	File    string
	Line    int
	Field   string // "rules[2].measure"
	Problem string
	Allowed []string
}

func (e *CatalogueError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Problem)
	if len(e.Allowed) > 0 {
		b.WriteString("; allowed: " + allowed(e.Allowed))
	}
	return b.String()
}

// CatalogueErrors are every mistake found in one file, in file order.
type CatalogueErrors []*CatalogueError

// maxReported bounds the mistakes one error message lists.
const maxReported = 20

func (es CatalogueErrors) Error() string {
	lines := make([]string, 0, min(len(es), maxReported)+1)
	for i, e := range es {
		if i == maxReported {
			lines = append(lines, fmt.Sprintf("… and %d more", len(es)-maxReported))
			break
		}
		lines = append(lines, e.Error())
	}
	return "measures catalogue: " + strings.Join(lines, "\n")
}

// Parse reads and validates a catalogue. name is the file it came from,
// used in messages. Every mistake is reported (a CatalogueErrors) with its
// line, field and the allowed values.
func Parse(name string, data []byte) (*Catalogue, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, CatalogueErrors{{File: name, Problem: strings.TrimPrefix(err.Error(), "yaml: ") + " (the file must be YAML or JSON)"}}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, CatalogueErrors{{File: name, Problem: "the file is empty; give version, documents, scenarios and rules"}}
	}
	v := &validator{file: name, root: root.Content[0]}
	v.keys(v.root, reflect.TypeFor[Catalogue](), "")
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	var c Catalogue
	if err := v.root.Decode(&c); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				v.errs = append(v.errs, &CatalogueError{File: name, Line: lineIn(m), Problem: m})
			}
			return nil, v.errs
		}
		return nil, CatalogueErrors{{File: name, Problem: err.Error()}}
	}
	v.catalogue(&c)
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	c.Source = name
	c.index(data)
	return &c, nil
}

// validator collects the mistakes of one file.
type validator struct {
	file string
	root *yaml.Node
	errs CatalogueErrors
}

// add records a mistake at the node path (keys and indices from the root).
func (v *validator) add(path []any, problem string, allowedValues []string) {
	v.errs = append(v.errs, &CatalogueError{File: v.file, Line: v.line(path), Field: fieldName(path), Problem: problem, Allowed: allowedValues})
}

// line finds the line of the node at path, or of its nearest ancestor.
func (v *validator) line(path []any) int {
	n, line := v.root, v.root.Line
	for _, p := range path {
		var next *yaml.Node
		switch p := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == p {
						next = n.Content[i+1]
						if next.Kind != yaml.ScalarNode {
							line = n.Content[i].Line // the key's line for lists and maps
						} else {
							line = next.Line
						}
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && p < len(n.Content) {
				next = n.Content[p]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// fieldName renders a path: rules[2].when.kinds[0].
func fieldName(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			b.WriteString("[" + strconv.Itoa(p) + "]")
		}
	}
	return b.String()
}

var lineNumber = regexp.MustCompile(`^line (\d+): `)

// lineIn reads the line number at the start of a YAML type error.
func lineIn(msg string) int {
	if m := lineNumber.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// keys refuses mapping keys that name no field of t, recursively.
func (v *validator) keys(n *yaml.Node, t reflect.Type, field string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		names := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			ft, ok := names[k]
			if !ok {
				known := make([]string, 0, len(names))
				for name := range names {
					known = append(known, name)
				}
				slices.Sort(known)
				v.errs = append(v.errs, &CatalogueError{File: v.file, Line: n.Content[i].Line, Field: joinField(field, k),
					Problem: fmt.Sprintf("unknown field %q", k), Allowed: known})
				continue
			}
			v.keys(n.Content[i+1], ft, joinField(field, k))
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, c := range n.Content {
			v.keys(c, t.Elem(), field+"["+strconv.Itoa(i)+"]")
		}
	}
}

func joinField(parent, k string) string {
	if parent == "" {
		return k
	}
	return parent + "." + k
}

// yamlFields maps the YAML names of t's fields to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		out[name] = f.Type
	}
	return out
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// catalogue checks the meaning of a decoded catalogue.
func (v *validator) catalogue(c *Catalogue) {
	if strings.TrimSpace(c.Version) == "" {
		v.add([]any{"version"}, "the catalogue needs a version (recorded with every check), e.g. version: \"2026.1\"", nil)
	}
	docs := map[string]bool{}
	for i, d := range c.Documents {
		at := func(f string) []any { return []any{"documents", i, f} }
		v.id(at("id"), d.ID, docs, "document")
		if strings.TrimSpace(d.Number) == "" {
			v.add(at("number"), "a document needs its number (文号), e.g. 国办发〔2015〕51号", nil)
		}
		if strings.TrimSpace(d.Title) == "" {
			v.add(at("title"), "a document needs its title", nil)
		}
	}
	scenarios := map[string]bool{}
	if len(c.Scenarios) == 0 {
		v.add([]any{"scenarios"}, "the catalogue needs at least one scenario", nil)
	}
	for i, s := range c.Scenarios {
		at := func(f string) []any { return []any{"scenarios", i, f} }
		v.id(at("id"), s.ID, scenarios, "scenario")
		if strings.TrimSpace(s.Zh) == "" || strings.TrimSpace(s.En) == "" {
			v.add([]any{"scenarios", i}, "a scenario needs a Chinese (zh) and an English (en) label", nil)
		}
		for j, k := range s.Subjects {
			if k != SubjectEnterprise && k != SubjectPerson {
				v.add([]any{"scenarios", i, "subjects", j}, fmt.Sprintf("unknown subject kind %q", k), []string{SubjectEnterprise, SubjectPerson})
			}
		}
	}
	kinds := map[string]string{} // kind → polarity
	for _, k := range models.RecordKinds {
		kinds[string(k)] = PolarityNegative
	}
	declared := map[string]bool{}
	for i, k := range c.RecordKinds {
		at := func(f string) []any { return []any{"record_kinds", i, f} }
		v.id(at("kind"), k.Kind, declared, "record kind")
		switch k.Polarity {
		case PolarityNegative, PolarityPositive, PolarityNeutral:
			kinds[k.Kind] = k.Polarity
		default:
			v.add(at("polarity"), fmt.Sprintf("unknown polarity %q", k.Polarity), []string{PolarityNegative, PolarityPositive, PolarityNeutral})
		}
		if k.PublicationYears < 0 || k.PublicationYears > 100 {
			v.add(at("publication_years"), fmt.Sprintf("publication period %d years: give 1 to 100 years, or leave it out (published until removed)", k.PublicationYears), nil)
		}
	}
	kindNames := make([]string, 0, len(kinds))
	for k := range kinds {
		kindNames = append(kindNames, k)
	}
	slices.Sort(kindNames)
	rules := map[string]bool{}
	for i := range c.Rules {
		v.rule(i, &c.Rules[i], rules, scenarios, c.ScenarioIDs(), kinds, kindNames, docs)
	}
}

// id checks an identifier: present, well formed, unique within seen.
func (v *validator) id(path []any, id string, seen map[string]bool, what string) {
	switch {
	case id == "":
		v.add(path, "a "+what+" needs an id", nil)
	case !idPattern.MatchString(id):
		v.add(path, fmt.Sprintf("%s id %q: use lower-case letters, digits, '_' and '-', starting with a letter", what, id), nil)
	case seen[id]:
		v.add(path, fmt.Sprintf("%s id %q is used twice", what, id), nil)
	}
	seen[id] = true
}

func (v *validator) rule(i int, r *Rule, seen, scenarios map[string]bool, scenarioIDs []string, kinds map[string]string, kindNames []string, docs map[string]bool) {
	at := func(f ...any) []any { return append([]any{"rules", i}, f...) }
	v.id(at("id"), r.ID, seen, "rule")
	if len(r.Scenarios) == 0 {
		v.add(at("scenarios"), "a rule needs the scenarios it applies in", scenarioIDs)
	}
	for j, s := range r.Scenarios {
		if !scenarios[s] {
			v.add(at("scenarios", j), fmt.Sprintf("unknown scenario %q", s), scenarioIDs)
		}
	}
	if !slices.Contains(Measures, r.Measure) {
		v.add(at("measure"), fmt.Sprintf("unknown measure %q", r.Measure), Measures)
	}
	if len(r.When.Kinds) == 0 {
		v.add(at("when", "kinds"), "a rule needs the record kinds it reads", kindNames)
	}
	for j, k := range r.When.Kinds {
		pol, ok := kinds[k]
		switch {
		case !ok:
			v.add(at("when", "kinds", j), fmt.Sprintf("unknown record kind %q (declare new kinds under record_kinds)", k), kindNames)
		case r.Measure == MeasureIncentive && pol != PolarityPositive:
			v.add(at("when", "kinds", j), fmt.Sprintf("an incentive rule reads positive records only; %q is %s", k, pol), nil)
		case r.Measure != MeasureIncentive && slices.Contains(Measures, r.Measure) && pol != PolarityNegative:
			v.add(at("when", "kinds", j), fmt.Sprintf("a %s rule reads negative records only; %q is %s", r.Measure, k, pol), nil)
		}
	}
	if !(r.When.MinSeverity >= 0 && r.When.MinSeverity <= 1) {
		v.add(at("when", "min_severity"), fmt.Sprintf("min_severity %v is outside [0,1]", r.When.MinSeverity), nil)
	}
	if r.When.MinAmount < 0 {
		v.add(at("when", "min_amount"), fmt.Sprintf("min_amount %v is negative", r.When.MinAmount), nil)
	}
	for j, via := range r.Via {
		if !slices.Contains(Relations, via) {
			v.add(at("via", j), fmt.Sprintf("unknown network relation %q", via), Relations)
		}
	}
	switch r.Period {
	case PeriodYears:
		if r.Years < 1 || r.Years > 100 {
			v.add(at("years"), fmt.Sprintf("a years period needs years from 1 to 100 (got %d)", r.Years), nil)
		}
	case PeriodInForce, PeriodUntilRemoved:
		if r.Years != 0 || r.DespiteRemoval {
			v.add(at("years"), "years and despite_removal belong to period: years only", nil)
		}
	case "":
		v.add(at("period"), "a rule needs a period", Periods)
	default:
		v.add(at("period"), fmt.Sprintf("unknown period %q", r.Period), Periods)
	}
	if len(r.Basis) == 0 {
		v.add(at("basis"), "a rule needs its legal basis: at least one document of the catalogue", nil)
	}
	docIDs := make([]string, 0, len(docs))
	for d := range docs {
		docIDs = append(docIDs, d)
	}
	slices.Sort(docIDs)
	for j, b := range r.Basis {
		if !docs[b.Document] {
			v.add(at("basis", j, "document"), fmt.Sprintf("unknown document %q (list it under documents)", b.Document), docIDs)
		}
	}
}
