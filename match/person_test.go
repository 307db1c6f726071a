package match

import (
	"testing"

	"riskgraph/models"
)

// persons builds an index with namesakes: two 王小明 (one legal
// representative of 汇骏实业 in 吉安, one officer of a Nanchang company),
// a 李娜 who holds shares in 汇骏实业, and a pid without a name.
func persons(t *testing.T) *Index {
	t.Helper()
	b := NewBuilder()
	for _, e := range []models.Enterprise{
		{Key: "k-huijun", Name: "吉安市汇骏实业有限公司", Region: "360802"},
		{Key: "k-nanchang", Name: "南昌市远景贸易有限公司", Region: "360102"},
	} {
		b.Add(e)
	}
	for _, p := range []models.Person{
		{PID: "pid-wang-ja", Name: "王小明"}, {PID: "pid-wang-nc", Name: "王 小明"}, {PID: "pid-li", Name: "李娜"},
		{PID: "pid-placeholder", Placeholder: true},
	} {
		b.AddPerson(p)
	}
	b.AddRole(models.Role{Person: "pid-wang-ja", Enterprise: "k-huijun", Kind: models.RoleLegalRep})
	b.AddRole(models.Role{Person: "pid-wang-nc", Enterprise: "k-nanchang", Kind: models.RoleOfficer, Title: "director"})
	b.AddRole(models.Role{Person: "pid-placeholder", Enterprise: "k-nanchang", Kind: models.RoleOfficer, Title: "supervisor"})
	b.AddHolding(models.Shareholding{Holder: models.PersonRef("pid-li"), Enterprise: "k-huijun", Ratio: 0.3})
	b.AddHolding(models.Shareholding{Holder: models.EnterpriseRef("k-nanchang"), Enterprise: "k-huijun", Ratio: 0.7})
	return b.Build()
}

func TestMatchPersons(t *testing.T) {
	ix := persons(t)
	for _, c := range []struct {
		class string
		q     Query
		want  string // top candidate's pid
		match bool
		tie   bool // the first two tie
	}{
		{"pid decides", Query{Kind: KindPerson, PID: "pid-wang-nc"}, "pid-wang-nc", true, false},
		{"a nameless pid", Query{Kind: KindPerson, PID: "pid-placeholder"}, "pid-placeholder", true, false},
		{"pid decides over a name", Query{Kind: KindPerson, Name: "李娜", PID: "pid-wang-ja"}, "pid-wang-ja", true, false},
		{"name alone: namesakes tie, no match", Query{Kind: KindPerson, Name: "王小明"}, "", false, true},
		{"a unique name alone is no match", Query{Kind: KindPerson, Name: "李娜"}, "pid-li", false, false},
		{"name and enterprise", Query{Kind: KindPerson, Name: "王小明", Enterprise: "吉安市汇骏实业有限公司"}, "pid-wang-ja", true, false},
		{"name and enterprise by key", Query{Kind: KindPerson, Name: "王小明", Enterprise: "k-nanchang"}, "pid-wang-nc", true, false},
		{"traditional name and enterprise", Query{Kind: KindPerson, Name: "王曉明", Enterprise: "汇骏实业"}, "pid-wang-ja", false, false},
		{"shareholder and enterprise", Query{Kind: KindPerson, Name: "李娜", Enterprise: "吉安汇骏实业有限公司"}, "pid-li", true, false},
		{"region picks the namesake", Query{Kind: KindPerson, Name: "王小明", Region: "南昌"}, "pid-wang-nc", false, false},
	} {
		got, err := ix.Match(c.q, 5)
		if err != nil {
			t.Errorf("%s: %v", c.class, err)
			continue
		}
		if len(got) == 0 {
			t.Errorf("%s: no candidates", c.class)
			continue
		}
		if c.tie {
			if len(got) < 2 || got[0].Score != got[1].Score || got[0].Match || got[1].Match {
				t.Errorf("%s: %+v, want a tie without match", c.class, got)
			}
			continue
		}
		if got[0].Kind != KindPerson || got[0].Key != c.want || got[0].Match != c.match {
			t.Errorf("%s: %+v, want top %s match %v", c.class, got, c.want, c.match)
		}
	}
	// A different pid is a contradiction: same name and enterprise, no match.
	got, err := ix.Match(Query{Kind: KindPerson, Name: "王小明", Enterprise: "吉安市汇骏实业有限公司", PID: "pid-other"}, 5)
	if err != nil || len(got) == 0 || got[0].Match || got[0].Features.Map()["id_number"] != 0 {
		t.Errorf("other pid: %+v %v", got, err)
	}
	// The enterprise's legal representative is known by name.
	en := ix.ents[ix.byKey["k-huijun"]]
	if en.legalRep != "王小明" {
		t.Errorf("legal rep of 汇骏实业: %q", en.legalRep)
	}
	if ix.Persons() != 4 { // three named, one pid known only from its role
		t.Errorf("%d persons indexed, want 4 (the placeholder by the pid of its role)", ix.Persons())
	}
}

// TestCandidateMasked: a person candidate's name is masked and its pid
// withheld for a masked role; an enterprise candidate is left as it is.
func TestCandidateMasked(t *testing.T) {
	p := Candidate{Kind: KindPerson, Key: "pid-wang-ja", Name: "王小明", Score: 1, Match: true}.Masked()
	if p.Name != "王*" || p.Key != "" || p.Score != 1 || !p.Match {
		t.Errorf("masked person: %+v", p)
	}
	e := Candidate{Kind: KindEnterprise, Key: "k", Name: "吉安市汇骏实业有限公司"}
	if e.Masked() != e {
		t.Errorf("masked enterprise changed: %+v", e.Masked())
	}
}
