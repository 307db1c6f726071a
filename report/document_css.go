package report

// documentCSS is the style the HTML documents share (the credit report and
// the case export): fonts with the CJK families first, headings, tables,
// grade badges, notes, the picture's labels and the footer.
const documentCSS = `body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;margin:24px;color:#212121;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:26px 0 8px;border-bottom:2px solid #eceff1;padding-bottom:4px}
.meta{color:#546e7a;font-size:12px}
table{border-collapse:collapse;font-size:12px;width:100%}
th,td{border:1px solid #eceff1;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f5f7f8}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.g{font-weight:bold;padding:0 4px;border-radius:3px;color:#fff}
.gA{background:#2e7d32}.gB{background:#9e9d24}.gC{background:#ef6c00}.gD{background:#c62828}
.note{color:#607d8b;font-size:12px}
svg text{font-size:11px;fill:#263238}
code{font-size:11px}
footer{margin-top:28px;border-top:1px solid #cfd8dc;padding-top:6px}
`
