package ingest

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"riskgraph/models"
)

// TestRelationsFile: relations.csv loads after persons, names persons by
// person_id (so a person with an identity number is found by its pid),
// keeps one relation per unordered pair and kind, and refuses bad rows
// naming file, line, field and fix while the good rows load.
func TestRelationsFile(t *testing.T) {
	files := map[string][]byte{
		"persons.csv": []byte("person_id,id_number,name\nP001,440305198001010013,张伟\nP002,,李娜\nP003,,王强\n"),
		"relations.csv": []byte("person_a,person_b,kind,since\n" +
			"P002,P001,spouse,2010-05-01\n" + // 2
			"P001,P002,Spouse,2011-06-02\n" + // 3: the same relation the other way round; last row wins
			"P001,P003,relative,\n" + // 4
			"P001,P003,friend,\n" + // 5: unknown kind
			"P003,P003,relative,\n" + // 6: one person
			"P001,P002,,\n" + // 7: no kind
			"P001,P002,other,2010-02-30\n"), // 8: not a date
	}
	st := openMemory(t, "")
	sum, rejects, err := loadFiles(t, testOptions(t), st, files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rejects {
		got = append(got, strings.TrimPrefix(r.String(), filepath.Dir(r.File)+"/"))
		if r.Fix == "" {
			t.Errorf("reject without a fix: %s", r)
		}
	}
	want := []string{
		`relations.csv:3: warning: repeats the key of line 2`, // the pair is unordered
		`relations.csv:5: kind "friend" is not a known value`,
		`relations.csv:6: person_b "P003" is person_a again`,
		`relations.csv:7: kind`,
		`relations.csv:8: since "2010-02-30" is not a date`,
	}
	if len(got) != len(want) {
		t.Fatalf("rejects:\n %s\nwant %d", strings.Join(got, "\n "), len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("reject %d: %s\nwant …%s…", i, got[i], want[i])
		}
	}
	if c := sum.ByKind[FileRelations]; c.Read != 7 || c.Accepted != 3 || c.Rejected != 4 {
		t.Errorf("relations counts %+v; want 7 read, 3 accepted, 4 rejected", c)
	}

	all := scanAll(t, st)
	p1 := testHasher(t).FromIDNumber("440305198001010013")
	var p2, p3 string
	for _, p := range all.Persons {
		switch p.Name {
		case "李娜":
			p2 = p.PID
		case "王强":
			p3 = p.PID
		}
	}
	wantRel := []models.Relation{
		models.Relation{A: p1, B: p2, Kind: models.RelationSpouse, Since: models.NewDate(2011, 6, 2)}.Canonical(),
		models.Relation{A: p1, B: p3, Kind: models.RelationRelative}.Canonical(),
	}
	key := func(r models.Relation) string { return r.A + r.B + string(r.Kind) }
	rels := all.Relations
	slices.SortFunc(rels, func(a, b models.Relation) int { return strings.Compare(key(a), key(b)) })
	slices.SortFunc(wantRel, func(a, b models.Relation) int { return strings.Compare(key(a), key(b)) })
	if !slices.Equal(rels, wantRel) {
		t.Errorf("stored relations:\n got  %+v\n want %+v", rels, wantRel)
	}
	edges, _, err := st.Expand(context.Background(), []models.Ref{models.PersonRef(p1)}, []models.RelType{models.RelRelatedTo})
	if err != nil || len(edges) != 2 {
		t.Errorf("Expand(P001, RELATED_TO): %d edges, %v; want 2", len(edges), err)
	}
}
