package report

import (
	"bytes"
	"fmt"
	"strings"
)

// RenderCasePDF renders a case export as a PDF (A4) with the credit
// report's page layout, font and drawing code (credit_pdf.go): the same
// sections as the HTML, the picture drawn as vectors, the case's id and
// version in every page's header and footer.
func RenderCasePDF(d *CaseDocument) ([]byte, error) {
	pdf, err := newPDF(pdfPage{
		Title:  "案件 " + d.Title,
		Date:   d.Exported,
		Header: "案件 Case " + d.ID + " v" + fmt.Sprint(d.Version) + " · " + truncate(d.Title, 40),
		Footer: func(page int) string {
			return fmt.Sprintf("第 %d 页 / 共 {nb} 页 · Page %d of {nb} · 案件 Case %s", page, page, d.ID)
		},
	})
	if err != nil {
		return nil, err
	}
	w := &pdfWriter{pdf: pdf}
	pdf.AddPage()
	pdf.SetFont(pdfFont, "", 16)
	pdf.MultiCell(bodyW, 8, d.Title, "", "L", false)
	stamp := stampTime
	w.small(fmt.Sprintf("案件 Case %s · 版本 version %d%s · 创建 created %s · 更新 updated %s", d.ID, d.Version,
		map[bool]string{true: " · 已归档 archived"}[d.Archived], stamp(d.Created), stamp(d.Updated)))
	asOf := "数据截至 As of " + stamp(d.AsOf)
	if d.Run != "" {
		asOf += " (评分运行 engine run " + d.Run + ")"
	}
	w.text(asOf + fmt.Sprintf(" · 数据代次 data generation %d · 导出 exported %s", d.DataGeneration, stamp(d.Exported)))

	w.headingText("笔记 Notes")
	if d.Notes != "" {
		w.text(d.Notes)
	} else {
		w.small("无 None.")
	}

	w.headingText("关联网络图 Network picture")
	w.legend()
	w.picture(d.Network)
	if len(d.Filters) > 0 {
		w.small("视图筛选（图中未应用）View filters (not applied to the picture): " + strings.Join(d.Filters, "; "))
	}

	w.headingText("主体 Entities")
	if len(d.Entities) == 0 {
		w.small("无 None.")
	} else {
		var rows [][]string
		for _, e := range d.Entities {
			grade := e.Grade
			if grade == "" {
				grade = "—"
			}
			rows = append(rows, []string{e.Party.Label(), e.Kind, e.Code, grade, scoreText(e.Score), strings.Join(e.Flags, "、")})
		}
		w.table([]string{"名称 Name", "类型 Kind", "代码 Code", "等级 Grade", "风险分 Score", "异常标记 Flags"}, []float64{52, 18, 40, 14, 18, 38}, rows)
	}
	if len(d.Records) > 0 {
		w.headingText("信用记录 Records in the picture")
		var rows [][]string
		for _, r := range d.Records {
			kind := r.KindLabel
			if kind == "" {
				kind = r.Kind
			}
			rows = append(rows, []string{r.ID, kind, r.Subject.Label(), r.Decided, r.Authority})
		}
		w.table([]string{"记录 Record", "类别 Kind", "主体 Subject", "决定日期 Decided", "机关 Authority"}, []float64{34, 30, 50, 26, 40}, rows)
	}
	if len(d.Missing) > 0 {
		w.small("已不在数据中的节点 No longer in the data: " + strings.Join(d.Missing, " "))
	}
	w.small("等级与风险分为导出时的数据 Grades and scores are as of the time above, not as of the case's saving.")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("case PDF: %w", err)
	}
	return b.Bytes(), nil
}

// legend draws the picture's legend: a dot (with its ring) and its text
// per entry, two entries a line.
func (w *pdfWriter) legend() {
	p := w.pdf
	p.SetFont(pdfFont, "", smallSize)
	for i, e := range CaseLegend() {
		x := margin + float64(i%2)*bodyW/2
		if i%2 == 0 && i > 0 {
			p.Ln(4.5)
		}
		y := p.GetY()
		var r, g, b int
		fmt.Sscanf(e.Fill, "#%02x%02x%02x", &r, &g, &b)
		p.SetFillColor(r, g, b)
		style := "F"
		if e.Ring != "" {
			fmt.Sscanf(e.Ring, "#%02x%02x%02x", &r, &g, &b)
			p.SetDrawColor(r, g, b)
			p.SetLineWidth(0.6)
			style = "FD"
		}
		p.Circle(x+1.8, y+2, 1.6, style)
		p.SetXY(x+4.5, y)
		p.CellFormat(bodyW/2-5, 4, e.Zh+" "+e.En, "", 0, "L", false, 0, "")
		p.SetY(y)
	}
	p.Ln(6)
	p.SetLineWidth(0.2)
	p.SetDrawColor(0, 0, 0)
	p.SetFont(pdfFont, "", bodySize)
}
