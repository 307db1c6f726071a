package snapshot_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"riskgraph/engine/snapshot"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

var ctx = context.Background()

// pages is everything a projection scan hands out, copied: the rows with
// their node numbers turned back into references, relationships sorted
// (their order is the scan's, not part of the projection's meaning).
type pages struct {
	Enterprises []models.Enterprise
	Persons     []models.Person
	Records     []models.Record
	Rels        []string
}

func collect(t *testing.T, ps store.ProjectionScanner) pages {
	t.Helper()
	var out pages
	refs := map[int32]models.Ref{}
	err := ps.ScanProjection(ctx, 7, func(p *store.ProjectionPage) error {
		for i, e := range p.Enterprises {
			if e.Risk != nil {
				r := *e.Risk
				r.Run, r.Grade, r.Details = "", "", nil
				e.Risk = &r
			}
			out.Enterprises = append(out.Enterprises, e)
			refs[p.EnterpriseNums[i]] = e.Ref()
		}
		for i, x := range p.Persons {
			if x.Risk != nil {
				r := *x.Risk
				r.Run, r.Grade, r.Details = "", "", nil
				x.Risk = &r
			}
			out.Persons = append(out.Persons, x)
			refs[p.PersonNums[i]] = x.Ref()
		}
		for i, x := range p.Records {
			if got := refs[p.RecordSubjects[i]]; got != x.Subject {
				return fmt.Errorf("record %s: number %d is %v, the row says %v", x.ID, p.RecordSubjects[i], got, x.Subject)
			}
			out.Records = append(out.Records, models.Record{ID: x.ID, Subject: x.Subject, Kind: x.Kind, Severity: x.Severity, Decided: x.Decided, Removed: x.Removed})
		}
		check := func(what string, e store.Ends, from, to models.Ref) error {
			if refs[e.From] != from || refs[e.To] != to {
				return fmt.Errorf("%s: numbers %d→%d are %v→%v, the row says %v→%v", what, e.From, e.To, refs[e.From], refs[e.To], from, to)
			}
			return nil
		}
		for i, x := range p.Shareholdings {
			if err := check("holding", p.ShareholdingEnds[i], x.Holder, models.EnterpriseRef(x.Enterprise)); err != nil {
				return err
			}
			out.Rels = append(out.Rels, fmt.Sprintf("H %s %s %v %s", x.Holder, x.Enterprise, x.Ratio, x.Since))
		}
		for i, x := range p.Roles {
			if err := check("role", p.RoleEnds[i], models.PersonRef(x.Person), models.EnterpriseRef(x.Enterprise)); err != nil {
				return err
			}
			out.Rels = append(out.Rels, fmt.Sprintf("R %s %s %s %s %s %s", x.Person, x.Enterprise, x.Kind, x.Title, x.Since, x.Until))
		}
		for i, x := range p.Branches {
			if err := check("branch", p.BranchEnds[i], models.EnterpriseRef(x.Branch), models.EnterpriseRef(x.Parent)); err != nil {
				return err
			}
			out.Rels = append(out.Rels, fmt.Sprintf("B %s %s", x.Branch, x.Parent))
		}
		for i, x := range p.Relations {
			if err := check("relation", p.RelationEnds[i], models.PersonRef(x.A), models.PersonRef(x.B)); err != nil {
				return err
			}
			out.Rels = append(out.Rels, fmt.Sprintf("X %s %s %s %s", x.A, x.B, x.Kind, x.Since))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The memory store's rows carry fields the projection does not read.
	for i := range out.Enterprises {
		e := &out.Enterprises[i]
		*e = models.Enterprise{Key: e.Key, Kind: e.Kind, Status: e.Status, Established: e.Established, Region: e.Region,
			Industry: e.Industry, Address: e.Address, Phone: e.Phone, Email: e.Email, Placeholder: e.Placeholder, Risk: e.Risk}
	}
	for i := range out.Persons {
		x := &out.Persons[i]
		*x = models.Person{PID: x.PID, Placeholder: x.Placeholder, Risk: x.Risk}
	}
	slices.Sort(out.Rels)
	return out
}

func fixtureStore(t *testing.T) *memory.Store {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.WriteBatch(ctx, storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	// A stored result, so that risks go through the file too.
	res := []models.RiskResult{{Ref: models.EnterpriseRef(storetest.C), Risk: models.Risk{Score: 0.25, Grade: "B", Run: "run-0", Flags: []string{"mutual_holding"}}}}
	if err := s.WriteResults(ctx, res); err != nil {
		t.Fatal(err)
	}
	if err := s.PromoteRun(ctx, "run-0"); err != nil {
		t.Fatal(err)
	}
	return s
}

// recorded scans s through a Recorder and returns its rows.
func recorded(t *testing.T, s store.ProjectionScanner) *snapshot.Rows {
	t.Helper()
	rec := snapshot.Record(s)
	if err := rec.ScanProjection(ctx, 5, func(*store.ProjectionPage) error { return nil }); err != nil {
		t.Fatal(err)
	}
	return rec.Rows()
}

// TestRecordSaveLoad: the rows a scan gave, saved and loaded, hand out
// the same projection input as the store.
func TestRecordSaveLoad(t *testing.T) {
	s := fixtureStore(t)
	rows := recorded(t, s)
	want := collect(t, s)
	if got := collect(t, rows); !reflect.DeepEqual(got, want) {
		t.Fatalf("recorded rows:\n got %+v\nwant %+v", got, want)
	}
	path := filepath.Join(t.TempDir(), "projection.snap")
	rows.Meta = snapshot.Meta{Lineage: "l-1", Generation: 7, Run: "run-0"}
	if err := snapshot.Save(path, rows); err != nil {
		t.Fatal(err)
	}
	loaded, err := snapshot.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Lineage != "l-1" || loaded.Generation != 7 || loaded.Run != "run-0" {
		t.Errorf("meta %+v", loaded.Meta)
	}
	if got := collect(t, loaded); !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded rows:\n got %+v\nwant %+v", got, want)
	}
	if left, _ := filepath.Glob(path + ".tmp*"); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestLoadRefusesDamage: a file that is cut, has a byte changed anywhere,
// is of another format version or is no snapshot at all is refused with
// ErrDamaged or ErrVersion — never loaded.
func TestLoadRefusesDamage(t *testing.T) {
	s := fixtureStore(t)
	rows := recorded(t, s)
	dir := t.TempDir()
	path := filepath.Join(dir, "good.snap")
	if err := snapshot.Save(path, rows); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(at int) []byte {
		b := slices.Clone(good)
		b[at] ^= 0x40
		return b
	}
	version := slices.Clone(good)
	binary.LittleEndian.PutUint32(version[8:], snapshot.FormatVersion+1)
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, snapshot.ErrDamaged},
		{"not a snapshot", []byte("riskgraph journal, not a snapshot at all, long enough to have a trailer"), snapshot.ErrDamaged},
		{"magic changed", flip(0), snapshot.ErrDamaged},
		{"other version", version, snapshot.ErrVersion},
		{"meta length changed", flip(12), snapshot.ErrDamaged},
		{"meta byte changed", flip(20), snapshot.ErrDamaged},
		{"row byte changed", flip(len(good) / 2), snapshot.ErrDamaged},
		{"last row byte changed", flip(len(good) - 21), snapshot.ErrDamaged},
		{"checksum changed", flip(len(good) - 10), snapshot.ErrDamaged},
		{"end marker changed", flip(len(good) - 1), snapshot.ErrDamaged},
		{"cut in the header", good[:10], snapshot.ErrDamaged},
		{"cut in the rows", good[:len(good)/2], snapshot.ErrDamaged},
		{"cut before the trailer", good[:len(good)-20], snapshot.ErrDamaged},
		{"cut by one byte", good[:len(good)-1], snapshot.ErrDamaged},
		{"a byte appended", append(slices.Clone(good), 0), snapshot.ErrDamaged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.snap")
			if err := os.WriteFile(p, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := snapshot.Load(p)
			if !errors.Is(err, tc.want) || r != nil {
				t.Errorf("Load: %v, %v; want an error wrapping %v and no rows", r, err, tc.want)
			}
		})
	}
	if _, err := snapshot.Load(filepath.Join(dir, "missing.snap")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v; want ErrNotExist", err)
	}
	if _, err := snapshot.Load(path); err != nil {
		t.Errorf("the good file: %v", err)
	}
}

// TestApplyEqualsRescan: rows recorded at one generation and brought up
// to date with the store's changes since hand out the same projection
// input as a scan of the store now: changed, new and placeholder nodes,
// a moved record, new and changed relationships.
func TestApplyEqualsRescan(t *testing.T) {
	s := fixtureStore(t)
	rows := recorded(t, s)
	g1, _ := s.Generation(ctx)
	const N = "91440300MA5FUTURE1"
	next := &store.Batch{
		Enterprises: []models.Enterprise{
			{Key: storetest.C, USCC: storetest.C, Name: "改", Status: models.StatusRevoked, Region: "440305", Address: "新地址"},
			{Key: N, Name: "新设", Status: models.StatusActive, Address: "深圳市龙岗区坂田华为基地", Established: models.NewDate(2025, 2, 3)},
			{Key: "000-sorts-first", Name: "排前", Status: models.StatusActive},
		},
		Persons:       []models.Person{{PID: "00aa", Name: "新人"}},
		Shareholdings: []models.Shareholding{{Holder: models.PersonRef(storetest.P1), Enterprise: N, Ratio: 0.55}, {Holder: models.EnterpriseRef(storetest.B), Enterprise: storetest.C, Ratio: 0.9}},
		Roles:         []models.Role{{Person: "00aa", Enterprise: "src:test:zz", Kind: models.RoleOfficer, Title: "manager"}},
		Records: []models.Record{
			{ID: "r5", Subject: models.EnterpriseRef(N), Kind: models.RecordPenalty, Severity: 0.2, Decided: models.NewDate(2025, 1, 2)},
			{ID: "r1", Subject: models.PersonRef(storetest.P2), Kind: models.RecordPenalty, Severity: 0.5, Decided: models.NewDate(2024, 5, 1)},
		},
		Relations: []models.Relation{{A: storetest.P2, B: storetest.P1, Kind: models.RelationSpouse}},
	}
	if err := s.WriteBatch(ctx, next); err != nil {
		t.Fatal(err)
	}
	changes, err := s.Changes(ctx, g1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	a := rows.Apply(changes)
	if a.Added == 0 || a.Updated == 0 {
		t.Errorf("applied %+v; want rows both updated and added", a)
	}
	if got, want := collect(t, rows), collect(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("rows brought up to date:\n got %+v\nwant %+v", got, want)
	}
	// Applying the same changes again changes nothing.
	before := collect(t, rows)
	rows.Apply(changes)
	if got := collect(t, rows); !reflect.DeepEqual(got, before) {
		t.Error("applying the changes twice differs from once")
	}
}
