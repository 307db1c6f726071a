package server

import (
	"strings"

	"riskgraph/auth"
	"riskgraph/credit"
	"riskgraph/models"
	"riskgraph/store"
)

// grades are the risk grades engine.GradeParams.Grade gives, lowest risk first.
var grades = []string{"A", "B", "C", "D"}

// schemaFacts are the enums, formats and examples the OpenAPI schemas add
// to the reflected types (schemas.go), keyed by "pkgpath.Type" (a named
// string type wherever it appears) or "pkgpath.Type.Field". The values
// come from the lists the code validates with, so the document follows
// them. A key that names no reflected type or field fails
// TestOpenAPIFactsApply.
func (a *API) schemaFacts() map[string]fact {
	const (
		m = "riskgraph/models."
		s = "riskgraph/store."
		r = "riskgraph/ranking."
		c = "riskgraph/credit."
		v = "riskgraph/server."
	)
	gradeFact := fact{Enum: grades, Example: "B", Desc: "(A lowest risk … D highest)"}
	// as_of is a date, or empty for today (a date format would refuse the empty string).
	asOf := fact{Pattern: `^([0-9]{4}-[0-9]{2}-[0-9]{2})?$`, Example: "2026-06-30", Desc: "(YYYY-MM-DD; empty or absent: today)"}
	uscc := fact{Example: "91440300MA5EXAMPLE"}
	return map[string]fact{
		m + "NodeKind":       {Enum: strs([]models.NodeKind{models.KindEnterprise, models.KindPerson, models.KindRecord})},
		m + "EnterpriseKind": {Enum: strs(models.EnterpriseKinds)},
		m + "Status":         {Enum: strs(models.Statuses)},
		m + "RelType":        {Enum: strs(models.RelTypes)},
		m + "RoleKind":       {Enum: []string{string(models.RoleLegalRep), string(models.RoleOfficer)}},
		m + "RelationKind":   {Enum: []string{string(models.RelationSpouse), string(models.RelationRelative), string(models.RelationOther)}},
		// Record kinds are open: data may name others (docs/data-format.md).
		m + "RecordKind":                 {Example: string(models.RecordPenalty), Desc: "Known kinds: " + strings.Join(strs(models.RecordKinds), ", ") + "; data may name others."},
		m + "Risk.Grade":                 gradeFact,
		m + "PreviousRisk.Grade":         gradeFact,
		r + "Entry.Grade":                gradeFact,
		m + "Enterprise.USCC":            uscc,
		m + "Enterprise.Region":          {Example: "440305"},
		s + "Run.Status":                 {Enum: []string{store.RunRunning, store.RunCompleted, store.RunFailed}},
		s + "XrefPair.Status":            {Enum: store.XrefStatuses},
		s + "Review.Status":              {Enum: []string{store.ReviewPending, store.ReviewAccepted, store.ReviewRejected}},
		c + "Result.Verdict":             {Enum: credit.Verdicts},
		v + "keyView.Role":               {Enum: strs(auth.Roles)},
		v + "keyRequest.Role":            {Enum: strs(auth.Roles)},
		v + "keyRevoked.Revoked":         {Format: "date-time"},
		v + "reportView.Created":         {Format: "date-time"},
		v + "checkRequest.Scenario":      {Enum: a.catalogue().ScenarioIDs(), Example: "bidding"},
		v + "checkBatchRequest.Scenario": {Enum: a.catalogue().ScenarioIDs(), Example: "bidding"},
		v + "checkRequest.AsOf":          asOf,
		v + "checkBatchRequest.AsOf":     asOf,
		v + "runStarted.Status":          {Enum: []string{store.RunRunning}},
		v + "xrefStarted.Status":         {Enum: []string{store.RunRunning}},
		v + "readyView.Status":           {Enum: []string{"ok", "degraded", "unavailable"}},
	}
}

// strs turns a list of a named string type into strings.
func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
