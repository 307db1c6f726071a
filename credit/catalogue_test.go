package credit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefaultCatalogue: the shipped catalogue loads, covers the
// guideline's scenarios, and cites only its two documents.
func TestDefaultCatalogue(t *testing.T) {
	c := Default()
	want := []string{"market_access", "administrative_approval", "qualification", "subsidies_tax_incentives", "appointment",
		"government_procurement", "bidding", "state_land_transfer", "listing", "customs", "honours"}
	if got := c.ScenarioIDs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("scenarios %v, want %v", got, want)
	}
	for _, id := range want {
		sc, _ := c.Scenario(id)
		if sc.Zh == "" || sc.En == "" {
			t.Errorf("scenario %s lacks a label", id)
		}
		if len(c.RulesFor(id)) == 0 {
			t.Errorf("scenario %s has no rule", id)
		}
	}
	if sc, _ := c.Scenario("appointment"); !sc.Checks("person") || sc.Checks("enterprise") {
		t.Errorf("appointment checks %v, want persons", sc.Subjects)
	}
	numbers := map[string]bool{}
	for _, d := range c.Documents {
		numbers[d.Number] = true
	}
	if len(numbers) != 2 || !numbers["国办发〔2015〕51号"] || !numbers["国务院令第654号"] {
		t.Errorf("documents %v: the default cites the guideline and the disclosure regulation only", numbers)
	}
	if c.Version == "" || len(c.SHA256) != 64 {
		t.Errorf("version %q, sha256 %q", c.Version, c.SHA256)
	}
}

// minimal is a valid catalogue the broken cases change one line of.
const minimal = `version: "t1"
documents:
  - {id: doc, number: 国办发〔2015〕51号, title: 意见}
scenarios:
  - {id: bidding, zh: 招标投标, en: Bidding}
record_kinds:
  - {kind: red_list, polarity: positive}
rules:
  - id: r1
    scenarios: [bidding]
    measure: prohibit
    when: {kinds: [serious_violation]}
    via: [self, parent]
    period: in_force
    basis: [{document: doc}]
`

func TestParseBrokenCatalogues(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		// want: substrings of the message: file:line, field, problem, allowed values.
		want []string
	}{
		{"unknown scenario", "scenarios: [bidding]", "scenarios: [biding]",
			[]string{"cat.yaml:10:", "rules[0].scenarios[0]", `unknown scenario "biding"`, "allowed: bidding"}},
		{"unknown measure", "measure: prohibit", "measure: ban",
			[]string{"cat.yaml:11:", "rules[0].measure", `unknown measure "ban"`, "allowed: prohibit, restrict, strict_review, key_supervision, incentive"}},
		{"unknown record kind", "kinds: [serious_violation]", "kinds: [serious_violations]",
			[]string{"cat.yaml:12:", "rules[0].when.kinds[0]", `unknown record kind "serious_violations"`, "dishonest_debtor", "red_list"}},
		{"unknown relation", "via: [self, parent]", "via: [self, mother]",
			[]string{"cat.yaml:13:", "rules[0].via[1]", `unknown network relation "mother"`, "legal_rep", "actual_controller"}},
		{"unknown period", "period: in_force", "period: forever",
			[]string{"cat.yaml:14:", "rules[0].period", `unknown period "forever"`, "allowed: in_force, until_removed, years"}},
		{"years without a count", "period: in_force", "period: years",
			[]string{"cat.yaml:", "rules[0].years", "years from 1 to 100"}},
		{"unknown document", "basis: [{document: doc}]", "basis: [{document: law}]",
			[]string{"cat.yaml:15:", "rules[0].basis[0].document", `unknown document "law"`, "allowed: doc"}},
		{"unknown field", "measure: prohibit", "measure: prohibit\n    severity: 3",
			[]string{"cat.yaml:12:", "rules[0].severity", `unknown field "severity"`, "allowed: basis, despite_removal"}},
		{"positive kind in a restriction", "kinds: [serious_violation]", "kinds: [red_list]",
			[]string{"rules[0].when.kinds[0]", "negative records only"}},
		{"unknown polarity", "polarity: positive", "polarity: good",
			[]string{"cat.yaml:7:", "record_kinds[0].polarity", "allowed: negative, positive, neutral"}},
		{"no version", `version: "t1"`, `version: ""`, []string{"cat.yaml:1:", "version"}},
		{"wrong type", "period: in_force", "period: in_force\n    years: three", []string{"cat.yaml:15:", "cannot unmarshal"}},
		{"not YAML", "rules:", "rules: [", []string{"cat.yaml", "YAML or JSON"}},
		{"duplicate rule", "rules:\n", "rules:\n  - {id: r1, scenarios: [bidding], measure: restrict, when: {kinds: [blacklist]}, period: in_force, basis: [{document: doc}]}\n",
			[]string{"rules[1].id", `rule id "r1" is used twice`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(minimal, tc.from) {
				t.Fatalf("the case changes %q, which the minimal catalogue lacks", tc.from)
			}
			src := strings.Replace(minimal, tc.from, tc.to, 1)
			_, err := Parse("cat.yaml", []byte(src))
			if err == nil {
				t.Fatalf("accepted:\n%s", src)
			}
			var ce CatalogueErrors
			if !errors.As(err, &ce) {
				t.Errorf("error %T, want CatalogueErrors", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%v", w, err)
				}
			}
		})
	}
	if _, err := Parse("cat.yaml", []byte(minimal)); err != nil {
		t.Fatalf("the minimal catalogue: %v", err)
	}
}

// TestLoadJSON: a catalogue may be JSON; its mistakes have lines too.
func TestLoadJSON(t *testing.T) {
	dir := t.TempDir()
	good := `{"version": "j1", "documents": [{"id": "doc", "number": "国务院令第654号", "title": "企业信息公示暂行条例"}],
 "scenarios": [{"id": "bidding", "zh": "招标投标", "en": "Bidding"}],
 "rules": [{"id": "r1", "scenarios": ["bidding"], "measure": "restrict",
   "when": {"kinds": ["abnormal_operations"]}, "period": "in_force", "basis": [{"document": "doc"}]}]}`
	path := filepath.Join(dir, "m.json")
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil || c.Version != "j1" || c.Source != path {
		t.Fatalf("JSON catalogue: %v", err)
	}
	bad := strings.Replace(good, `"restrict"`, `"forbid"`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if err == nil || !strings.Contains(err.Error(), path+":3:") || !strings.Contains(err.Error(), "rules[0].measure") {
		t.Errorf("JSON mistake: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "none.yaml")); err == nil {
		t.Error("a missing file loaded")
	}
}
