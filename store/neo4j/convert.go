package neo4j

import (
	"encoding/json"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"riskgraph/models"
	"riskgraph/store"
)

// Node labels.
const (
	labelEnterprise = "Enterprise"
	labelPerson     = "Person"
	labelRecord     = "Record"
)

// Values written to the database: empty strings, zero numbers where zero
// means unknown, and zero dates become null, which removes the property.

func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optNumber(f float64) any {
	if f == 0 {
		return nil
	}
	return f
}

func optDate(d models.Date) any {
	if d.IsZero() {
		return nil
	}
	return driver.DateOf(d.Time)
}

// enterpriseRow is the row for enterprise_upsert and enterprise_placeholder:
// the key and every registration property.
func enterpriseRow(e *models.Enterprise) map[string]any {
	return map[string]any{
		"key":         e.Key,
		"uscc":        optString(e.USCC),
		"name":        optString(e.Name),
		"kind":        optString(string(e.Kind)),
		"status":      optString(string(e.Status)),
		"capital":     optNumber(e.Capital),
		"currency":    optString(e.Currency),
		"established": optDate(e.Established),
		"region":      optString(e.Region),
		"industry":    optString(e.Industry),
		"address":     optString(e.Address),
		"phone":       optString(e.Phone),
		"email":       optString(e.Email),
	}
}

func personRow(p *models.Person) map[string]any {
	return map[string]any{"pid": p.PID, "name": optString(p.Name)}
}

// recordRow is the row for record_of_enterprise and record_of_person.
func recordRow(r *models.Record) map[string]any {
	return map[string]any{
		"id":        r.ID,
		"subject":   r.Subject.Key,
		"kind":      string(r.Kind),
		"severity":  r.Severity,
		"authority": optString(r.Authority),
		"decided":   optDate(r.Decided),
		"removed":   optDate(r.Removed),
		"amount":    optNumber(r.Amount),
		"doc_no":    optString(r.DocNo),
		"reason":    optString(r.Reason),
		// The matcher's score when the loader resolved the subject by matching.
		"match_score": optNumber(r.MatchScore),
	}
}

// Values read back. Missing properties read as zero values.

func str(p map[string]any, k string) string {
	s, _ := p[k].(string)
	return s
}

func num(p map[string]any, k string) float64 { return numOf(p[k]) }

// numOf reads a number; anything else reads as zero.
func numOf(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}

func flag(p map[string]any, k string) bool {
	b, _ := p[k].(bool)
	return b
}

func date(p map[string]any, k string) models.Date { return dateOf(p[k]) }

// dateOf reads a date; anything else reads as the zero date.
func dateOf(v any) models.Date {
	switch v := v.(type) {
	case dbtype.Date:
		t := v.Time()
		return models.NewDate(t.Year(), t.Month(), t.Day())
	case time.Time:
		return models.DateOf(v)
	case dbtype.LocalDateTime:
		t := v.Time()
		return models.NewDate(t.Year(), t.Month(), t.Day())
	}
	return models.Date{}
}

func strs(p map[string]any, k string) []string { return strsOf(p[k]) }

// strsOf reads a list of strings; anything else reads as nil, and so does
// an empty list.
func strsOf(v any) []string {
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// riskOf returns the engine's result stored on a node, or nil.
func riskOf(p map[string]any) *models.Risk {
	if _, ok := p["risk_score"]; !ok {
		return nil
	}
	r := &models.Risk{Score: num(p, "risk_score"), Grade: str(p, "risk_grade"), Run: str(p, "risk_run"), Flags: strs(p, "risk_flags")}
	if d := str(p, "risk_details"); d != "" {
		r.Details = json.RawMessage(d)
	}
	if _, ok := p["risk_prev_run"]; ok {
		r.Previous = &models.PreviousRisk{Score: num(p, "risk_prev_score"), Grade: str(p, "risk_prev_grade"), Run: str(p, "risk_prev_run")}
	}
	return r
}

func enterpriseOf(p map[string]any) models.Enterprise {
	return models.Enterprise{
		Key:         str(p, "key"),
		USCC:        str(p, "uscc"),
		Name:        str(p, "name"),
		Kind:        models.EnterpriseKind(str(p, "kind")),
		Status:      models.Status(str(p, "status")),
		Capital:     num(p, "capital"),
		Currency:    str(p, "currency"),
		Established: date(p, "established"),
		Region:      str(p, "region"),
		Industry:    str(p, "industry"),
		Address:     str(p, "address"),
		Phone:       str(p, "phone"),
		Email:       str(p, "email"),
		Placeholder: flag(p, "placeholder"),
		Risk:        riskOf(p),
	}
}

func personOf(p map[string]any) models.Person {
	return models.Person{PID: str(p, "pid"), Name: str(p, "name"), Placeholder: flag(p, "placeholder"), Risk: riskOf(p)}
}

// recordOf reads a record node; the subject comes from its HAS_RECORD link.
func recordOf(p map[string]any, subject models.Ref) models.Record {
	return models.Record{
		ID:         str(p, "id"),
		Subject:    subject,
		Kind:       models.RecordKind(str(p, "kind")),
		Severity:   num(p, "severity"),
		Authority:  str(p, "authority"),
		Decided:    date(p, "decided"),
		Removed:    date(p, "removed"),
		Amount:     num(p, "amount"),
		DocNo:      str(p, "doc_no"),
		Reason:     str(p, "reason"),
		MatchScore: num(p, "match_score"),
	}
}

// refOf identifies a node by its label and key property; ok is false for a
// node that is none of riskgraph's kinds.
func refOf(n dbtype.Node) (models.Ref, bool) {
	for _, l := range n.Labels {
		switch l {
		case labelEnterprise:
			return models.EnterpriseRef(str(n.Props, "key")), true
		case labelPerson:
			return models.PersonRef(str(n.Props, "pid")), true
		case labelRecord:
			return models.RecordRef(str(n.Props, "id")), true
		}
	}
	return models.Ref{}, false
}

// nodeOf renders a database node as a subgraph node, as the memory backend does.
func nodeOf(n dbtype.Node, ref models.Ref) store.Node {
	switch ref.Kind {
	case models.KindEnterprise:
		return store.EnterpriseNode(enterpriseOf(n.Props))
	case models.KindPerson:
		return store.PersonNode(personOf(n.Props))
	default:
		return store.RecordNode(recordOf(n.Props, models.Ref{}))
	}
}

// edgeOf rebuilds the model value behind a relationship and renders it with
// the store's constructors; ok is false for a relationship riskgraph does
// not know.
func edgeOf(typ string, props map[string]any, from, to models.Ref) (store.Edge, bool) {
	switch models.RelType(typ) {
	case models.RelHoldsShares:
		if to.Kind != models.KindEnterprise || (from.Kind != models.KindEnterprise && from.Kind != models.KindPerson) {
			return store.Edge{}, false
		}
		return store.ShareholdingEdge(shareholdingOf(props, from, to.Key)), true
	case models.RelLegalRepOf, models.RelOfficerOf:
		if from.Kind != models.KindPerson || to.Kind != models.KindEnterprise {
			return store.Edge{}, false
		}
		return store.RoleEdge(roleOf(typ, props, from.Key, to.Key)), true
	case models.RelBranchOf:
		if from.Kind != models.KindEnterprise || to.Kind != models.KindEnterprise {
			return store.Edge{}, false
		}
		return store.BranchEdge(models.Branch{Branch: from.Key, Parent: to.Key, MatchScore: num(props, "match_score")}), true
	case models.RelRelatedTo:
		if from.Kind != models.KindPerson || to.Kind != models.KindPerson {
			return store.Edge{}, false
		}
		return store.RelationEdge(models.Relation{A: from.Key, B: to.Key, Kind: models.RelationKind(str(props, "kind")),
			Since: date(props, "since")}), true
	case models.RelHasRecord:
		if to.Kind != models.KindRecord {
			return store.Edge{}, false
		}
		return store.RecordEdge(models.Record{ID: to.Key, Subject: from}), true
	case models.RelControls:
		if to.Kind != models.KindEnterprise || (from.Kind != models.KindEnterprise && from.Kind != models.KindPerson) {
			return store.Edge{}, false
		}
		return store.ControlEdge(models.Control{Controller: from, Enterprise: to.Key, Basis: models.ControlBasis(str(props, "basis")),
			Group: str(props, "group"), Note: str(props, "note"), Since: date(props, "since"), Until: date(props, "until")}), true
	case models.RelSameAs:
		if from.Kind != models.KindEnterprise || to.Kind != models.KindEnterprise {
			return store.Edge{}, false
		}
		p := store.XrefPair{ID: str(props, "pair"), A: from.Key, B: to.Key, Score: num(props, "score"), DecidedBy: str(props, "decided_by")}
		if at, err := time.Parse(time.RFC3339, str(props, "at")); err == nil {
			p.DecidedAt = at
		}
		return store.SameAsEdge(p), true
	}
	return store.Edge{}, false
}

func shareholdingOf(p map[string]any, holder models.Ref, enterprise string) models.Shareholding {
	return models.Shareholding{Holder: holder, Enterprise: enterprise, Ratio: num(p, "ratio"), Amount: num(p, "amount"), Since: date(p, "since"),
		MatchScore: num(p, "match_score"), VotingRatio: optNum(p, "voting_ratio"), IncomeRatio: optNum(p, "income_ratio")}
}

func roleOf(typ string, p map[string]any, person, enterprise string) models.Role {
	kind := models.RoleOfficer
	if models.RelType(typ) == models.RelLegalRepOf {
		kind = models.RoleLegalRep
	}
	return models.Role{Person: person, Enterprise: enterprise, Kind: kind, Title: str(p, "title"), TitleText: str(p, "title_text"),
		Since: date(p, "since"), Until: date(p, "until"), MatchScore: num(p, "match_score"),
		DayToDay: kind == models.RoleOfficer && p["day_to_day"] == true}
}

// optNum reads an optional number: nil when absent.
func optNum(p map[string]any, k string) *float64 { return optNumOf(p[k]) }

// optNumOf reads an optional number value: nil when it is none.
func optNumOf(v any) *float64 {
	switch v := v.(type) {
	case float64:
		return &v
	case int64:
		f := float64(v)
		return &f
	}
	return nil
}

// optRatio is a voting or income ratio as a property: null when not given.
func optRatio(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// optTrue is a flag as a property: true, or null (no property) when false.
func optTrue(b bool) any {
	if !b {
		return nil
	}
	return true
}
