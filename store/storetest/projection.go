package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"riskgraph/models"
	"riskgraph/store"
)

// projected is what a projection scan yields, copied out of its pages.
type projected struct {
	rows  store.Batch
	nums  map[int32]models.Ref
	pages int
	sizes store.ScanSizes // of the first page
}

// scanProjection collects a projection scan of s and checks the numbers
// as it goes: every number names one node, and one node has one number.
func scanProjection(t *testing.T, s store.Store, pageSize int) projected {
	t.Helper()
	out := projected{nums: map[int32]models.Ref{}}
	byRef := map[models.Ref]int32{}
	number := func(n int32, r models.Ref, what string) {
		t.Helper()
		if n < 0 {
			t.Errorf("%s %s has no number (%d)", what, r, n)
			return
		}
		if old, ok := out.nums[n]; ok && old != r {
			t.Errorf("number %d names both %s and %s", n, old, r)
		}
		if old, ok := byRef[r]; ok && old != n {
			t.Errorf("%s has two numbers, %d and %d", r, old, n)
		}
		out.nums[n], byRef[r] = r, n
	}
	err := s.ScanProjection(ctx(), pageSize, func(p *store.ProjectionPage) error {
		if out.pages == 0 {
			out.sizes = p.Sizes
		}
		out.pages++
		if n := p.Len(); n == 0 || n > pageSize {
			t.Errorf("page of %d rows, want 1..%d", n, pageSize)
		}
		if len(p.EnterpriseNums) != len(p.Enterprises) || len(p.PersonNums) != len(p.Persons) ||
			len(p.RecordSubjects) != len(p.Records) || len(p.ShareholdingEnds) != len(p.Shareholdings) ||
			len(p.RoleEnds) != len(p.Roles) || len(p.BranchEnds) != len(p.Branches) || len(p.RelationEnds) != len(p.Relations) {
			t.Fatalf("number slices do not match the rows: %d/%d enterprises, %d/%d persons, %d/%d records, %d/%d shareholdings, %d/%d roles, %d/%d branches",
				len(p.EnterpriseNums), len(p.Enterprises), len(p.PersonNums), len(p.Persons), len(p.RecordSubjects), len(p.Records),
				len(p.ShareholdingEnds), len(p.Shareholdings), len(p.RoleEnds), len(p.Roles), len(p.BranchEnds), len(p.Branches))
		}
		for i, e := range p.Enterprises {
			number(p.EnterpriseNums[i], e.Ref(), "enterprise")
		}
		for i, x := range p.Persons {
			number(p.PersonNums[i], x.Ref(), "person")
		}
		for i, r := range p.Records {
			number(p.RecordSubjects[i], r.Subject, "subject of "+r.ID)
		}
		for i, x := range p.Shareholdings {
			number(p.ShareholdingEnds[i].From, x.Holder, "holder")
			number(p.ShareholdingEnds[i].To, models.EnterpriseRef(x.Enterprise), "held enterprise")
		}
		for i, x := range p.Roles {
			number(p.RoleEnds[i].From, models.PersonRef(x.Person), "appointee")
			number(p.RoleEnds[i].To, models.EnterpriseRef(x.Enterprise), "appointing enterprise")
		}
		for i, x := range p.Branches {
			number(p.BranchEnds[i].From, models.EnterpriseRef(x.Branch), "branch")
			number(p.BranchEnds[i].To, models.EnterpriseRef(x.Parent), "parent")
		}
		for i, x := range p.Relations {
			number(p.RelationEnds[i].From, models.PersonRef(x.A), "related person a")
			number(p.RelationEnds[i].To, models.PersonRef(x.B), "related person b")
		}
		// Copy the rows: the page is reused once fn returns.
		out.rows.Append(&p.Batch)
		return nil
	})
	if err != nil {
		t.Fatalf("projection scan: %v", err)
	}
	return out
}

// projectionView keeps of a batch the fields a projection scan must fill.
func projectionView(b *store.Batch) store.Batch {
	var v store.Batch
	risk := func(r *models.Risk) *models.Risk {
		if r == nil {
			return nil
		}
		out := &models.Risk{Score: r.Score}
		if len(r.Flags) > 0 {
			out.Flags = r.Flags
		}
		return out
	}
	for _, e := range b.Enterprises {
		v.Enterprises = append(v.Enterprises, models.Enterprise{Key: e.Key, Kind: e.Kind, Status: e.Status,
			Established: e.Established, Region: e.Region, Industry: e.Industry, Address: e.Address,
			Phone: e.Phone, Email: e.Email, Placeholder: e.Placeholder, Risk: risk(e.Risk)})
	}
	for _, p := range b.Persons {
		v.Persons = append(v.Persons, models.Person{PID: p.PID, Placeholder: p.Placeholder, Risk: risk(p.Risk)})
	}
	for _, r := range b.Records {
		v.Records = append(v.Records, models.Record{ID: r.ID, Subject: r.Subject, Kind: r.Kind, Severity: r.Severity,
			Decided: r.Decided, Removed: r.Removed})
	}
	for _, s := range b.Shareholdings {
		v.Shareholdings = append(v.Shareholdings, models.Shareholding{Holder: s.Holder, Enterprise: s.Enterprise,
			Ratio: s.Ratio, Since: s.Since})
	}
	for _, r := range b.Roles {
		r.TitleText = "" // not read by the projection
		v.Roles = append(v.Roles, r)
	}
	v.Branches = append(v.Branches, b.Branches...)
	return v
}

// testProjectionScan: a projection scan gives Scan's rows, in Scan's
// order, with consistent node numbers, in pages of at most pageSize rows;
// results written by a run show as score and flags; an error from fn ends it.
func testProjectionScan(t *testing.T, s store.Store) {
	load(t, s)
	// A placeholder endpoint and a scored entity: both must be numbered and carried.
	extra := &store.Batch{Shareholdings: []models.Shareholding{{Holder: models.PersonRef("ffff" + P1[4:]), Enterprise: "src:new:1", Ratio: 0.5}}}
	if err := s.WriteBatch(ctx(), extra); err != nil {
		t.Fatal(err)
	}
	res := []models.RiskResult{{Ref: models.EnterpriseRef(C), Risk: models.Risk{Score: 0.42, Grade: "C", Run: "r1",
		Flags: []string{"shell_cluster"}, Details: []byte(`{"x":1}`)}}}
	if err := s.WriteResults(ctx(), res); err != nil {
		t.Fatal(err)
	}
	if err := s.PromoteRun(ctx(), "r1"); err != nil {
		t.Fatal(err)
	}
	want := projectionView(scanAll(t, s, 4))
	for _, size := range []int{1, 4, 1000} {
		got := scanProjection(t, s, size)
		view := projectionView(&got.rows)
		if !reflect.DeepEqual(view, want) {
			t.Errorf("page size %d: projection rows differ from Scan's\n got  %+v\n want %+v", size, view, want)
		}
		if size == 1000 && got.pages > 2 {
			t.Errorf("page size 1000: %d pages for %d rows", got.pages, want.Len())
		}
		rels := len(want.Shareholdings) + len(want.Roles) + len(want.Branches)
		if wantSizes := (store.ScanSizes{Enterprises: len(want.Enterprises), Persons: len(want.Persons), Relationships: rels}); got.sizes != wantSizes {
			t.Errorf("page size %d: the first page's sizes are %+v, want %+v (nothing was written during the scan)", size, got.sizes, wantSizes)
		}
		nodes := len(want.Enterprises) + len(want.Persons)
		if len(got.nums) != nodes {
			t.Errorf("page size %d: %d numbers for %d enterprises and persons", size, len(got.nums), nodes)
		}
		for n := range got.nums {
			if int64(n) >= 4*int64(nodes+len(want.Records))+1<<20 {
				t.Errorf("number %d is not dense (%d nodes)", n, nodes)
			}
		}
	}
	i := slices.IndexFunc(want.Enterprises, func(e models.Enterprise) bool { return e.Key == C })
	if i < 0 || want.Enterprises[i].Risk == nil || want.Enterprises[i].Risk.Score != 0.42 ||
		!slices.Equal(want.Enterprises[i].Risk.Flags, []string{"shell_cluster"}) {
		t.Errorf("the scored enterprise %s or its risk is missing from the scan", C)
	}
	stop := errors.New("stop")
	if err := s.ScanProjection(ctx(), 4, func(*store.ProjectionPage) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error from fn must end the scan and be returned: %v", err)
	}
}
