package report

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"riskgraph/store"
)

// caseFixture is a case over the credit report's fixture: the subject
// (root), the person, the holder, the tied enterprise (hidden) and the
// subject's two records collapsed into one group.
func caseFixture(t *testing.T) (CaseInput, store.Case) {
	in := creditFixture(t)
	group := "group:enterprise:" + crSubject + "|record|administrative_penalty|HAS_RECORD|out"
	view := &store.CaseView{Mode: "network", Root: "enterprise:" + crSubject, Group: true, HiddenGrades: []string{"A"},
		Nodes: []store.CaseNode{
			{ID: "person:" + crPerson, X: -100, Y: -50},
			{ID: "enterprise:" + crSubject, X: 0, Y: 0, Pinned: true},
			{ID: "enterprise:" + crHolder, X: 100, Y: -50},
			{ID: "enterprise:" + crTied, X: -200, Y: 0, Hidden: true},
			{ID: "record:pen-1", X: 50, Y: 100, Group: group},
			{ID: "record:abn-1", X: 70, Y: 100, Group: group},
			{ID: "record:gone", X: 90, Y: 100},
		},
		Edges: []store.CaseEdge{
			{From: "person:" + crPerson, To: "enterprise:" + crSubject, Type: "HOLDS_SHARES"},
			{From: "person:" + crPerson, To: "enterprise:" + crSubject, Type: "LEGAL_REP_OF"},
			{From: "enterprise:" + crHolder, To: "enterprise:" + crSubject, Type: "HOLDS_SHARES"},
			{From: "person:" + crPerson, To: "enterprise:" + crTied, Type: "LEGAL_REP_OF"},
			{From: "enterprise:" + crSubject, To: "record:pen-1", Type: "HAS_RECORD"},
			{From: "enterprise:" + crSubject, To: "record:abn-1", Type: "HAS_RECORD"},
		},
		Groups: []store.CaseGroup{{ID: group, X: 60, Y: 110}},
	}
	at := time.Date(2026, 1, 15, 2, 30, 0, 0, time.UTC)
	c := store.Case{ID: "case-r1", Title: "云帆科技关联调查", Notes: "王小明控股并任法定代表人；\n前海控股持股 40%。", Version: 3,
		Entities: []string{"enterprise:" + crSubject, "person:" + crPerson}, View: view, CreatedBy: "key-7", Created: at, Updated: at}
	run, err := in.Store.(store.Store).Run(context.Background(), "run-cr-1")
	if err != nil {
		t.Fatal(err)
	}
	return CaseInput{Store: in.Store.(store.Reader), Run: run, Generation: 1, Now: time.Date(2026, 1, 16, 1, 0, 0, 0, time.UTC)}, c
}

// TestCaseDocument: the picture is the view's visible nodes at their
// places (root first and largest, the hidden node left out, the group as
// one node), with the relationships the view drew; the entity table has
// the grades and scores as they stand; a node gone from the data is named.
func TestCaseDocument(t *testing.T) {
	in, c := caseFixture(t)
	d, err := BuildCase(context.Background(), in, c)
	if err != nil {
		t.Fatal(err)
	}
	pic := d.Network
	var labels []string
	for _, n := range pic.Nodes {
		labels = append(labels, n.Party.Label())
	}
	if got := strings.Join(labels, " | "); got != crName+" | 王小明 | 深圳前海控股有限公司 | 2 记录" {
		t.Errorf("picture nodes: %s", got)
	}
	// The subject: two relationships to the person are one line; the record group one.
	if len(pic.Edges) != 3 {
		t.Errorf("picture edges: %+v", pic.Edges)
	}
	if !pic.Nodes[0].Records || pic.Nodes[0].Grade == "" {
		t.Errorf("the root: %+v", pic.Nodes[0])
	}
	// Places keep the view's shape: the person left of and above the subject.
	if p, s := pic.Nodes[1], pic.Nodes[0]; !(p.X < s.X && p.Y < s.Y) || pic.Width != caseBoxW || s.X <= 0 || s.X >= pic.Width || s.Y >= pic.Height {
		t.Errorf("places: subject %v,%v person %v,%v box %vx%v", s.X, s.Y, p.X, p.Y, pic.Width, pic.Height)
	}
	if len(d.Missing) != 1 || d.Missing[0] != "record:gone" {
		t.Errorf("missing: %v", d.Missing)
	}
	// Entities: the four enterprises and persons (the hidden one too), scored.
	if len(d.Entities) != 4 {
		t.Fatalf("entities: %+v", d.Entities)
	}
	for _, e := range d.Entities {
		if e.Score == nil || e.Grade == "" {
			t.Errorf("entity not scored: %+v", e)
		}
		if e.Kind == "person" && e.Code != "pid …"+crPerson[28:] {
			t.Errorf("a person's code: %q", e.Code)
		}
	}
	if len(d.Records) != 2 || d.Records[0].Subject.Name != crName || d.Records[0].KindLabel == "" {
		t.Errorf("records: %+v", d.Records)
	}
	if d.Run != "run-cr-1" || d.AsOf.IsZero() || len(d.Filters) != 1 {
		t.Errorf("as of %v run %q filters %v", d.AsOf, d.Run, d.Filters)
	}
	page, err := RenderCaseHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{"<svg", c.Title, "王小明控股并任法定代表人", "数据截至 As of 2026-01-15", "run-cr-1", `id="legend"`, "D 级（高风险）",
		crName, "深圳前海控股有限公司", "2 记录", "record:gone"} {
		if !strings.Contains(s, want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
	if strings.Contains(s, "<script") {
		t.Error("the page has a script")
	}
}

// TestCasePDF: pdftotext finds the title, the notes, the as-of line, the
// legend, the entities and the case id on every page; the picture is drawn.
func TestCasePDF(t *testing.T) {
	totext := pdfTool(t, "pdftotext")
	in, c := caseFixture(t)
	d, err := BuildCase(context.Background(), in, c)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := RenderCasePDF(d)
	if err != nil {
		t.Fatal(err)
	}
	file := t.TempDir() + "/case.pdf"
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(totext, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range []string{c.Title, "王小明控股并任法定代表人", "前海控股持股40%", "数据截至Asof2026-01-1502:00:00UTC", "D级（高风险）",
		"关联网络图", "主体Entities", crName, "深圳前海控股有限公司", "北京某某贸易有限公司", "2记录", "pid…" + crPerson[28:]} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	for i, p := range strings.Split(strings.TrimSuffix(text, "\f"), "\f") {
		if !strings.Contains(p, "case-r1") {
			t.Errorf("page %d lacks the case id", i+1)
		}
	}
}
