// Package credit answers the approving officer's question "can this
// bidder, applicant or appointee get this, today — and if not, why, by
// which rule and until when?": the measures catalogue (which records, on
// the subject or on a related party in the graph, trigger which measure
// in which scenario, on which legal basis and for how long), the credit
// check that applies it, and the stored answer that proves what was said.
// docs/credit-checks.md describes the rules, verdicts, periods and the
// catalogue format.
package credit

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"

	"riskgraph/engine"
	"riskgraph/models"
)

// Measures, strongest first. The verdict of a check is the strongest
// negative measure that applies (Verdict).
const (
	MeasureProhibit       = "prohibit"        // 禁止: the subject may not get it
	MeasureRestrict       = "restrict"        // 限制: only within limits the department sets
	MeasureStrictReview   = "strict_review"   // 从严审核: full review, no simplified procedure
	MeasureKeySupervision = "key_supervision" // 重点监管: granted, then supervised more closely
	MeasureIncentive      = "incentive"       // 激励: green channel (priority, simplified procedure)
)

// Measures lists every measure, strongest first.
var Measures = []string{MeasureProhibit, MeasureRestrict, MeasureStrictReview, MeasureKeySupervision, MeasureIncentive}

// Network relations: whose records a rule reads. For an enterprise
// subject: its own, its legal representative's, its officers', a
// controlling shareholder's, its actual controller's, and (for a branch)
// its parent's. For a person subject: their own, and those of the
// enterprises they represented or served as an officer of when the record
// was decided.
const (
	ViaSelf                   = "self"
	ViaLegalRep               = "legal_rep"
	ViaPrincipalOfficer       = "principal_officer"
	ViaControllingShareholder = "controlling_shareholder"
	ViaActualController       = "actual_controller"
	ViaParent                 = "parent"
	ViaLegalRepOf             = "legal_rep_of"
	ViaOfficerOf              = "officer_of"
)

// Relations lists every network relation, nearest first.
var Relations = []string{ViaSelf, ViaLegalRep, ViaPrincipalOfficer, ViaControllingShareholder,
	ViaActualController, ViaParent, ViaLegalRepOf, ViaOfficerOf}

// Period kinds: how long a measure applies.
const (
	// PeriodInForce: while the record is in force — from its decision
	// until it is removed (and, once the credit file's life is built,
	// until its publication period ends or it is repaired).
	PeriodInForce = "in_force"
	// PeriodUntilRemoved: until the record is formally removed, and only
	// then (publication periods and repair do not end it).
	PeriodUntilRemoved = "until_removed"
	// PeriodYears: Years years from the decision; a removal ends it
	// earlier unless DespiteRemoval.
	PeriodYears = "years"
)

// Periods lists every period kind.
var Periods = []string{PeriodInForce, PeriodUntilRemoved, PeriodYears}

// Subject kinds a scenario may check.
const (
	SubjectEnterprise = "enterprise"
	SubjectPerson     = "person"
)

// Polarities of record kinds.
const (
	PolarityNegative = "negative" // raises risk; feeds restrictions
	PolarityPositive = "positive" // commendations, red lists; feeds incentives
	PolarityNeutral  = "neutral"  // facts, such as licences
)

// Catalogue is a validated measures catalogue.
type Catalogue struct {
	// Version names this catalogue; every check records it.
	Version string `yaml:"version"`
	// Title describes the catalogue (free text).
	Title       string       `yaml:"title"`
	Documents   []Document   `yaml:"documents"`
	Scenarios   []Scenario   `yaml:"scenarios"`
	RecordKinds []RecordKind `yaml:"record_kinds"`
	Rules       []Rule       `yaml:"rules"`

	// Source is the file it was read from; SHA256 the hex digest of its
	// bytes (checks record it beside the version).
	Source string `yaml:"-"`
	SHA256 string `yaml:"-"`

	docs      map[string]*Document
	scenarios map[string]*Scenario
	kinds     map[models.RecordKind]*RecordKind
	// byScenario lists the rules of each scenario in catalogue order.
	byScenario map[string][]*Rule
}

// Document is a legal basis: a document with a number that is certain.
type Document struct {
	ID      string `yaml:"id"`
	Number  string `yaml:"number"`
	Title   string `yaml:"title"`
	TitleEn string `yaml:"title_en"`
}

// Scenario is an administrative decision a check is made for.
type Scenario struct {
	ID string `yaml:"id"`
	Zh string `yaml:"zh"`
	En string `yaml:"en"`
	// Subjects are the subject kinds it checks (default: enterprise).
	Subjects []string `yaml:"subjects"`
}

// Checks reports whether the scenario checks subjects of kind k.
func (s *Scenario) Checks(k models.NodeKind) bool { return slices.Contains(s.Subjects, string(k)) }

// RecordKind declares a record kind the catalogue's rules may name, with
// its polarity. The kinds riskgraph knows by name (models.RecordKinds)
// need no declaration; declaring one sets its labels.
type RecordKind struct {
	Kind     string `yaml:"kind"`
	Polarity string `yaml:"polarity"`
	Zh       string `yaml:"zh"`
	En       string `yaml:"en"`
	// PublicationYears: a record of this kind stops counting — in checks
	// and in scoring — this many years after its decision (0: published
	// until removed).
	PublicationYears int `yaml:"publication_years"`
	// Public: records of this kind in force are disclosed on the public
	// page (GET /public/v1/enterprises/{uscc}).
	Public bool `yaml:"public"`
}

// Rule says which records trigger which measure in which scenarios, on
// which legal basis and for how long.
type Rule struct {
	ID        string    `yaml:"id"`
	Zh        string    `yaml:"zh"`
	En        string    `yaml:"en"`
	Scenarios []string  `yaml:"scenarios"`
	Measure   string    `yaml:"measure"`
	When      Condition `yaml:"when"`
	// Via lists whose records count (default: self).
	Via    []string `yaml:"via"`
	Period string   `yaml:"period"`
	// Years of a "years" period.
	Years int `yaml:"years"`
	// DespiteRemoval: a "years" period runs its full term even when the
	// record is removed earlier.
	DespiteRemoval bool    `yaml:"despite_removal"`
	Basis          []Basis `yaml:"basis"`
}

// Condition selects records. Empty fields do not filter.
type Condition struct {
	Kinds       []string `yaml:"kinds"`
	MinSeverity float64  `yaml:"min_severity"`
	MinAmount   float64  `yaml:"min_amount"`
	// Authority: the deciding authority's name contains this text.
	Authority string `yaml:"authority"`
}

// Basis cites a document of the catalogue, optionally a provision of it.
type Basis struct {
	Document  string `yaml:"document"`
	Provision string `yaml:"provision"`
}

//go:embed measures.yaml
var defaultCatalogue []byte

// DefaultFile is the name the shipped catalogue is reported under.
const DefaultFile = "credit/measures.yaml (built in)"

// Default returns the shipped catalogue (credit/measures.yaml), which
// implements the scenarios of 国办发〔2015〕51号.
func Default() *Catalogue {
	c, err := Parse(DefaultFile, defaultCatalogue)
	if err != nil {
		panic(err) // TestDefaultCatalogue keeps the shipped file valid
	}
	return c
}

// Load reads and validates an operator's catalogue (YAML, or JSON, which
// is YAML too).
func Load(path string) (*Catalogue, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("measures catalogue: %w", err)
	}
	return Parse(path, b)
}

// Scenario returns the scenario with the given id.
func (c *Catalogue) Scenario(id string) (*Scenario, bool) {
	s, ok := c.scenarios[id]
	return s, ok
}

// ScenarioIDs lists the scenario ids in catalogue order.
func (c *Catalogue) ScenarioIDs() []string {
	out := make([]string, len(c.Scenarios))
	for i, s := range c.Scenarios {
		out[i] = s.ID
	}
	return out
}

// RulesFor lists the rules of a scenario, in catalogue order.
func (c *Catalogue) RulesFor(scenario string) []*Rule { return c.byScenario[scenario] }

// Document returns the document with the given id.
func (c *Catalogue) Document(id string) *Document { return c.docs[id] }

// Polarity returns a record kind's polarity: as declared, else negative
// for every kind (the kinds riskgraph knows by name are all negative).
func (c *Catalogue) Polarity(kind models.RecordKind) string {
	if k, ok := c.kinds[kind]; ok && k.Polarity != "" {
		return k.Polarity
	}
	return PolarityNegative
}

// Kind returns the declaration of a record kind (nil when undeclared).
func (c *Catalogue) Kind(kind models.RecordKind) *RecordKind { return c.kinds[kind] }

// PublicationYears returns a record kind's publication period in years
// (0: until removed).
func (c *Catalogue) PublicationYears(kind models.RecordKind) int {
	if k, ok := c.kinds[kind]; ok {
		return k.PublicationYears
	}
	return 0
}

// Public reports whether records of a kind are disclosed publicly.
func (c *Catalogue) Public(kind models.RecordKind) bool {
	k, ok := c.kinds[kind]
	return ok && k.Public
}

// RecordParams are the engine's record parameters this catalogue sets:
// the positive and neutral kinds, and the publication periods, so that
// scoring and checks stop counting a record on the same day.
func (c *Catalogue) RecordParams() engine.RecordParams {
	rp := engine.RecordParams{PositiveKinds: []string{}, NeutralKinds: []string{}, PublicationYears: map[string]int{}}
	for _, k := range c.RecordKinds {
		switch k.Polarity {
		case PolarityPositive:
			rp.PositiveKinds = append(rp.PositiveKinds, k.Kind)
		case PolarityNeutral:
			rp.NeutralKinds = append(rp.NeutralKinds, k.Kind)
		}
		if k.PublicationYears > 0 {
			rp.PublicationYears[k.Kind] = k.PublicationYears
		}
	}
	return rp
}

// index builds the look-up maps of a validated catalogue.
func (c *Catalogue) index(src []byte) {
	sum := sha256.Sum256(src)
	c.SHA256 = hex.EncodeToString(sum[:])
	c.docs = map[string]*Document{}
	for i := range c.Documents {
		c.docs[c.Documents[i].ID] = &c.Documents[i]
	}
	c.scenarios = map[string]*Scenario{}
	for i := range c.Scenarios {
		s := &c.Scenarios[i]
		if len(s.Subjects) == 0 {
			s.Subjects = []string{SubjectEnterprise}
		}
		c.scenarios[s.ID] = s
	}
	c.kinds = map[models.RecordKind]*RecordKind{}
	for i := range c.RecordKinds {
		c.kinds[models.RecordKind(c.RecordKinds[i].Kind)] = &c.RecordKinds[i]
	}
	c.byScenario = map[string][]*Rule{}
	for i := range c.Rules {
		r := &c.Rules[i]
		if len(r.Via) == 0 {
			r.Via = []string{ViaSelf}
		}
		for _, s := range r.Scenarios {
			c.byScenario[s] = append(c.byScenario[s], r)
		}
	}
}

// measureRank orders measures strongest first.
func measureRank(m string) int {
	if i := slices.Index(Measures, m); i >= 0 {
		return i
	}
	return len(Measures)
}

// viaRank orders relations nearest first.
func viaRank(v string) int {
	if i := slices.Index(Relations, v); i >= 0 {
		return i
	}
	return len(Relations)
}

// allowed renders a list of allowed values for messages.
func allowed(vs []string) string { return strings.Join(vs, ", ") }
