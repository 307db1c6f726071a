package models

import "encoding/json"

// NodeKind names the kind of a node in the graph.
type NodeKind string

// Node kinds.
const (
	KindEnterprise NodeKind = "enterprise"
	KindPerson     NodeKind = "person"
	KindRecord     NodeKind = "record"
)

// Valid reports whether k is a known node kind.
func (k NodeKind) Valid() bool {
	return k == KindEnterprise || k == KindPerson || k == KindRecord
}

// Ref identifies a node: an enterprise by its key, a person by pid, a record by id.
type Ref struct {
	Kind NodeKind `json:"kind"`
	Key  string   `json:"key"`
}

// EnterpriseRef refers to the enterprise with the given key.
func EnterpriseRef(key string) Ref { return Ref{KindEnterprise, key} }

// PersonRef refers to the person with the given pid.
func PersonRef(pid string) Ref { return Ref{KindPerson, pid} }

// RecordRef refers to the credit record with the given id.
func RecordRef(id string) Ref { return Ref{KindRecord, id} }

// String renders the reference as "kind:key", the node id used in API graphs.
func (r Ref) String() string { return string(r.Kind) + ":" + r.Key }

// Less orders references by kind, then key; used wherever output must be deterministic.
func (r Ref) Less(o Ref) bool {
	if r.Kind != o.Kind {
		return r.Kind < o.Kind
	}
	return r.Key < o.Key
}

// EnterpriseKind is the legal form of an enterprise.
type EnterpriseKind string

// Enterprise kinds.
const (
	EnterpriseCompany     EnterpriseKind = "company"             // 有限责任公司 / 股份有限公司
	EnterprisePartnership EnterpriseKind = "partnership"         // 合伙企业
	EnterpriseSoleProp    EnterpriseKind = "sole_proprietorship" // 个人独资企业
	EnterpriseIndividual  EnterpriseKind = "individual_business" // 个体工商户
	EnterpriseCooperative EnterpriseKind = "farmers_cooperative" // 农民专业合作社
	EnterpriseBranch      EnterpriseKind = "branch"              // 分公司
	EnterpriseForeign     EnterpriseKind = "foreign"             // foreign company (often a shareholder only)
	EnterpriseOther       EnterpriseKind = "other"
)

// EnterpriseKinds lists every enterprise kind.
var EnterpriseKinds = []EnterpriseKind{EnterpriseCompany, EnterprisePartnership, EnterpriseSoleProp,
	EnterpriseIndividual, EnterpriseCooperative, EnterpriseBranch, EnterpriseForeign, EnterpriseOther}

// Status is an enterprise's registration status.
type Status string

// Registration statuses.
const (
	StatusActive    Status = "active"    // 存续, 在业, 开业
	StatusRevoked   Status = "revoked"   // 吊销
	StatusCancelled Status = "cancelled" // 注销
	StatusMovedOut  Status = "moved_out" // 迁出
	StatusUnknown   Status = "unknown"
)

// Statuses lists every registration status.
var Statuses = []Status{StatusActive, StatusRevoked, StatusCancelled, StatusMovedOut, StatusUnknown}

// Enterprise is a registered market entity. Key is its USCC when it has one,
// otherwise a namespaced source id ("src:<source>:<id>").
type Enterprise struct {
	Key         string         `json:"key"`
	USCC        string         `json:"uscc,omitempty"`
	Name        string         `json:"name" mask:"public"` // registered name, public
	Kind        EnterpriseKind `json:"kind,omitempty"`
	Status      Status         `json:"status,omitempty"`
	Capital     float64        `json:"capital,omitempty"` // registered capital, in yuan
	Currency    string         `json:"currency,omitempty"`
	Established Date           `json:"established"`
	Region      string         `json:"region,omitempty"`   // GB/T 2260 division code
	Industry    string         `json:"industry,omitempty"` // GB/T 4754 code
	Address     string         `json:"address,omitempty"`
	Phone       string         `json:"phone,omitempty"`
	Email       string         `json:"email,omitempty"`
	// Placeholder marks a node created only because a relationship referred to it.
	Placeholder bool  `json:"placeholder,omitempty"`
	Risk        *Risk `json:"risk,omitempty"`
}

// Ref returns the enterprise's node reference.
func (e Enterprise) Ref() Ref { return EnterpriseRef(e.Key) }

// Person is a natural person. PID is a keyed hash of the identity-document
// number (see PIDHasher); the raw number is never stored.
type Person struct {
	PID         string `json:"pid"`
	Name        string `json:"name" mask:"name"`
	Placeholder bool   `json:"placeholder,omitempty"`
	Risk        *Risk  `json:"risk,omitempty"`
}

// Ref returns the person's node reference.
func (p Person) Ref() Ref { return PersonRef(p.PID) }

// Shareholding is (holder)-[:HOLDS_SHARES]->(enterprise). The holder is an
// enterprise or a person. One shareholding exists per (holder, enterprise).
type Shareholding struct {
	Holder     Ref     `json:"holder"`
	Enterprise string  `json:"enterprise"`
	Ratio      float64 `json:"ratio"`            // in [0,1]
	Amount     float64 `json:"amount,omitempty"` // subscribed capital, in yuan
	Since      Date    `json:"since"`
	// VotingRatio is the share of the votes the holding carries when it
	// differs from Ratio (a proxy agreement, a share class, articles that
	// allot votes otherwise); nil when the votes follow the equity.
	VotingRatio *float64 `json:"voting_ratio,omitempty"`
	// IncomeRatio is the share of the profits or income the holding
	// carries when it differs from Ratio (a partnership agreement's profit
	// share); nil when the income follows the equity.
	IncomeRatio *float64 `json:"income_ratio,omitempty"`
	// MatchScore is the matcher's score when the loader resolved the
	// enterprise or holder from a name or an old code (docs/ingest.md,
	// matching at ingest); 0 when the row named it by key.
	MatchScore float64 `json:"match_score,omitempty"`
}

// Voting is the holding's share of the votes: VotingRatio when given,
// else Ratio.
func (s Shareholding) Voting() float64 {
	if s.VotingRatio != nil {
		return *s.VotingRatio
	}
	return s.Ratio
}

// Income is the holding's share of the profits: IncomeRatio when given,
// else Ratio.
func (s Shareholding) Income() float64 {
	if s.IncomeRatio != nil {
		return *s.IncomeRatio
	}
	return s.Ratio
}

// RoleKind distinguishes legal representatives from other officers.
type RoleKind string

// Role kinds.
const (
	RoleLegalRep RoleKind = "legal_rep" // 法定代表人, LEGAL_REP_OF
	RoleOfficer  RoleKind = "officer"   // 董事, 监事, 经理…, OFFICER_OF
)

// Role is a person's appointment at an enterprise. One role exists per
// (person, enterprise, kind, title); TitleText is not part of that identity,
// so a second text for the same canonical title replaces the first.
type Role struct {
	Person     string   `json:"person"`
	Enterprise string   `json:"enterprise"`
	Kind       RoleKind `json:"kind"`
	Title      string   `json:"title,omitempty"` // director, supervisor, manager, …; empty for legal_rep
	// TitleText is the source's free text when the canonical Title was
	// mapped from a different word (董事长, 执行董事兼总经理, CEO …);
	// empty when the source gave the canonical title itself.
	TitleText string `json:"title_text,omitempty"`
	Since     Date   `json:"since"`
	Until     Date   `json:"until"`
	// DayToDay marks the person in charge of the enterprise's day-to-day
	// management (负责日常经营管理的人员), the beneficial owner of last
	// resort (docs/beneficial-owners.md); officers only.
	DayToDay bool `json:"day_to_day,omitempty"`
	// MatchScore is the matcher's score when the enterprise was resolved
	// from a name or an old code at ingest; 0 when named by key.
	MatchScore float64 `json:"match_score,omitempty"`
}

// Branch is (branch)-[:BRANCH_OF]->(parent).
type Branch struct {
	Branch string `json:"branch"`
	Parent string `json:"parent"`
	// MatchScore is the matcher's score when the branch or the parent was
	// resolved from a name or an old code at ingest; 0 when named by key.
	MatchScore float64 `json:"match_score,omitempty"`
}

// RecordKind is the kind of a credit record.
type RecordKind string

// Record kinds named by the design; data may name others.
const (
	RecordPenalty          RecordKind = "administrative_penalty" // 行政处罚
	RecordAbnormal         RecordKind = "abnormal_operations"    // 经营异常名录
	RecordSeriousViolation RecordKind = "serious_violation"      // 严重违法失信名单
	RecordBlacklist        RecordKind = "blacklist"              // 黑名单
	RecordDishonestDebtor  RecordKind = "dishonest_debtor"       // 失信被执行人
	RecordTaxViolation     RecordKind = "tax_violation"          // 重大税收违法
)

// RecordKinds lists the record kinds riskgraph knows by name.
var RecordKinds = []RecordKind{RecordPenalty, RecordAbnormal, RecordSeriousViolation,
	RecordBlacklist, RecordDishonestDebtor, RecordTaxViolation}

// Record is a credit record attached to an enterprise or person through HAS_RECORD.
type Record struct {
	ID        string     `json:"id"`
	Subject   Ref        `json:"subject"`
	Kind      RecordKind `json:"kind"`
	Severity  float64    `json:"severity"` // in [0,1]
	Authority string     `json:"authority,omitempty"`
	Decided   Date       `json:"decided"`
	Removed   Date       `json:"removed"` // when lifted; zero while in force
	Amount    float64    `json:"amount,omitempty"`
	DocNo     string     `json:"doc_no,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	// MatchScore is the matcher's score when the subject was resolved from
	// a name or an old code at ingest; 0 when named by key.
	MatchScore float64 `json:"match_score,omitempty"`
}

// Risk is the engine's result for an entity from one run.
type Risk struct {
	Score float64  `json:"score"`
	Grade string   `json:"grade"`
	Run   string   `json:"run"`
	Flags []string `json:"flags,omitempty"`
	// Details is the engine's own JSON: flag evidence, top contributions
	// (engine.Details: node references "kind:key" and numbers, no names).
	Details json.RawMessage `json:"details,omitempty" mask:"public"`
	// Previous is the result of the run before Run, when there was one.
	Previous *PreviousRisk `json:"previous,omitempty"`
}

// PreviousRisk is the score and grade an entity had in the previous run.
type PreviousRisk struct {
	Score float64 `json:"score"`
	Grade string  `json:"grade"`
	Run   string  `json:"run"`
}

// RiskResult is one entity's engine result, written back to the store.
type RiskResult struct {
	Ref Ref `json:"ref"`
	Risk
}

// RelationKind is the kind of a person-to-person relation.
type RelationKind string

// Relation kinds (docs/data-format.md, relations.csv).
const (
	RelationSpouse   RelationKind = "spouse"   // 配偶
	RelationRelative RelationKind = "relative" // 近亲属: parent, child, sibling…
	RelationOther    RelationKind = "other"    // another declared tie (e.g. 共同生活, business partner)
)

// RelationKinds lists every relation kind.
var RelationKinds = []RelationKind{RelationSpouse, RelationRelative, RelationOther}

// Valid reports whether k is a known relation kind.
func (k RelationKind) Valid() bool {
	return k == RelationSpouse || k == RelationRelative || k == RelationOther
}

// Relation is (a:Person)-[:RELATED_TO {kind, since}]->(b:Person). Every
// kind is symmetric: one relation exists per unordered pair and kind, and
// its canonical form (Canonical) has A < B, which is how stores keep it.
type Relation struct {
	A     string       `json:"a"`
	B     string       `json:"b"`
	Kind  RelationKind `json:"kind"`
	Since Date         `json:"since"`
}

// Canonical returns r with its two persons in order (A < B).
func (r Relation) Canonical() Relation {
	if r.B < r.A {
		r.A, r.B = r.B, r.A
	}
	return r
}
