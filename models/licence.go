package models

// Licence is an administrative licence (行政许可) granted to an enterprise,
// as the public-disclosure (双公示) exports publish it. A licence is a fact
// of the enterprise's credit file: it never raises risk (the engine does
// not read licences) and it feeds no measure of a credit check. One
// licence exists per ID; writing an ID again replaces it.
type Licence struct {
	// ID identifies the licence decision: the source's id, or the
	// decision's document number (行政许可决定文书号).
	ID string `json:"id"`
	// Enterprise is the key of the enterprise holding the licence (行政相对人).
	Enterprise string `json:"enterprise"`
	// Number is the licence (certificate) number (许可编号).
	Number string `json:"number,omitempty"`
	// Name is the licence's or certificate's name (许可证书名称), never a
	// person's.
	Name string `json:"name" mask:"public"`
	// DocNo is the licence decision's document number (行政许可决定文书号).
	DocNo string `json:"doc_no,omitempty"`
	// Content is what the licence permits: its scope (许可内容).
	Content string `json:"content,omitempty"`
	// Authority is the issuing authority (许可机关).
	Authority string `json:"authority,omitempty"`
	// Decided is the date of the licence decision (许可决定日期).
	Decided Date `json:"decided"`
	// ValidFrom and ValidTo bound its validity (有效期自, 有效期至); a zero
	// ValidTo means no end was published.
	ValidFrom Date `json:"valid_from"`
	ValidTo   Date `json:"valid_to"`
	// MatchScore is the matcher's score when the loader resolved the
	// enterprise from a name or an old code; 0 when named by key.
	MatchScore float64 `json:"match_score,omitempty"`
}

// InForce reports whether the licence is valid on day d: from ValidFrom
// (or its decision when no start was published) until ValidTo inclusive.
func (l Licence) InForce(d Date) bool {
	from := l.ValidFrom
	if from.IsZero() {
		from = l.Decided
	}
	if !from.IsZero() && from.After(d.Time) {
		return false
	}
	return l.ValidTo.IsZero() || !l.ValidTo.Before(d.Time)
}
