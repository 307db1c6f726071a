package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// Keys and names of the credit report's fixture.
const (
	crSubject = "91440305QEFLCR63FR"
	crHolder  = "914403004JURQ283F0"
	crTied    = "911101050WTCDKQQ0L"
	crPerson  = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	crName    = "深圳市南山区云帆科技有限公司"
)

// creditFixture is a small graph around one enterprise: a person who is
// its legal representative and holds 60 %, an enterprise holding 40 %, an
// enterprise the person also represents that is on the serious-violation
// list, and records of every section's kinds on the subject, scored once.
func creditFixture(t testing.TB) CreditInput {
	t.Helper()
	st, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := models.NewDate
	b := &store.Batch{
		Enterprises: []models.Enterprise{
			{Key: crSubject, USCC: crSubject, Name: crName, Kind: models.EnterpriseCompany, Status: models.StatusActive,
				Capital: 5e6, Currency: "CNY", Established: d(2016, 4, 12), Region: "440305", Industry: "I65", Address: "深圳市南山区科技园科苑路8号"},
			{Key: crHolder, USCC: crHolder, Name: "深圳前海控股有限公司", Status: models.StatusActive},
			{Key: crTied, USCC: crTied, Name: "北京某某贸易有限公司", Status: models.StatusActive},
		},
		Persons: []models.Person{{PID: crPerson, Name: "王小明"}},
		Shareholdings: []models.Shareholding{
			{Holder: models.PersonRef(crPerson), Enterprise: crSubject, Ratio: 0.6},
			{Holder: models.EnterpriseRef(crHolder), Enterprise: crSubject, Ratio: 0.4},
		},
		Roles: []models.Role{
			{Person: crPerson, Enterprise: crSubject, Kind: models.RoleLegalRep, Since: d(2016, 4, 12)},
			{Person: crPerson, Enterprise: crTied, Kind: models.RoleLegalRep, Since: d(2019, 1, 1)},
		},
		Records: []models.Record{
			{ID: "pen-1", Subject: models.EnterpriseRef(crSubject), Kind: models.RecordPenalty, Severity: 0.4, Authority: "深圳市市场监督管理局",
				Decided: d(2025, 3, 1), Amount: 50000, DocNo: "深市监罚〔2025〕12号", Reason: "虚假宣传"},
			{ID: "abn-1", Subject: models.EnterpriseRef(crSubject), Kind: models.RecordAbnormal, Decided: d(2024, 5, 1), Removed: d(2025, 1, 10), Reason: "未按期公示年度报告"},
			{ID: "dd-1", Subject: models.EnterpriseRef(crSubject), Kind: models.RecordDishonestDebtor, Decided: d(2025, 9, 1)},
			{ID: "tax-1", Subject: models.EnterpriseRef(crSubject), Kind: models.RecordTaxViolation, Decided: d(2023, 2, 1)},
			{ID: "red-1", Subject: models.EnterpriseRef(crSubject), Kind: "red_list", Decided: d(2024, 1, 1), Authority: "深圳市发展和改革委员会"},
			{ID: "sv-1", Subject: models.EnterpriseRef(crTied), Kind: models.RecordSeriousViolation, Severity: 0.9, Decided: d(2025, 6, 1)},
		},
		Licences: []models.Licence{
			{ID: "深市监许〔2024〕118号", Enterprise: crSubject, Number: "JY14403050012345", Name: "食品经营许可证", Content: "预包装食品销售",
				Authority: "深圳市市场监督管理局南山监管局", Decided: d(2024, 3, 5), ValidFrom: d(2024, 3, 5), ValidTo: d(2029, 3, 4)},
			{ID: "lic-old", Enterprise: crSubject, Name: "道路运输经营许可证", Decided: d(2015, 1, 1), ValidTo: d(2020, 12, 31)},
		},
	}
	if err := st.WriteBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	// The credit file: a commitment that pen-1 and dd-1 breach, an open
	// objection against dd-1, an upheld one that corrected pen-1's
	// severity, and a repair that ended tax-1.
	ctx := context.Background()
	at := time.Date(2025, 10, 1, 2, 0, 0, 0, time.UTC)
	if err := st.SaveCommitment(ctx, store.Commitment{ID: "cm-1", Subject: "enterprise:" + crSubject, Scenario: "bidding",
		Text: "依法诚信经营，不提供虚假材料", Date: d(2025, 1, 1), ValidUntil: d(2026, 12, 31), Created: at, KeyID: "k1"}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []store.Objection{
		{ID: "ob-1", RecordID: "dd-1", Subject: "enterprise:" + crSubject, Reason: "已履行生效判决", Filed: at, FiledBy: "k1", Status: store.ObjectionOpen},
		{ID: "ob-2", RecordID: "pen-1", Subject: "enterprise:" + crSubject, Reason: "处罚金额认定有误", Filed: at, FiledBy: "k1", Status: store.ObjectionOpen},
	} {
		if err := st.FileObjection(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	corrected := 0.2
	if _, err := st.DecideObjection(ctx, "ob-2", store.ObjectionDecision{Status: store.ObjectionUpheld, Outcome: store.OutcomeCorrected,
		Severity: &corrected, By: "k2", At: at.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveRepair(ctx, store.Repair{ID: "rp-1", RecordID: "tax-1", Subject: "enterprise:" + crSubject, Date: d(2025, 6, 1),
		Basis: "已补缴税款及滞纳金", Created: at, KeyID: "k2"}); err != nil {
		t.Fatal(err)
	}
	today := d(2026, 1, 15)
	clock := func() time.Time { return time.Date(2026, 1, 15, 2, 0, 0, 0, time.UTC) }
	res, run, err := engine.Score(context.Background(), st, engine.Options{Params: engine.DefaultParams(), Today: today}, "run-cr-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	return CreditInput{Store: st, Result: res, Run: run, Now: time.Date(2026, 1, 15, 3, 4, 5, 0, time.UTC)}
}

func TestCreditReportSections(t *testing.T) {
	in := creditFixture(t)
	d, err := BuildCredit(context.Background(), in, crSubject)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.Number, "CR20260115-") || len(d.Number) != len("CR20260115-")+10 {
		t.Errorf("number %q", d.Number)
	}
	if d.Engine.Run != "run-cr-1" || d.Catalogue.Version == "" || d.DataGeneration == 0 {
		t.Errorf("versions: engine %+v catalogue %+v generation %d", d.Engine, d.Catalogue, d.DataGeneration)
	}
	r := d.Registration
	if r.Name != crName || r.StatusZh != "存续（在业）" || len(r.LegalReps) != 1 || r.LegalReps[0].Name != "王小明" || r.RegionName == "" {
		t.Errorf("registration: %+v", r)
	}
	if d.Licences.Total != 2 || d.Licences.InForce != 1 || d.Licences.Items[0].Name != "食品经营许可证" {
		t.Errorf("licences: %+v", d.Licences)
	}
	if d.Penalties.Total != 1 || d.Penalties.Items[0].ID != "pen-1" || !d.Penalties.Items[0].InForce || d.Penalties.Items[0].KindLabel != "行政处罚" {
		t.Errorf("penalties: %+v", d.Penalties)
	}
	lists := map[string][]string{}
	for _, l := range d.Lists {
		for _, it := range l.Items {
			lists[l.List] = append(lists[l.List], it.ID)
		}
	}
	want := map[string][]string{"abnormal_operations": {"abn-1"}, "dishonest_debtor": {"dd-1"}, "other": {"tax-1"}}
	if len(lists) != len(want) || strings.Join(lists["abnormal_operations"], ",") != "abn-1" ||
		strings.Join(lists["dishonest_debtor"], ",") != "dd-1" || strings.Join(lists["other"], ",") != "tax-1" {
		t.Errorf("lists: %v, want %v", lists, want)
	}
	if len(d.Lists) != 4 || d.Lists[0].InForce != 0 || d.Lists[0].Items[0].Removed != "2025-01-10" || d.Lists[2].InForce != 1 {
		t.Errorf("list periods: %+v", d.Lists)
	}
	if len(d.Positive.Records) != 1 || d.Positive.Records[0].ID != "red-1" {
		t.Errorf("positive: %+v", d.Positive)
	}
	// The credit file: the commitment and what breaches it; objections,
	// their decisions and the repair; their marks on the records.
	if cs := d.Positive.Commitments; len(cs) != 1 || cs[0].ID != "cm-1" || !cs[0].InForce || strings.Join(cs[0].BreachedBy, ",") != "dd-1,pen-1" {
		t.Errorf("commitments: %+v, want cm-1 in force, breached by dd-1 and pen-1", cs)
	}
	if os := d.Objections.Objections; len(os) != 2 || os[0].Status+os[1].Status != "openupheld" && os[0].Status+os[1].Status != "upheldopen" {
		t.Errorf("objections: %+v", os)
	}
	if rs := d.Objections.Repairs; len(rs) != 1 || rs[0].RecordID != "tax-1" || rs[0].Date != "2025-06-01" {
		t.Errorf("repairs: %+v", rs)
	}
	if p := d.Penalties.Items[0]; !p.Corrected || p.Severity != 0.2 || p.UnderObjection {
		t.Errorf("pen-1 after the upheld correction: %+v", p)
	}
	if dd := d.Lists[2].Items[0]; dd.ID != "dd-1" || !dd.UnderObjection || !dd.InForce || !strings.Contains(dd.Period(), "under objection") {
		t.Errorf("dd-1 under objection: %+v", dd)
	}
	if tax := d.Lists[3].Items[0]; tax.ID != "tax-1" || tax.InForce || tax.Ended != "2025-06-01" || tax.EndReason != store.EndRepaired ||
		!strings.Contains(tax.Period(), "信用修复") {
		t.Errorf("tax-1 after its repair: %+v", tax)
	}
	g := d.Grade
	if !g.Scored || g.Score <= 0 || g.Grade == "" || len(g.Contributions) == 0 {
		t.Fatalf("grade: %+v", g)
	}
	sum := g.Remainder
	for _, c := range g.Contributions {
		sum += c.Amount
	}
	if diff := sum - g.Score; diff > 1e-6 || diff < -1e-6 {
		t.Errorf("contributions and remainder add up to %v, score %v", sum, g.Score)
	}
	if d.Owners.Rule != "2024" || d.Owners.Filing == "" || len(d.Owners.Owners) != 1 || d.Owners.Owners[0].Criterion != "equity" {
		t.Errorf("owners by the 2024 rules: %+v", d.Owners)
	}
	if len(d.Owners.Owners) != 1 || d.Owners.Owners[0].Person.Name != "王小明" || d.Owners.Owners[0].Share != 0.6 ||
		len(d.Owners.Owners[0].Chains) == 0 || d.Owners.Controller == nil || d.Owners.Controller.Party.Ref != "person:"+crPerson {
		t.Errorf("owners: %+v", d.Owners)
	}
	counts := map[string]int{}
	for _, c := range d.Related.Counts {
		counts[c.Relation] = c.Count
	}
	if counts["shareholder"] != 2 || counts["via_person"] != 1 || counts["legal_rep"] != 0 {
		t.Errorf("related counts: %+v", d.Related.Counts)
	}
	if len(d.Related.WithRecords) != 1 || d.Related.WithRecords[0].Party.Ref != "enterprise:"+crTied || d.Related.WithRecords[0].InForce != 1 {
		t.Errorf("related with records: %+v", d.Related.WithRecords)
	}
	if n := len(d.Network.Nodes); n != 3 || d.Network.Nodes[0].Party.Ref != "enterprise:"+crSubject || len(d.Network.Edges) != 3 {
		t.Errorf("network: %+v", d.Network)
	}
	if _, err := BuildCredit(context.Background(), in, "91440300000000000X"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown key: %v, want ErrNotFound", err)
	}
	in.Result = nil
	if _, err := BuildCredit(context.Background(), in, crSubject); !errors.Is(err, ErrNoRun) {
		t.Errorf("no run: %v, want ErrNoRun", err)
	}
}

// TestCreditReportVerifies: the issued JSON verifies, so does a copy
// re-indented with its members in another order; a copy with one changed
// value fails, and so does a copy whose hash was recomputed after the
// change (it no longer matches the issued report).
func TestCreditReportVerifies(t *testing.T) {
	d, err := BuildCredit(context.Background(), creditFixture(t), crSubject)
	if err != nil {
		t.Fatal(err)
	}
	body, err := SealCredit(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.SHA256) != 64 || !bytes.Contains(body, []byte(`"sha256":"`+d.SHA256+`"`)) {
		t.Fatalf("sealed body lacks its hash %q", d.SHA256)
	}
	if err := VerifyCredit(body, body); err != nil {
		t.Fatalf("the issued report: %v", err)
	}
	var generic map[string]any
	if err := json.Unmarshal(body, &generic); err != nil {
		t.Fatal(err)
	}
	pretty, _ := json.MarshalIndent(generic, "", "    ")
	if err := VerifyCredit(pretty, body); err != nil {
		t.Errorf("a re-indented copy: %v", err)
	}
	tampered := bytes.Replace(body, []byte(`"amount":50000`), []byte(`"amount":5000`), 1)
	if bytes.Equal(tampered, body) {
		t.Fatal("the fixture's penalty amount is not in the body")
	}
	if err := VerifyCredit(tampered, body); !errors.Is(err, ErrTampered) {
		t.Errorf("a tampered copy: %v, want ErrTampered", err)
	}
	// Tampered, then resealed: consistent in itself, but not the issued report.
	var doc CreditReport
	if err := json.Unmarshal(tampered, &doc); err != nil {
		t.Fatal(err)
	}
	resealed, err := SealCredit(&doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyCredit(resealed, nil); err != nil {
		t.Errorf("a resealed copy is consistent in itself: %v", err)
	}
	if err := VerifyCredit(resealed, body); !errors.Is(err, ErrTampered) {
		t.Errorf("a resealed tampered copy against the issued report: %v, want ErrTampered", err)
	}
}

func TestCreditReportHTML(t *testing.T) {
	d, err := BuildCredit(context.Background(), creditFixture(t), crSubject)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SealCredit(d); err != nil {
		t.Fatal(err)
	}
	page, err := RenderCreditHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	for _, want := range []string{crName, d.Number, d.SHA256, "<svg", "食品经营许可证", "王小明", "北京某某贸易有限公司"} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, sec := range CreditSections {
		if !strings.Contains(s, sec.Zh) {
			t.Errorf("HTML lacks the section title %q", sec.Zh)
		}
	}
	if strings.Contains(s, "<script") || strings.Contains(s, "http://") && !strings.Contains(s, "http://www.w3.org/2000/svg") {
		t.Error("the page loads something")
	}
}

// pdfTool returns the path of a poppler-utils tool; without it the test
// skips, except under CI=true, where it fails (scripts/pdf-tools-install.sh
// installs it before the tests).
func pdfTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := name + " is not installed (scripts/pdf-tools-install.sh or apt-get install -y poppler-utils)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; under CI the PDF text check is required")
	}
	t.Skip(msg)
	return ""
}

// TestCreditReportPDF: pdftotext finds the entity's name, every section
// title and the report number on every page; pdffonts says the font is
// embedded with a Unicode map; there are page numbers.
func TestCreditReportPDF(t *testing.T) {
	totext, fonts := pdfTool(t, "pdftotext"), pdfTool(t, "pdffonts")
	d, err := BuildCredit(context.Background(), creditFixture(t), crSubject)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SealCredit(d); err != nil {
		t.Fatal(err)
	}
	// Enough penalties for several pages.
	for i := range 60 {
		d.Penalties.Items = append(d.Penalties.Items, RecordEntry{ID: "pen-x" + string(rune('A'+i%26)), Kind: "administrative_penalty",
			KindLabel: "行政处罚", Decided: "2024-01-01", Authority: "深圳市市场监督管理局", Reason: "未按规定公示即时信息，责令改正并处罚款"})
	}
	pdf, err := RenderCreditPDF(d)
	if err != nil {
		t.Fatal(err)
	}
	file := t.TempDir() + "/report.pdf"
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(totext, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	// pdftotext may break a long title over lines; compare without white space.
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range append([]string{crName, "食品经营许可证", "王小明"}, sectionTitles()...) {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	if len(pages) < 2 {
		t.Fatalf("%d pages; the fixture should need several", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, d.Number) {
			t.Errorf("page %d lacks the report number", i+1)
		}
		if want := "第 " + itoa(i+1) + " 页 / 共 " + itoa(len(pages)) + " 页"; !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
	}
	f, err := exec.Command(fonts, file).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(f)), "\n")
	if len(lines) < 3 {
		t.Fatalf("pdffonts lists no font:\n%s", f)
	}
	for _, l := range lines[2:] {
		fs := strings.Fields(l)
		// name type… encoding emb sub uni object ID
		if len(fs) < 6 || fs[len(fs)-5] != "yes" || fs[len(fs)-3] != "yes" {
			t.Errorf("a font is not embedded with a Unicode map: %s", l)
		}
	}
}

func sectionTitles() []string {
	var out []string
	for _, s := range CreditSections {
		out = append(out, s.Zh, s.En)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
