package report

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// htmlRows is the number of rows each HTML table shows; the JSON and CSV
// forms carry every row.
const htmlRows = 200

// bar is one bar of a chart, in SVG coordinates.
type bar struct {
	X, Y, W, H float64
	Fill       string
	Label      string
	Value      string
	LX, LY     float64
}

type chart struct {
	Title  string
	Width  float64
	Height float64
	Bars   []bar
	Labels []bar // axis labels (text only)
	Legend []bar
}

var gradeColours = map[string]string{"A": "#2e7d32", "B": "#9e9d24", "C": "#ef6c00", "D": "#c62828"}

func gradeChart(d *Document) chart {
	c := chart{Title: "Grade distribution (enterprises)", Width: 560, Height: 260}
	maxv := 1
	for _, g := range d.Grades {
		maxv = max(maxv, g.Before, g.After)
	}
	const base, top = 220.0, 30.0
	for i, g := range d.Grades {
		x := 60 + float64(i)*120
		for j, v := range []int{g.Before, g.After} {
			h := (base - top) * float64(v) / float64(maxv)
			fill := gradeColours[g.Grade]
			if j == 0 {
				fill = "#b0bec5"
			}
			c.Bars = append(c.Bars, bar{X: x + float64(j)*42, Y: base - h, W: 38, H: h, Fill: fill,
				Value: fmt.Sprint(v), LX: x + float64(j)*42 + 19, LY: base - h - 4})
		}
		c.Labels = append(c.Labels, bar{LX: x + 40, LY: base + 18, Label: g.Grade})
	}
	c.Legend = []bar{{X: 360, Y: 8, W: 12, H: 12, Fill: "#b0bec5", Label: "before", LX: 376, LY: 18},
		{X: 440, Y: 8, W: 12, H: 12, Fill: "#455a64", Label: "after (grade colour)", LX: 456, LY: 18}}
	return c
}

func risersChart(d *Document) chart {
	n := min(len(d.TopRisers), 15)
	c := chart{Title: "Largest score rises", Width: 760, Height: 40 + float64(n)*22}
	maxv := 0.0
	for _, r := range d.TopRisers[:n] {
		maxv = max(maxv, r.Delta)
	}
	for i, r := range d.TopRisers[:n] {
		w := 0.0
		if maxv > 0 {
			w = 380 * r.Delta / maxv
		}
		y := 20 + float64(i)*22
		name := r.Name
		if name == "" {
			name = r.Ref
		}
		c.Bars = append(c.Bars, bar{X: 300, Y: y, W: w, H: 16, Fill: gradeColours[r.GradeAfter], Value: fmt.Sprintf("+%.4f", r.Delta),
			LX: 304 + w, LY: y + 12})
		c.Labels = append(c.Labels, bar{LX: 294, LY: y + 12, Label: truncate(name, 22)})
	}
	return c
}

func regionChart(d *Document) chart {
	rs := d.ByRegion
	n := min(len(rs), 40)
	c := chart{Title: "Changes by region (entered C/D, worsened, new flags, new records)", Width: 760, Height: 40 + float64(n)*22}
	total := func(a AreaCount) int { return a.EnteredCD + a.Worsened + a.NewFlags + a.NewRecords }
	maxv := 1
	for _, a := range rs[:n] {
		maxv = max(maxv, total(a))
	}
	for i, a := range rs[:n] {
		y := 20 + float64(i)*22
		x := 220.0
		for j, v := range []int{a.EnteredCD, a.Worsened, a.NewFlags, a.NewRecords} {
			w := 460 * float64(v) / float64(maxv)
			c.Bars = append(c.Bars, bar{X: x, Y: y, W: w, H: 16, Fill: []string{"#c62828", "#ef6c00", "#6a1b9a", "#1565c0"}[j]})
			x += w
		}
		c.Bars[len(c.Bars)-1].Value, c.Bars[len(c.Bars)-1].LX, c.Bars[len(c.Bars)-1].LY = fmt.Sprint(total(a)), x+4, y+12
		name := a.Name
		if name == "" {
			name = a.Code
		}
		c.Labels = append(c.Labels, bar{LX: 214, LY: y + 12, Label: truncate(name, 16)})
	}
	return c
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

type htmlView struct {
	D        *Document
	Charts   []chart
	Limit    int
	Sections []htmlSection
}

type htmlSection struct {
	ID, Title string
	Total     int
}

func first[T any](xs []T) []T { return xs[:min(len(xs), htmlRows)] }

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"f4":      func(f float64) string { return fmt.Sprintf("%.4f", f) },
	"join":    strings.Join,
	"entered": func(d *Document) []GradeChange { return first(d.EnteredCD) },
	"changes": func(d *Document) []GradeChange { return first(d.GradeChanges) },
	"flags":   func(fs []NewFlag) []NewFlag { return first(fs) },
	"records": func(d *Document) []NewRecord { return first(d.NewRecords) },
	"watched": func(d *Document) []Watched { return first(d.Watched) },
	"more":    func(n int) int { return max(0, n-htmlRows) },
	"name": func(s Subject) string {
		if s.Name != "" {
			return s.Name
		}
		return s.Ref
	},
}).Parse(htmlSource))

// RenderHTML renders a self-contained page: inline CSS and SVG charts, no
// scripts and no external resources, so it opens without network access.
func RenderHTML(d *Document) ([]byte, error) {
	v := htmlView{D: d, Limit: htmlRows, Charts: []chart{gradeChart(d), risersChart(d), regionChart(d)}}
	var b bytes.Buffer
	if err := htmlTmpl.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const htmlSource = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>风险预警报告 Early-warning report {{.D.Run.ID}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;color:#212121;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid #eceff1;padding-bottom:4px}
.meta{color:#546e7a;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card{border:1px solid #cfd8dc;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;font-size:12px;width:100%}
th,td{border:1px solid #eceff1;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f5f7f8}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.g{font-weight:bold;padding:0 4px;border-radius:3px;color:#fff}
.gA{background:#2e7d32}.gB{background:#9e9d24}.gC{background:#ef6c00}.gD{background:#c62828}
.charts{display:flex;flex-wrap:wrap;gap:16px}
svg text{font-size:11px;fill:#37474f}
.more{color:#78909c;font-size:12px}
code{font-size:11px}
</style>
</head>
<body>
<h1>风险预警报告 · Early-warning report</h1>
<div class="meta">Run <code>{{.D.Run.ID}}</code>{{with .D.Run.Finished}} finished {{.}}{{end}} (data generation {{.D.Run.Generation}}){{with .D.Against}} compared with run <code>{{.ID}}</code>{{with .Finished}} finished {{.}}{{end}}{{else}} — no earlier run: everything is new{{end}}.
{{with .D.Scope.Region}} Region {{.}}.{{end}}{{with .D.Scope.Industry}} Industry {{.}}.{{end}}{{with .D.Scope.Watchlist}} Watch-list {{.}}.{{end}}</div>
<div class="cards">
<div class="card"><b>{{.D.Summary.EnteredCD}}</b>entered C/D 进入C/D级</div>
<div class="card"><b>{{.D.Summary.Worsened}}</b>grades worsened 等级下降</div>
<div class="card"><b>{{.D.Summary.Improved}}</b>grades improved 等级上升</div>
<div class="card"><b>{{.D.Summary.NewFlags}}</b>new flags 新增异常</div>
<div class="card"><b>{{.D.Summary.NewRecords}}</b>new serious records 新增严重失信</div>
<div class="card"><b>{{.D.Summary.Restricted}}</b>restricted appointments 限制任职</div>
<div class="card"><b>{{.D.Summary.WatchedMoved}}</b>watched entities changed 关注对象变化</div>
<div class="card"><b>{{.D.Summary.Entities}}</b>entities in scope</div>
</div>
<div class="charts">
{{range .Charts}}<figure style="margin:0">
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Title}}">
<title>{{.Title}}</title>
<text x="4" y="14" style="font-weight:bold">{{.Title}}</text>
{{range .Bars}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}"></rect>{{if .Value}}<text x="{{.LX}}" y="{{.LY}}">{{.Value}}</text>{{end}}
{{end}}{{range .Labels}}<text x="{{.LX}}" y="{{.LY}}" text-anchor="end">{{.Label}}</text>
{{end}}{{range .Legend}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}"></rect><text x="{{.LX}}" y="{{.LY}}">{{.Label}}</text>
{{end}}</svg>
</figure>
{{end}}</div>

<h2>Entered grade C or D 进入C/D级 ({{len .D.EnteredCD}})</h2>
{{template "grades" entered .D}}{{with more (len .D.EnteredCD)}}<p class="more">… and {{.}} more in the JSON and CSV forms.</p>{{end}}
<h2>Grade changes 等级变化 ({{len .D.GradeChanges}})</h2>
{{template "grades" changes .D}}{{with more (len .D.GradeChanges)}}<p class="more">… and {{.}} more in the JSON and CSV forms.</p>{{end}}
<h2>New anomaly flags 新增异常 ({{len .D.NewFlags}})</h2>
{{template "flags" flags .D.NewFlags}}{{with more (len .D.NewFlags)}}<p class="more">… and {{.}} more in the JSON and CSV forms.</p>{{end}}
<h2>Restricted appointments 限制任职 ({{len .D.RestrictedAppointments}})</h2>
{{template "flags" flags .D.RestrictedAppointments}}
<h2>Largest score rises 风险上升最多 ({{len .D.TopRisers}})</h2>
<table><tr><th>#</th><th>entity</th><th>region</th><th>before</th><th>after</th><th>rise</th><th>grade</th></tr>
{{range $i, $r := .D.TopRisers}}<tr><td class="n">{{$i}}</td><td>{{name .Subject}}<br><code>{{.Ref}}</code></td><td>{{.RegionName}}</td><td class="n">{{f4 .Before}}</td><td class="n">{{f4 .After}}</td><td class="n">+{{f4 .Delta}}</td><td>{{.GradeBefore}} → <span class="g g{{.GradeAfter}}">{{.GradeAfter}}</span></td></tr>
{{end}}</table>
<h2>New serious-violation and blacklist records 新增严重违法失信/黑名单 ({{len .D.NewRecords}})</h2>
<table><tr><th>record</th><th>kind</th><th>decided</th><th>subject</th><th>exposure (enterprises within control distance)</th></tr>
{{range records .D}}<tr><td><code>{{.ID}}</code></td><td>{{.Kind}}</td><td>{{.Decided}}</td><td>{{name .Subject}}<br><code>{{.Subject.Ref}}</code></td><td class="n">{{.Exposure}} within {{.Hops}} hops</td></tr>
{{end}}</table>
<h2>Watched entities 关注对象 ({{len .D.Watched}})</h2>
<table><tr><th>entity</th><th>watch-lists</th><th>grade</th><th>score</th><th>flags added</th><th>flags removed</th><th>new records</th></tr>
{{range watched .D}}<tr><td>{{name .Subject}}<br><code>{{.Ref}}</code></td><td>{{join .Watchlists " "}}</td><td>{{.Before}} → {{if .Missing}}(no longer registered){{else}}<span class="g g{{.After}}">{{.After}}</span>{{end}}</td><td class="n">{{f4 .ScoreBefore}} → {{f4 .ScoreAfter}}</td><td>{{join .FlagsAdded " "}}</td><td>{{join .FlagsGone " "}}</td><td>{{join .NewRecords " "}}</td></tr>
{{end}}</table>
<h2>By region 按地区</h2>
{{template "areas" .D.ByRegion}}
<h2>By industry section 按行业门类</h2>
{{template "areas" .D.ByIndustry}}
<p class="meta">Generated by riskgraph. Scores are propagated risk in [0,1]; grades use the configured thresholds (docs/risk-model.md). Report format {{.D.Format}} (docs/reports.md).</p>
</body>
</html>
{{define "grades"}}<table><tr><th>entity</th><th>region</th><th>industry</th><th>grade</th><th>score</th><th>moved by (record, kind, via)</th></tr>
{{range .}}<tr><td>{{name .Subject}}<br><code>{{.Ref}}</code></td><td>{{.RegionName}}</td><td>{{.Industry}}</td><td>{{if .Before}}{{.Before}}{{else}}new{{end}} → <span class="g g{{.After}}">{{.After}}</span></td><td class="n">{{f4 .ScoreBefore}} → {{f4 .ScoreAfter}}</td><td>{{with .MovedBy}}<code>{{.Record}}</code> {{.Kind}} +{{f4 .Change}}<br><code>{{join .Path " → "}}</code>{{end}}</td></tr>
{{end}}</table>{{end}}
{{define "flags"}}<table><tr><th>entity</th><th>region</th><th>flag</th><th>evidence</th></tr>
{{range .}}<tr><td>{{name .Subject}}<br><code>{{.Ref}}</code></td><td>{{.RegionName}}</td><td>{{.Flag}}</td><td>{{with .Evidence}}{{.Value}} (count {{.Count}}, threshold {{.Threshold}}{{with .From}}, from {{.}}{{end}}{{with .To}} to {{.}}{{end}})<br><code>{{join .Evidence " "}}</code>{{with .Records}} records <code>{{join . " "}}</code>{{end}}{{end}}</td></tr>
{{end}}</table>{{end}}
{{define "areas"}}<table><tr><th>code</th><th>name</th><th>entered C/D</th><th>worsened</th><th>improved</th><th>new flags</th><th>new records</th></tr>
{{range .}}<tr><td><code>{{.Code}}</code></td><td>{{.Name}}</td><td class="n">{{.EnteredCD}}</td><td class="n">{{.Worsened}}</td><td class="n">{{.Improved}}</td><td class="n">{{.NewFlags}}</td><td class="n">{{.NewRecords}}</td></tr>
{{end}}</table>{{end}}
`
