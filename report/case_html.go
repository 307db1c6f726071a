package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// caseFuncs are the case page's functions besides the picture's.
var caseFuncs = template.FuncMap{
	"legend": CaseLegend,
	"score":  scoreText,
	"join":   strings.Join,
	"when":   stampTime,
	"kindZh": func(k string) string {
		return map[string]string{"enterprise": "企业", "person": "自然人"}[k]
	},
}

// scoreText is a score with four decimals, or a dash when unscored.
func scoreText(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.4f", *f)
}

// stampTime is a time in UTC to the second, or a dash when zero.
func stampTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

var caseTmpl = template.Must(template.New("case").Funcs(pictureFuncs).Funcs(caseFuncs).Parse(caseHTMLSource + pictureSVG))

// RenderCaseHTML renders a case export as one self-contained page: inline
// CSS and the picture as inline SVG, no scripts, no external resources.
func RenderCaseHTML(d *CaseDocument) ([]byte, error) {
	var b bytes.Buffer
	if err := caseTmpl.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const caseHTMLSource = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>案件 Case {{.Title}}</title>
<style>
` + documentCSS + `.notes{white-space:pre-wrap;border-left:3px solid #cfd8dc;padding:4px 10px}
ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 18px;font-size:12px}
ul.legend i{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:middle;margin-right:4px}
</style>
</head>
<body>
<h1 id="case-title">{{.Title}}</h1>
<div class="meta">案件 Case <code>{{.ID}}</code> · 版本 version {{.Version}}{{if .Archived}} · 已归档 archived{{end}} · 创建 created {{when .Created}} · 更新 updated {{when .Updated}}</div>
<p class="meta" id="as-of">数据截至 As of {{when .AsOf}}{{with .Run}} (评分运行 engine run <code>{{.}}</code>){{end}} · 数据代次 data generation {{.DataGeneration}} · 导出 exported {{when .Exported}}</p>

<h2 id="notes">笔记 Notes</h2>
{{if .Notes}}<div class="notes">{{.Notes}}</div>{{else}}<p class="note">无 None.</p>{{end}}

<h2 id="network">关联网络图 Network picture</h2>
<ul class="legend" id="legend">{{range legend}}<li><i style="background:{{.Fill}}{{with .Ring}};border:3px solid {{.}}{{end}}"></i>{{.Zh}} {{.En}}</li>{{end}}</ul>
{{template "picture" .Network}}
{{with .Filters}}<p class="note">视图筛选（图中未应用）View filters (not applied to the picture): {{join . "; "}}</p>{{end}}

<h2 id="entities">主体 Entities</h2>
{{if .Entities}}<table><tr><th>名称 Name</th><th>类型 Kind</th><th>代码 Code</th><th>等级 Grade</th><th>风险分 Score</th><th>异常标记 Flags</th></tr>
{{range .Entities}}<tr><td>{{.Party.Label}}</td><td>{{kindZh .Kind}} {{.Kind}}</td><td><code>{{.Code}}</code></td><td>{{with .Grade}}<span class="g g{{.}}">{{.}}</span>{{else}}—{{end}}</td><td class="n">{{score .Score}}</td><td>{{join .Flags "、"}}</td></tr>
{{end}}</table>{{else}}<p class="note">无 None.</p>{{end}}

{{with .Records}}<h2 id="records">信用记录 Records in the picture</h2>
<table><tr><th>记录 Record</th><th>类别 Kind</th><th>主体 Subject</th><th>决定日期 Decided</th><th>机关 Authority</th></tr>
{{range .}}<tr><td><code>{{.ID}}</code></td><td>{{if .KindLabel}}{{.KindLabel}}{{else}}{{.Kind}}{{end}}</td><td>{{.Subject.Label}}</td><td>{{.Decided}}</td><td>{{.Authority}}</td></tr>
{{end}}</table>{{end}}
{{with .Missing}}<p class="note">已不在数据中的节点 No longer in the data: <code>{{join . " "}}</code></p>{{end}}

<footer class="meta">riskgraph · 案件 Case <code>{{.ID}}</code> v{{.Version}} · 由 created by <code>{{.CreatedBy}}</code> · 等级与风险分为导出时的数据 Grades and scores are as of the time above, not as of the case's saving.</footer>
</body>
</html>
`
