package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// creditTitle returns a section's "中文 English" heading.
func creditTitle(id string) string {
	for _, s := range CreditSections {
		if s.ID == id {
			return s.Zh + " " + s.En
		}
	}
	return id
}

var gradeFill = map[string]string{"A": "#2e7d32", "B": "#9e9d24", "C": "#ef6c00", "D": "#c62828"}

// nodeFill is a picture node's colour: its grade's, grey without one.
func nodeFill(n NetworkNode) string {
	if c, ok := gradeFill[n.Grade]; ok {
		return c
	}
	return "#90a4ae"
}

// pictureFuncs are the functions the picture template uses.
var pictureFuncs = template.FuncMap{
	"fill":  nodeFill,
	"mid":   func(a, b float64) float64 { return (a + b) / 2 },
	"short": func(s string) string { return truncate(s, 14) },
	"node":  func(pic NetworkPicture, i int) NetworkNode { return pic.Nodes[i] },
}

// pictureSVG draws a NetworkPicture as inline SVG: the credit report's
// network section and the case export's picture (case_html.go).
const pictureSVG = `{{define "picture"}}<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="关联网络图 network picture">
<title>关联网络图 Network picture</title>
{{$pic := .}}{{range .Edges}}{{$a := node $pic .From}}{{$b := node $pic .To}}<line x1="{{$a.X}}" y1="{{$a.Y}}" x2="{{$b.X}}" y2="{{$b.Y}}" stroke="#b0bec5" stroke-width="1.2"></line>{{with .Text}}<text x="{{mid $a.X $b.X}}" y="{{mid $a.Y $b.Y}}" text-anchor="middle" style="font-size:9px;fill:#78909c">{{.}}</text>{{end}}
{{end}}{{range $i, $n := .Nodes}}<circle cx="{{.X}}" cy="{{.Y}}" r="{{if $i}}9{{else}}14{{end}}" fill="{{fill $n}}"{{if .Records}} stroke="#b71c1c" stroke-width="3"{{end}}></circle><text x="{{.X}}" y="{{.Y}}" dy="{{if $i}}22{{else}}28{{end}}" text-anchor="middle">{{short .Party.Label}}</text>
{{end}}</svg>{{if .Omitted}}<p class="note">另有 {{.Omitted}} 个直接关联方未画出 {{.Omitted}} more direct neighbours are not drawn.</p>{{end}}{{end}}`

var creditTmpl = template.Must(template.New("credit").Funcs(pictureFuncs).Funcs(template.FuncMap{
	"title": creditTitle,
	"pct":   func(f float64) string { return fmt.Sprintf("%.2f%%", f*100) },
	"f4":    func(f float64) string { return fmt.Sprintf("%.4f", f) },
	"join":  strings.Join,
	"path": func(ps []Party) string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.Label()
		}
		return strings.Join(out, " → ")
	},
	"period": func(r RecordEntry) string { return r.Period() },
}).Parse(creditHTMLSource + pictureSVG))

// RenderCreditHTML renders a credit report as one self-contained page:
// inline CSS and the network picture as inline SVG, no scripts, no
// external resources.
func RenderCreditHTML(d *CreditReport) ([]byte, error) {
	var b bytes.Buffer
	if err := creditTmpl.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const creditHTMLSource = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>企业信用报告 Credit report {{.Number}} {{.Subject.Name}}</title>
<style>
` + documentCSS + `</style>
</head>
<body>
<h1>企业信用报告 · Credit report</h1>
<div class="meta">报告编号 No. <code>{{.Number}}</code> · 出具时间 Issued {{.Issued.Format "2006-01-02 15:04:05 MST"}} · 数据代次 data generation {{.DataGeneration}} · 评分运行 engine run <code>{{.Engine.Run}}</code> (day {{.Engine.Day}}) · 措施清单 catalogue {{.Catalogue.Version}}</div>
<p><b style="font-size:18px">{{.Subject.Name}}</b> <code>{{.Registration.Key}}</code></p>

<h2 id="registration">{{title "registration"}}</h2>
{{with .Registration}}<table>
<tr><th>名称 Name</th><td>{{.Name}}</td><th>统一社会信用代码 USCC</th><td><code>{{if .USCC}}{{.USCC}}{{else}}{{.Key}}{{end}}</code></td></tr>
<tr><th>类型 Kind</th><td>{{.Kind}}</td><th>登记状态 Status</th><td>{{.StatusZh}} ({{.Status}})</td></tr>
<tr><th>注册资本 Capital</th><td>{{if .Capital}}{{printf "%.2f" .Capital}} {{.Currency}}{{end}}</td><th>成立日期 Established</th><td>{{.Established}}</td></tr>
<tr><th>住所 Address</th><td>{{.Address}}</td><th>地区 Region</th><td>{{.RegionName}} {{.Region}}</td></tr>
<tr><th>法定代表人 Legal representative</th><td>{{range $i, $p := .LegalReps}}{{if $i}}、{{end}}{{$p.Label}}{{else}}—{{end}}</td><th>行业 Industry · 分支机构 Branches</th><td>{{.Industry}} · {{.Branches}}{{with .Parent}} · 总公司 parent {{.Label}}{{end}}</td></tr>
</table>{{if .Placeholder}}<p class="note">仅因其他数据引用而知晓的主体 Known only because other data refer to it.</p>{{end}}{{end}}

<h2 id="licences">{{title "licences"}}</h2>
<p class="note">共 {{.Licences.Total}} 项，有效 {{.Licences.InForce}} 项 · {{.Licences.Total}} licences, {{.Licences.InForce}} in force. 行政许可不影响风险评分 Licences never raise risk.</p>
{{if .Licences.Items}}<table><tr><th>许可证书名称 Name</th><th>许可编号 Number</th><th>决定文书号 Decision</th><th>许可机关 Authority</th><th>有效期 Valid</th><th>许可内容 Scope</th><th>状态</th></tr>
{{range .Licences.Items}}<tr><td>{{.Name}}</td><td><code>{{.Number}}</code></td><td>{{.DocNo}}</td><td>{{.Authority}}</td><td>{{.ValidFrom}} — {{.ValidTo}}</td><td>{{.Content}}</td><td>{{if .InForce}}有效{{else}}失效{{end}}</td></tr>
{{end}}</table>{{end}}

<h2 id="penalties">{{title "penalties"}}</h2>
<p class="note">共 {{.Penalties.Total}} 条 · {{.Penalties.Total}} penalties, {{.Penalties.InForce}} in force.</p>
{{template "records" .Penalties.Items}}

<h2 id="lists">{{title "lists"}}</h2>
{{range .Lists}}<h3 style="font-size:14px">{{.Title}} <span class="note">({{join .Kinds ", "}}) 在列 {{.InForce}} / {{len .Items}}</span></h3>
{{template "records" .Items}}{{end}}

<h2 id="positive">{{title "positive"}}</h2>
{{template "records" .Positive.Records}}
<h3 style="font-size:14px">信用承诺 Credit commitments</h3>
{{with .Positive.Commitments}}<table><tr><th>承诺 Commitment</th><th>场景 Scenario</th><th>内容 Text</th><th>期间 Period</th><th>违反 Breach</th></tr>
{{range .}}<tr><td><code>{{.ID}}</code></td><td>{{.Scenario}}</td><td>{{.Text}}</td><td>{{.Date}} 至 {{.ValidUntil}}{{if .InForce}} · 有效 in force{{end}}</td><td>{{if .BreachedBy}}违反 breached by <code>{{join .BreachedBy ", "}}</code>{{else}}—{{end}}</td></tr>
{{end}}</table>{{else}}<p class="note">无 None.</p>{{end}}

<h2 id="objections">{{title "objections"}}</h2>
{{with .Objections}}{{if or .Objections .Repairs}}{{with .Objections}}<table><tr><th>异议 Objection</th><th>记录 Record</th><th>理由 Reason</th><th>提出 Filed</th><th>结果 Decision</th></tr>
{{range .}}<tr><td><code>{{.ID}}</code></td><td><code>{{.RecordID}}</code></td><td>{{.Reason}}</td><td>{{.Filed}}</td><td>{{.Status}}{{with .Outcome}} · {{.}}{{end}}{{with .Decided}} · {{.}}{{end}}</td></tr>
{{end}}</table>{{end}}{{with .Repairs}}<table><tr><th>信用修复 Repair</th><th>记录 Record</th><th>依据 Basis</th><th>日期 Date</th></tr>
{{range .}}<tr><td><code>{{.ID}}</code></td><td><code>{{.RecordID}}</code></td><td>{{.Basis}}</td><td>{{.Date}}</td></tr>
{{end}}</table>{{end}}{{else}}<p class="note">无异议与信用修复。 No objections or repairs.</p>{{end}}{{end}}

<h2 id="grade">{{title "grade"}}</h2>
{{with .Grade}}{{if .Scored}}<p>信用等级 Grade <span class="g g{{.Grade}}">{{.Grade}}</span> · 风险评分 score {{f4 .Score}} · 自身风险 intrinsic {{f4 .Intrinsic}} · 分级阈值 thresholds B ≥ {{index .Thresholds 0}}, C ≥ {{index .Thresholds 1}}, D ≥ {{index .Thresholds 2}}{{with .Previous}} · 上次 previous {{.Grade}} ({{f4 .Score}}){{end}}</p>
<table><tr><th>记录 Record</th><th>类别 Kind</th><th>记录主体 Subject</th><th>传导路径 Path</th><th>贡献 Contribution</th></tr>
{{range .Contributions}}<tr><td><code>{{.Record}}</code></td><td>{{.Kind}}</td><td>{{.Subject.Label}}</td><td>{{path .Path}}</td><td class="n">{{f4 .Amount}}</td></tr>
{{end}}<tr><td colspan="4">其余 Remainder</td><td class="n">{{f4 .Remainder}}</td></tr></table>{{else}}<p class="note">{{.Note}}</p>{{end}}{{end}}

<h2 id="flags">{{title "flags"}}</h2>
{{if .Flags}}<table><tr><th>标记 Flag</th><th>说明 Value</th><th>数量/阈值 Count/threshold</th><th>证据 Evidence</th></tr>
{{range .Flags}}<tr><td>{{.FlagLabel}}<br><code>{{.Flag}}</code></td><td>{{.Value}}{{with .From}}<br>{{.}}{{end}}{{with .To}} — {{.}}{{end}}</td><td class="n">{{.Count}} / {{.Threshold}}</td><td>{{path .Evidence}}{{with .More}} …(+{{.}}){{end}}{{with .Records}}<br>records <code>{{join . " "}}</code>{{end}}</td></tr>
{{end}}</table>{{else}}<p class="note">无风险标记 No flags.</p>{{end}}

<h2 id="owners">{{title "owners"}}</h2>
{{with .Owners}}<p class="note">标准 rule: 受益所有人信息管理办法 {{.Rule}}, 阈值 threshold {{pct .Threshold}}{{with .Filing}} · 备案 filing: {{.}}{{end}}. {{.Note}}</p>
{{if .Owners}}<table><tr><th>受益所有人 Owner</th><th>比例 Share</th><th>依据 Criterion</th><th>持股链 Chains</th></tr>
{{range .Owners}}<tr><td>{{.Person.Label}}</td><td class="n">{{pct .Share}}</td><td>{{.Criterion}}</td><td>{{range .Chains}}{{path .Path}} ({{pct .Share}})<br>{{end}}</td></tr>
{{end}}</table>{{end}}
{{with .Controller}}<p>实际控制人 Actual controller: <b>{{.Party.Label}}</b>{{with .Basis}} ({{.}}){{end}}<br><span class="note">控制链 chain: {{path .Chain}}</span></p>{{end}}{{end}}

<h2 id="related">{{title "related"}}</h2>
<table><tr>{{range .Related.Counts}}<th>{{.RelationLabel}}</th>{{end}}</tr><tr>{{range .Related.Counts}}<td class="n">{{.Count}}</td>{{end}}</tr></table>
{{if .Related.WithRecords}}<p>有信用记录的关联方 Related parties with records:</p>
<table><tr><th>关联方 Party</th><th>关系 Relation</th><th>记录/在列 Records/in force</th><th>类别 Kinds</th></tr>
{{range .Related.WithRecords}}<tr><td>{{.Party.Label}}</td><td>{{.Relation}}</td><td class="n">{{.Records}} / {{.InForce}}</td><td>{{join .Kinds ", "}}</td></tr>
{{end}}</table>{{else}}<p class="note">关联方均无信用记录 No related party has records.</p>{{end}}

<h2 id="network">{{title "network"}}</h2>
{{template "picture" .Network}}

<footer class="meta">报告编号 No. <code>{{.Number}}</code> · SHA-256 <code>{{.SHA256}}</code><br>
核验 Verify: GET /api/v1/credit-reports/{{.Number}} returns the issued JSON; its canonical form hashes to the SHA-256 above (docs/credit-report.md). Format {{.Format}}.</footer>
</body>
</html>
{{define "records"}}{{if .}}<table><tr><th>记录 Record</th><th>类别 Kind</th><th>机关 Authority</th><th>文书号 Doc</th><th>期间 Period</th><th>金额 Amount</th><th>事由 Reason</th></tr>
{{range .}}<tr><td><code>{{.ID}}</code></td><td>{{if .KindLabel}}{{.KindLabel}}{{else}}{{.Kind}}{{end}}</td><td>{{.Authority}}</td><td>{{.DocNo}}</td><td>{{period .}}{{if .InForce}} · 在列 in force{{end}}</td><td class="n">{{if .Amount}}{{printf "%.2f" .Amount}}{{end}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>{{else}}<p class="note">无 None.</p>{{end}}{{end}}
`
