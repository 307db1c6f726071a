package bods_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"riskgraph/ingest"
	"riskgraph/models"
	"riskgraph/report/bods"
	"riskgraph/store"
)

// The Art. 8 network: E is the Chinese branch of foreign company F; P1
// holds 60 % of F, P2 80 % of foreign H, H 40 % of F; E's person in charge
// is P3, its director P4 (not an owner).
const (
	brE  = "src:art8:E"
	brF  = "src:art8:F"
	brH  = "src:art8:H"
	brP1 = "a8000000000000000000000000000001"
	brP2 = "a8000000000000000000000000000002"
	brP3 = "a8000000000000000000000000000003"
	brP4 = "a8000000000000000000000000000004"
)

func foreignBranch() *store.Batch {
	holds := func(h models.Ref, e string, r float64) models.Shareholding {
		return models.Shareholding{Holder: h, Enterprise: e, Ratio: r, Since: models.NewDate(2015, 1, 1)}
	}
	return &store.Batch{
		Enterprises: []models.Enterprise{
			{Key: brE, Name: "奥弗西斯有限公司上海分公司", Kind: models.EnterpriseBranch, Status: models.StatusActive},
			{Key: brF, Name: "Overseas F Ltd", Kind: models.EnterpriseForeign},
			{Key: brH, Name: "Overseas H Ltd", Kind: models.EnterpriseForeign},
		},
		Persons:  []models.Person{{PID: brP1, Name: "John Smith"}, {PID: brP2, Name: "Mary Jones"}, {PID: brP3, Name: "李强"}, {PID: brP4, Name: "王敏"}},
		Branches: []models.Branch{{Branch: brE, Parent: brF}},
		Shareholdings: []models.Shareholding{holds(models.PersonRef(brP1), brF, 0.6), holds(models.EnterpriseRef(brH), brF, 0.4),
			holds(models.PersonRef(brP2), brH, 0.8)},
		Roles: []models.Role{
			{Person: brP3, Enterprise: brE, Kind: models.RoleOfficer, Title: "branch_head", TitleText: "分公司负责人"},
			{Person: brP4, Enterprise: brE, Kind: models.RoleOfficer, Title: "director"},
		},
	}
}

func declarationJSON(t *testing.T, sts []bods.Statement) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := bods.NewWriter(&buf)
	if err := w.Write(sts...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestForeignBranch (Art. 8): the declaration of a foreign company's branch
// names the head office's beneficial owners through the head office's
// control of the branch (a component of their indirect relationships) and
// the branch's person in charge as a senior managing official; it passes
// libcovebods; and it loads back into an empty store to give the same
// statements.
func TestForeignBranch(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	if err := s.WriteBatch(ctx, foreignBranch()); err != nil {
		t.Fatal(err)
	}
	sts, err := bods.Declaration(ctx, s, brE, rules(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rid := func(kind, local string) string { return brE + "/" + kind + "/" + local }
	rels := map[string]*bods.Relationship{}
	var records []string
	for _, st := range sts {
		records = append(records, st.RecordID)
		if r, ok := st.RecordDetails.(*bods.Relationship); ok {
			rels[st.RecordID] = r
		}
	}
	branchLink := rid("branch", "enterprise:"+brF+">"+brE)
	if r := rels[branchLink]; r == nil || r.Subject != rid("entity", brE) || r.InterestedParty != rid("entity", brF) ||
		len(r.Interests) != 1 || r.Interests[0].Type != bods.InterestLegalFramework || r.Interests[0].Details != bods.BranchDetails {
		t.Errorf("head office's control of the branch %s: %+v (records %v)", branchLink, r, records)
	}
	if r := rels[rid("executive", brP3)]; r == nil || len(r.Interests) != 1 || r.Interests[0].Type != bods.InterestSeniorManager ||
		!r.Interests[0].BeneficialOwnershipOrControl || r.Interests[0].Details != "分公司负责人" {
		t.Errorf("the branch's person in charge: %+v", r)
	}
	if rels[rid("executive", brP4)] != nil || rels[rid("manager", brP3)] != nil {
		t.Errorf("the director is named, or the person in charge as a fallback manager: %v", records)
	}
	for pid, comps := range map[string][]string{
		brP1: {rid("holding", "person:"+brP1+">"+brF), rid("entity", brF), branchLink},
		brP2: {rid("holding", "person:"+brP2+">"+brH), rid("entity", brH), rid("holding", "enterprise:"+brH+">"+brF), rid("entity", brF), branchLink},
	} {
		r := rels[rid("owner", pid)]
		if r == nil {
			t.Errorf("no indirect relationship of owner %s: %v", pid, records)
			continue
		}
		for _, c := range comps {
			if !slices.Contains(r.ComponentRecords, c) {
				t.Errorf("owner %s: components %v lack %s", pid, r.ComponentRecords, c)
			}
		}
		if !r.Interests[0].BeneficialOwnershipOrControl || r.Interests[0].DirectOrIndirect != "indirect" {
			t.Errorf("owner %s: interests %+v", pid, r.Interests)
		}
	}
	data := declarationJSON(t, sts)
	if !strings.Contains(string(data), `"details":"foreign"`) {
		t.Error("the head office's entity statement does not say it is a foreign company")
	}

	python, script := validator(t)
	if f := validate(t, python, script, data); f.SchemaVersion != "0.4" || len(f.SchemaErrors) != 0 || len(f.AdditionalChecks) != 0 {
		t.Fatalf("libcovebods: version %s, %d schema errors, %d additional checks: %s %s\n%s", f.SchemaVersion,
			len(f.SchemaErrors), len(f.AdditionalChecks), first(f.SchemaErrors), first(f.AdditionalChecks), data)
	}

	// Round trip: the branch link loads as a branch of a foreign company,
	// the person in charge as the officer managing it.
	target := memStore(t)
	l, err := ingest.NewLoader(target, loadOptions(t, "bods"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.LoadBODS(ctx, "branch.json", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if sum := l.Summary(); sum.Total.Rejected != 0 {
		t.Fatalf("import rejected %d rows: %v", sum.Total.Rejected, sum.Rejects)
	}
	again, err := bods.Declaration(ctx, target, brE, rules(), opts)
	if err != nil {
		t.Fatal(err)
	}
	a, b := normal(t, data), normal(t, declarationJSON(t, again))
	if !slices.Equal(a, b) {
		t.Errorf("the round trip changed the declaration:\n before %s\n  after %s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}
