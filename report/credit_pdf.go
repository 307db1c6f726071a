package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// The PDF is written by fpdf (pure Go) with the embedded CJK font
// (credit_font.go): a TrueType font with glyf outlines, which fpdf
// subsets, with a ToUnicode map so that the Chinese text can be selected,
// searched and extracted (pdftotext).

const (
	pdfFont   = "cjk"
	pageW     = 210.0
	margin    = 15.0
	bodyW     = pageW - 2*margin
	lineH     = 5.0
	smallSize = 8.0
	bodySize  = 9.0
)

// pdfWriter is one PDF being written.
type pdfWriter struct {
	pdf *fpdf.Fpdf
	d   *CreditReport
}

// RenderCreditPDF renders a credit report as a PDF (A4): the same sections
// as the HTML, the network picture drawn as vectors, the report number in
// every page's header and footer, and page numbers "n / N".
func RenderCreditPDF(d *CreditReport) ([]byte, error) {
	pdf, err := newPDF(pdfPage{
		Title:  "企业信用报告 " + d.Number + " " + d.Subject.Name,
		Date:   d.Issued,
		Header: "企业信用报告 Credit report · 报告编号 No. " + d.Number + " · " + truncate(d.Subject.Name, 30),
		Footer: func(page int) string {
			return fmt.Sprintf("第 %d 页 / 共 {nb} 页 · Page %d of {nb} · 报告编号 No. %s", page, page, d.Number)
		},
	})
	if err != nil {
		return nil, err
	}
	w := &pdfWriter{pdf: pdf, d: d}
	w.write()
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("credit report PDF: %w", err)
	}
	return b.Bytes(), nil
}

// pdfPage is what every page of a document shows: the document's title
// (its metadata), date, the header line and the footer of page n ("{nb}"
// is the number of pages).
type pdfPage struct {
	Title  string
	Date   time.Time
	Header string
	Footer func(page int) string
}

// newPDF starts an A4 document with the embedded CJK font, margins, page
// breaks, and p's header and footer on every page: the credit report's
// and the case export's layout.
func newPDF(p pdfPage) (*fpdf.Fpdf, error) {
	font, err := cjkFont()
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, 20, margin)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddUTF8FontFromBytes(pdfFont, "", font)
	pdf.SetTitle(p.Title, true)
	pdf.SetCreator("riskgraph", true)
	pdf.SetCreationDate(p.Date)
	pdf.SetModificationDate(p.Date)
	pdf.AliasNbPages("{nb}")
	pdf.SetHeaderFunc(func() {
		pdf.SetFont(pdfFont, "", smallSize)
		pdf.SetTextColor(96, 125, 139)
		pdf.SetXY(margin, 8)
		pdf.CellFormat(bodyW, 5, p.Header, "B", 0, "L", false, 0, "")
		pdf.SetTextColor(33, 33, 33)
		pdf.SetY(20)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-13)
		pdf.SetFont(pdfFont, "", smallSize)
		pdf.SetTextColor(96, 125, 139)
		pdf.CellFormat(bodyW, 5, p.Footer(pdf.PageNo()), "T", 0, "C", false, 0, "")
		pdf.SetTextColor(33, 33, 33)
	})
	return pdf, nil
}

func (w *pdfWriter) write() {
	p, d := w.pdf, w.d
	p.AddPage()
	p.SetFont(pdfFont, "", 18)
	p.CellFormat(bodyW, 10, "企业信用报告 Credit report", "", 1, "L", false, 0, "")
	p.SetFont(pdfFont, "", 14)
	p.MultiCell(bodyW, 7, d.Subject.Name, "", "L", false)
	w.small(fmt.Sprintf("报告编号 No. %s · 出具时间 Issued %s · 数据代次 data generation %d", d.Number, d.Issued.Format("2006-01-02 15:04:05 MST"), d.DataGeneration))
	w.small(fmt.Sprintf("评分运行 Engine run %s (day %s) · 措施清单 Catalogue %s", d.Engine.Run, d.Engine.Day, d.Catalogue.Version))
	w.small("SHA-256 " + d.SHA256)

	r := d.Registration
	w.heading(SecRegistration)
	reps := partyLabels(r.LegalReps, "、")
	if reps == "" {
		reps = "—"
	}
	code := r.USCC
	if code == "" {
		code = r.Key
	}
	capital := ""
	if r.Capital != 0 {
		capital = fmt.Sprintf("%.2f %s", r.Capital, r.Currency)
	}
	parent := ""
	if r.Parent != nil {
		parent = r.Parent.Label()
	}
	w.table([]string{"项目 Item", "内容 Value"}, []float64{50, bodyW - 50}, [][]string{
		{"名称 Name", r.Name}, {"统一社会信用代码 USCC", code}, {"类型 Kind", r.Kind},
		{"登记状态 Status", r.StatusZh + " (" + r.Status + ")"}, {"注册资本 Capital", capital},
		{"成立日期 Established", r.Established}, {"住所 Address", r.Address}, {"地区 Region", r.RegionName + " " + r.Region},
		{"行业 Industry", r.Industry}, {"法定代表人 Legal representative", reps},
		{"分支机构 Branches", fmt.Sprint(r.Branches)}, {"总公司 Parent", parent},
	})

	w.heading(SecLicences)
	w.small(fmt.Sprintf("共 %d 项，有效 %d 项 · %d licences, %d in force. 行政许可不影响风险评分 Licences never raise risk.", d.Licences.Total, d.Licences.InForce, d.Licences.Total, d.Licences.InForce))
	if len(d.Licences.Items) > 0 {
		var rows [][]string
		for _, l := range d.Licences.Items {
			state := "失效"
			if l.InForce {
				state = "有效"
			}
			rows = append(rows, []string{l.Name, l.Number + "\n" + l.DocNo, l.Authority, dateString(l.ValidFrom) + " — " + dateString(l.ValidTo), l.Content, state})
		}
		w.table([]string{"名称 Name", "编号/文书号 Number", "机关 Authority", "有效期 Valid", "内容 Scope", "状态"}, []float64{32, 34, 32, 28, 42, 12}, rows)
	}

	w.heading(SecPenalties)
	w.small(fmt.Sprintf("共 %d 条，在列 %d 条 · %d penalties, %d in force.", d.Penalties.Total, d.Penalties.InForce, d.Penalties.Total, d.Penalties.InForce))
	w.records(d.Penalties.Items)

	w.heading(SecLists)
	for _, l := range d.Lists {
		w.sub(fmt.Sprintf("%s（%s）在列 %d / %d", l.Title, strings.Join(l.Kinds, ", "), l.InForce, len(l.Items)))
		w.records(l.Items)
	}

	w.heading(SecPositive)
	w.records(d.Positive.Records)
	w.sub("信用承诺 Credit commitments")
	if len(d.Positive.Commitments) == 0 {
		w.small("无 None.")
	} else {
		var rows [][]string
		for _, c := range d.Positive.Commitments {
			state := "有效 in force"
			if !c.InForce {
				state = "不在有效期 not in force"
			}
			breach := "—"
			if len(c.BreachedBy) > 0 {
				breach = "违反 breached by " + strings.Join(c.BreachedBy, ", ")
			}
			rows = append(rows, []string{c.ID + "\n" + c.Scenario, c.Text, c.Date + " 至 " + c.ValidUntil + "\n" + state, breach})
		}
		w.table([]string{"承诺 Commitment", "内容 Text", "期间 Period", "违反 Breach"}, []float64{34, 70, 38, 38}, rows)
	}

	w.heading(SecObjections)
	if len(d.Objections.Objections) == 0 && len(d.Objections.Repairs) == 0 {
		w.small("无异议与信用修复。 No objections or repairs.")
	}
	if len(d.Objections.Objections) > 0 {
		var rows [][]string
		for _, o := range d.Objections.Objections {
			status := objectionStatusZh[o.Status] + " " + o.Status
			if o.Outcome != "" {
				status += " · " + o.Outcome
			}
			if o.Decided != "" {
				status += "\n" + o.Decided
			}
			rows = append(rows, []string{o.ID + "\n" + o.RecordID, o.Reason, o.Filed, status})
		}
		w.table([]string{"异议 Objection", "理由 Reason", "提出 Filed", "结果 Decision"}, []float64{40, 70, 30, 40}, rows)
	}
	if len(d.Objections.Repairs) > 0 {
		var rows [][]string
		for _, r := range d.Objections.Repairs {
			rows = append(rows, []string{r.ID + "\n" + r.RecordID, r.Basis, r.Date})
		}
		w.table([]string{"信用修复 Repair", "依据 Basis", "日期 Date"}, []float64{50, 100, 30}, rows)
	}

	w.heading(SecGrade)
	g := d.Grade
	if g.Scored {
		line := fmt.Sprintf("信用等级 Grade %s · 风险评分 score %.4f · 自身风险 intrinsic %.4f · 阈值 thresholds B ≥ %g, C ≥ %g, D ≥ %g",
			g.Grade, g.Score, g.Intrinsic, g.Thresholds[0], g.Thresholds[1], g.Thresholds[2])
		if g.Previous != nil {
			line += fmt.Sprintf(" · 上次 previous %s (%.4f)", g.Previous.Grade, g.Previous.Score)
		}
		w.text(line)
		var rows [][]string
		for _, c := range g.Contributions {
			rows = append(rows, []string{c.Record, c.Kind, c.Subject.Label(), partyLabels(c.Path, " → "), fmt.Sprintf("%.4f", c.Amount)})
		}
		rows = append(rows, []string{"其余 Remainder", "", "", "", fmt.Sprintf("%.4f", g.Remainder)})
		w.table([]string{"记录 Record", "类别 Kind", "主体 Subject", "传导路径 Path", "贡献"}, []float64{30, 30, 38, 64, 18}, rows)
	} else {
		w.small(g.Note)
	}

	w.heading(SecFlags)
	if len(d.Flags) == 0 {
		w.small("无风险标记 No flags.")
	} else {
		var rows [][]string
		for _, f := range d.Flags {
			ev := partyLabels(f.Evidence, "、")
			if f.More > 0 {
				ev += fmt.Sprintf(" …(+%d)", f.More)
			}
			if len(f.Records) > 0 {
				ev += "\nrecords " + strings.Join(f.Records, " ")
			}
			value := f.Value
			if f.From != "" {
				value += "\n" + f.From + " — " + f.To
			}
			rows = append(rows, []string{f.FlagLabel + "\n" + f.Flag, value, fmt.Sprintf("%d / %d", f.Count, f.Threshold), ev})
		}
		w.table([]string{"标记 Flag", "说明 Value", "数量/阈值", "证据 Evidence"}, []float64{40, 40, 20, 80}, rows)
	}

	w.heading(SecOwners)
	o := d.Owners
	w.small(fmt.Sprintf("标准 rule: 受益所有人信息管理办法 %s, 阈值 threshold %.2f%%, 备案 filing: %s. %s", o.Rule, o.Threshold*100, o.Filing, o.Note))
	if len(o.Owners) > 0 {
		var rows [][]string
		for _, ow := range o.Owners {
			var chains []string
			for _, c := range ow.Chains {
				chains = append(chains, fmt.Sprintf("%s (%.2f%%)", partyLabels(c.Path, " → "), c.Share*100))
			}
			rows = append(rows, []string{ow.Person.Label(), fmt.Sprintf("%.2f%%", ow.Share*100), ow.Criterion, strings.Join(chains, "\n")})
		}
		w.table([]string{"受益所有人 Owner", "比例 Share", "依据", "持股链 Chains"}, []float64{36, 20, 18, 106}, rows)
	}
	if o.Controller != nil {
		w.text("实际控制人 Actual controller: " + o.Controller.Party.Label())
		w.small("控制链 chain: " + partyLabels(o.Controller.Chain, " → "))
	}

	w.heading(SecRelated)
	var counts [][]string
	for _, c := range d.Related.Counts {
		counts = append(counts, []string{c.RelationLabel + " " + c.Relation, fmt.Sprint(c.Count)})
	}
	if len(counts) > 0 {
		w.table([]string{"关系 Relation", "数量 Count"}, []float64{120, 60}, counts)
	}
	if len(d.Related.WithRecords) > 0 {
		w.sub("有信用记录的关联方 Related parties with records")
		var rows [][]string
		for _, x := range d.Related.WithRecords {
			rows = append(rows, []string{x.Party.Label(), x.Relation, fmt.Sprintf("%d / %d", x.Records, x.InForce), strings.Join(x.Kinds, ", ")})
		}
		w.table([]string{"关联方 Party", "关系 Relation", "记录/在列", "类别 Kinds"}, []float64{62, 30, 24, 64}, rows)
	} else {
		w.small("关联方均无信用记录 No related party has records.")
	}

	w.heading(SecNetwork)
	w.picture(d.Network)
}

func partyLabels(ps []Party, sep string) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Label()
	}
	return strings.Join(out, sep)
}

// heading starts a section; a section never starts in the last 30 mm.
func (w *pdfWriter) heading(id string) { w.headingText(creditTitle(id)) }

// headingText starts a section titled s.
func (w *pdfWriter) headingText(s string) {
	p := w.pdf
	if p.GetY() > 297-18-30 {
		p.AddPage()
	}
	p.Ln(3)
	p.SetFont(pdfFont, "", 12)
	p.SetFillColor(236, 239, 241)
	p.MultiCell(bodyW, 7, s, "", "L", true)
	p.Ln(1)
	p.SetFont(pdfFont, "", bodySize)
}

func (w *pdfWriter) sub(s string) {
	w.pdf.SetFont(pdfFont, "", 10)
	w.pdf.MultiCell(bodyW, lineH+1, s, "", "L", false)
	w.pdf.SetFont(pdfFont, "", bodySize)
}

func (w *pdfWriter) text(s string) {
	w.pdf.SetFont(pdfFont, "", bodySize)
	w.pdf.MultiCell(bodyW, lineH, s, "", "L", false)
}

func (w *pdfWriter) small(s string) {
	p := w.pdf
	p.SetFont(pdfFont, "", smallSize)
	p.SetTextColor(84, 110, 122)
	p.MultiCell(bodyW, 4, s, "", "L", false)
	p.SetTextColor(33, 33, 33)
	p.SetFont(pdfFont, "", bodySize)
}

func (w *pdfWriter) records(rs []RecordEntry) {
	if len(rs) == 0 {
		w.small("无 None.")
		return
	}
	var rows [][]string
	for _, r := range rs {
		kind := r.KindLabel
		if kind == "" {
			kind = r.Kind
		}
		period := r.Period()
		if r.InForce {
			period += " · 在列"
		}
		amount := ""
		if r.Amount != 0 {
			amount = fmt.Sprintf("%.2f", r.Amount)
		}
		rows = append(rows, []string{r.ID + "\n" + r.DocNo, kind, r.Authority, period, amount, r.Reason})
	}
	w.table([]string{"记录/文书号 Record", "类别 Kind", "机关 Authority", "期间 Period", "金额 Amount", "事由 Reason"}, []float64{34, 22, 30, 40, 18, 36}, rows)
}

// table writes rows with wrapped cells; a row that does not fit on the
// page starts a new one, under the header again.
func (w *pdfWriter) table(header []string, widths []float64, rows [][]string) {
	p := w.pdf
	const cellH = 4.2
	lines := func(row []string, size float64) ([][]string, float64) {
		p.SetFont(pdfFont, "", size)
		out := make([][]string, len(row))
		n := 1
		for i, c := range row {
			var ls []string
			for _, part := range strings.Split(c, "\n") {
				if part == "" {
					ls = append(ls, "")
					continue
				}
				ls = append(ls, p.SplitText(part, widths[i]-2)...)
			}
			out[i] = ls
			n = max(n, len(ls))
		}
		return out, float64(n)*cellH + 1.5
	}
	draw := func(row []string, size float64, fill bool) {
		cells, h := lines(row, size)
		if p.GetY()+h > 297-18 {
			p.AddPage()
			if !fill {
				hc, hh := lines(header, smallSize)
				w.row(hc, widths, hh, smallSize, true, cellH)
			}
		}
		w.row(cells, widths, h, size, fill, cellH)
	}
	draw(header, smallSize, true)
	for _, r := range rows {
		draw(r, smallSize, false)
	}
	p.Ln(1)
	p.SetFont(pdfFont, "", bodySize)
}

// row draws one table row of pre-split cells, h high.
func (w *pdfWriter) row(cells [][]string, widths []float64, h, size float64, fill bool, cellH float64) {
	p := w.pdf
	p.SetFont(pdfFont, "", size)
	x0, y0 := p.GetX(), p.GetY()
	x := x0
	for i, ls := range cells {
		if fill {
			p.SetFillColor(245, 247, 248)
			p.Rect(x, y0, widths[i], h, "F")
		}
		p.SetDrawColor(207, 216, 220)
		p.Rect(x, y0, widths[i], h, "D")
		for j, l := range ls {
			p.SetXY(x+1, y0+0.6+float64(j)*cellH)
			p.CellFormat(widths[i]-2, cellH, l, "", 0, "L", false, 0, "")
		}
		x += widths[i]
	}
	p.SetXY(x0, y0+h)
}

// picture draws the network picture: the same nodes, places and edges as
// the HTML's SVG, scaled to the page's width.
func (w *pdfWriter) picture(pic NetworkPicture) {
	p := w.pdf
	if len(pic.Nodes) == 0 {
		return
	}
	scale := bodyW / pic.Width
	h := pic.Height * scale
	if p.GetY()+h > 297-18 {
		p.AddPage()
	}
	x0, y0 := margin, p.GetY()
	at := func(n NetworkNode) (float64, float64) { return x0 + n.X*scale, y0 + n.Y*scale }
	p.SetDrawColor(176, 190, 197)
	p.SetLineWidth(0.3)
	p.SetFont(pdfFont, "", 6)
	for _, e := range pic.Edges {
		ax, ay := at(pic.Nodes[e.From])
		bx, by := at(pic.Nodes[e.To])
		p.Line(ax, ay, bx, by)
		if e.Text != "" {
			p.SetTextColor(120, 144, 156)
			p.Text((ax+bx)/2, (ay+by)/2, e.Text)
		}
	}
	p.SetTextColor(38, 50, 56)
	for i, n := range pic.Nodes {
		x, y := at(n)
		r := 2.6
		if i == 0 {
			r = 4
		}
		var cr, cg, cb int
		fmt.Sscanf(nodeFill(n), "#%02x%02x%02x", &cr, &cg, &cb)
		p.SetFillColor(cr, cg, cb)
		if n.Records {
			p.SetDrawColor(183, 28, 28)
			p.SetLineWidth(0.8)
		} else {
			p.SetDrawColor(255, 255, 255)
			p.SetLineWidth(0.3)
		}
		p.Circle(x, y, r, "FD")
		p.SetFont(pdfFont, "", 7)
		label := truncate(n.Party.Label(), 14)
		p.Text(x-p.GetStringWidth(label)/2, y+r+3, label)
	}
	p.SetLineWidth(0.2)
	p.SetY(y0 + h + 2)
	if pic.Omitted > 0 {
		w.small(fmt.Sprintf("另有 %d 个直接关联方未画出 %d more direct neighbours are not drawn.", pic.Omitted, pic.Omitted))
	}
}
