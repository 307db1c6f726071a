package credit

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// Labels of the verdicts and measures for people (Chinese / English).
var (
	verdictLabels = map[string]string{VerdictProhibited: "禁止 prohibited", VerdictRestricted: "限制 restricted",
		VerdictStrictReview: "从严审核 strict review", VerdictClear: "无限制 clear"}
	measureLabels = map[string]string{MeasureProhibit: "禁止 prohibit", MeasureRestrict: "限制 restrict",
		MeasureStrictReview: "从严审核 strict review", MeasureKeySupervision: "重点监管 key supervision", MeasureIncentive: "激励 incentive"}
)

var certificate = template.Must(template.New("cert").Funcs(template.FuncMap{
	"verdict": func(v string) string { return verdictLabels[v] },
	"measure": func(m string) string { return measureLabels[m] },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{if eq (len .) 1}}信用核查证明 Credit check certificate {{(index . 0).ID}}{{else}}信用核查 Credit checks ({{len .}}){{end}}</title>
<style>
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-top:1px solid #ccc;padding-top:1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.3em .6em;vertical-align:top;text-align:left}
th{background:#eceff1}.v-prohibited{color:#b71c1c}.v-restricted{color:#e65100}.v-strict_review{color:#9e6a00}.v-clear{color:#1b5e20}
.hash{font-family:monospace;font-size:.85em;word-break:break-all}.small{font-size:.85em;color:#555}
</style></head><body>
{{if gt (len .) 1}}<h1>信用核查 Credit checks</h1>
<table><tr><th>#</th><th>主体 Subject</th><th>场景 Scenario</th><th>结论 Verdict</th><th>核查编号 Check id</th></tr>
{{range $i, $a := .}}<tr><td>{{$i}}</td><td>{{$a.Result.Subject.Name}}<br><span class="small">{{$a.Result.Subject.Ref.Key}}</span></td>
<td>{{$a.Result.Scenario.Zh}}</td><td class="v-{{$a.Result.Verdict}}">{{verdict $a.Result.Verdict}}{{if $a.Result.Incentives}} + 激励 incentives{{end}}</td><td><a href="#{{$a.ID}}">{{$a.ID}}</a></td></tr>
{{end}}</table>{{end}}
{{range .}}<section id="{{.ID}}">
<h2>信用核查证明 Credit check certificate</h2>
<table>
<tr><th>核查编号 Check id</th><td>{{.ID}}</td></tr>
<tr><th>核查时间 Checked at</th><td>{{.CheckedAt.Format "2006-01-02 15:04:05 MST"}}</td></tr>
<tr><th>核查人密钥 Caller's key id</th><td>{{.KeyID}}</td></tr>
<tr><th>场景 Scenario</th><td>{{.Result.Scenario.Zh}} / {{.Result.Scenario.En}} ({{.Result.Scenario.ID}})</td></tr>
<tr><th>核查基准日 As of</th><td>{{.Result.AsOf}}</td></tr>
<tr><th>主体 Subject</th><td>{{.Result.Subject.Name}} — {{.Result.Subject.Ref.Kind}} {{.Result.Subject.Ref.Key}}{{if not .Result.Subject.Found}} (图谱中无此人 not in the graph){{end}}</td></tr>
<tr><th>结论 Verdict</th><td class="v-{{.Result.Verdict}}"><strong>{{verdict .Result.Verdict}}</strong>{{if .Result.Incentives}} + 激励措施 incentives{{end}}</td></tr>
<tr><th>措施清单 Catalogue</th><td>{{.Result.Catalogue.Version}} <span class="hash">sha256 {{.Result.Catalogue.SHA256}}</span></td></tr>
<tr><th>证据摘要 Evidence SHA-256</th><td class="hash">{{.EvidenceSHA256}}</td></tr>
</table>
{{if .Result.Measures}}<table>
<tr><th>措施 Measure</th><th>规则 Rule</th><th>依据 Legal basis</th><th>证据 Evidence</th><th>关联路径 Path</th><th>期限 Until</th></tr>
{{range .Result.Measures}}<tr>
<td>{{measure .Measure}}</td>
<td>{{.Rule.ID}}<br><span class="small">{{.Rule.Zh}}</span></td>
<td>{{range .Basis}}《{{.Title}}》({{.Number}}){{if .Provision}} {{.Provision}}{{end}}<br>{{end}}</td>
<td>{{.Record.Kind}} {{.Record.ID}}<br>决定 decided {{.Record.Decided}}{{if not .Record.Removed.IsZero}}, 移出 removed {{.Record.Removed}}{{end}}{{if .Record.Authority}}<br>{{.Record.Authority}}{{end}}{{if .Record.DocNo}} {{.Record.DocNo}}{{end}}</td>
<td>{{.Relation}}<br>{{range $i, $n := .Path.Nodes}}{{if $i}} → {{end}}{{$n.Name}}{{end}}</td>
<td>{{if .Period.Until.IsZero}}{{.Period.Text}}{{else}}{{.Period.Until}}<br><span class="small">{{.Period.Text}}</span>{{end}}</td>
</tr>{{end}}</table>
{{else}}<p>未发现适用的措施。No measure applies.</p>{{end}}
<p class="small">本证明按核查时的数据和措施清单作出；原文可经 GET /api/v1/credit-checks/{{.ID}} 取得，证据摘要为其 result 部分的 SHA-256。
This certificate states the answer given from the data and the catalogue at the time of the check; GET /api/v1/credit-checks/{{.ID}} returns it as answered, and the evidence hash is the SHA-256 of its "result" member.</p>
</section>{{end}}
</body></html>
`))

// WriteHTML renders answers as self-contained HTML: one certificate each,
// after a summary table when there are several.
func WriteHTML(w io.Writer, answers []Answer) error {
	var b bytes.Buffer
	if err := certificate.Execute(&b, answers); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// CSVHeader is the header of WriteCSV's rows.
var CSVHeader = []string{"line", "subject", "name", "scenario", "as_of", "verdict", "incentives", "measures", "rules", "until", "check_id", "evidence_sha256", "error"}

// CSVRow is one row of a batch's CSV: an answer, or the reason a subject
// was not checked.
type CSVRow struct {
	Line    int // the subject's line in the input (0: none)
	Answer  *Answer
	Subject string // when Answer is nil
	Error   string
}

// WriteCSV writes one row per subject: the verdict, the rules that
// applied, the last day any negative measure applies ("" while one lasts
// until an event), the check id and evidence hash.
func WriteCSV(w io.Writer, rows []CSVRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		line := ""
		if r.Line > 0 {
			line = strconv.Itoa(r.Line)
		}
		if r.Answer == nil {
			if err := cw.Write([]string{line, r.Subject, "", "", "", "", "", "", "", "", "", "", r.Error}); err != nil {
				return err
			}
			continue
		}
		res := r.Answer.Result
		var rules []string
		until, open := "", false
		for _, m := range res.Measures {
			rules = append(rules, m.Rule.ID+":"+m.Record.ID)
			if m.Measure == MeasureIncentive {
				continue
			}
			if m.Period.Until.IsZero() {
				open = true
			} else if s := m.Period.Until.String(); s > until {
				until = s
			}
		}
		if open {
			until = ""
		}
		if err := cw.Write([]string{line, res.Subject.Ref.String(), res.Subject.Name, res.Scenario.ID, res.AsOf.String(), res.Verdict,
			strconv.FormatBool(res.Incentives), strconv.Itoa(len(res.Measures)), strings.Join(rules, ";"), until,
			r.Answer.ID, r.Answer.EvidenceSHA256, ""}); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}
