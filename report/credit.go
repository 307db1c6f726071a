package report

// Per-entity credit reports (docs/credit-report.md): one document per
// request, built section by section from the store and the latest engine
// result, sealed (a number and the SHA-256 of its canonical JSON), stored,
// and rendered as JSON, HTML or PDF. Every rendering shows the same
// document; the JSON is the one that is stored and verified.

import (
	"strings"
	"time"

	"riskgraph/models"
)

// CreditFormat names the credit report's JSON layout; it changes when a
// field changes meaning.
const CreditFormat = "riskgraph.credit-report/1"

// Section identifiers, in the order the report shows them.
const (
	SecRegistration = "registration"
	SecLicences     = "licences"
	SecPenalties    = "penalties"
	SecLists        = "lists"
	SecPositive     = "positive"
	SecObjections   = "objections"
	SecGrade        = "grade"
	SecFlags        = "flags"
	SecOwners       = "owners"
	SecRelated      = "related"
	SecNetwork      = "network"
)

// SectionTitle is one section's heading, in Chinese and English.
type SectionTitle struct {
	ID, Zh, En string
}

// CreditSections lists the sections with their titles, in report order.
// The HTML and PDF renderings print these titles, and the tests look for
// each in the PDF's extracted text.
var CreditSections = []SectionTitle{
	{SecRegistration, "登记信息与状态", "Registration and status"},
	{SecLicences, "行政许可", "Administrative licences"},
	{SecPenalties, "行政处罚", "Administrative penalties"},
	{SecLists, "经营异常、严重违法失信、失信被执行人及其他名单", "Abnormal operations, serious violation, dishonest debtor and other lists"},
	{SecPositive, "守信激励记录与信用承诺", "Positive records and commitments"},
	{SecObjections, "异议与信用修复", "Objections and repairs"},
	{SecGrade, "信用等级、评分及其解释", "Credit grade, score and explanation"},
	{SecFlags, "风险标记及证据", "Flags with evidence"},
	{SecOwners, "受益所有人与实际控制人", "Beneficial owners and actual controller"},
	{SecRelated, "关联方概况", "Related parties"},
	{SecNetwork, "关联网络图", "Network picture"},
}

// CreditReport is the credit report of one enterprise.
type CreditReport struct {
	Format string `json:"format"`
	// Number identifies the issued report; printed on every page.
	Number string `json:"number"`
	// Issued is when the data were read: the report shows the store as it
	// stood then (data generation DataGeneration).
	Issued         time.Time `json:"issued"`
	DataGeneration uint64    `json:"data_generation"`
	// Engine is the scoring run whose grade, flags and owners it shows.
	Engine EngineVersion `json:"engine"`
	// Catalogue is the measures catalogue that classifies record kinds
	// (polarity, labels) — the credit package's catalogue.
	Catalogue CatalogueVersion `json:"catalogue"`
	Subject   Party            `json:"subject"`

	Registration Registration      `json:"registration"`
	Licences     LicenceSection    `json:"licences"`
	Penalties    RecordSection     `json:"penalties"`
	Lists        []ListSection     `json:"lists"`
	Positive     PositiveSection   `json:"positive"`
	Objections   ObjectionsSection `json:"objections"`
	Grade        GradeSection      `json:"grade"`
	Flags        []FlagEntry       `json:"flags"`
	Owners       OwnersSection     `json:"owners"`
	Related      RelatedSection    `json:"related"`
	Network      NetworkPicture    `json:"network"`

	// SHA256 is the hex SHA-256 of the report's canonical JSON without
	// this field (SealCredit, VerifyCredit).
	SHA256 string `json:"sha256,omitempty"`
}

// EngineVersion names the engine run a report's scores come from.
type EngineVersion struct {
	Run string `json:"run"`
	// Day is the run's reference day; Finished when it completed.
	Day      string    `json:"day"`
	Finished time.Time `json:"finished"`
}

// CatalogueVersion names the measures catalogue.
type CatalogueVersion struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// Party is an enterprise or a person the report names: its node id
// ("enterprise:<key>", "person:<pid>") and name.
type Party struct {
	Ref  string `json:"ref"`
	Name string `json:"name,omitempty"`
}

// Masked masks the name of a person (models/mask.go).
func (p Party) Masked() Party {
	if strings.HasPrefix(p.Ref, string(models.KindPerson)+":") {
		p.Name = models.MaskName(p.Name)
	}
	return p
}

// IsPerson reports whether the party is a person.
func (p Party) IsPerson() bool { return strings.HasPrefix(p.Ref, string(models.KindPerson)+":") }

// Label is the party's name, else its reference.
func (p Party) Label() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Ref
}

// Registration is the registration and status section.
type Registration struct {
	Key  string `json:"key"`
	USCC string `json:"uscc,omitempty"`
	// Name is the enterprise's registered name (public).
	Name        string  `json:"name" mask:"public"`
	Kind        string  `json:"kind,omitempty"`
	Status      string  `json:"status,omitempty"`
	StatusZh    string  `json:"status_zh,omitempty"`
	Capital     float64 `json:"capital,omitempty"`
	Currency    string  `json:"currency,omitempty"`
	Established string  `json:"established,omitempty"`
	Region      string  `json:"region,omitempty"`
	// RegionName is the division's full name (public).
	RegionName string `json:"region_name,omitempty" mask:"public"`
	Industry   string `json:"industry,omitempty"`
	Address    string `json:"address,omitempty"`
	// Placeholder: only known because other data refer to it.
	Placeholder bool    `json:"placeholder,omitempty"`
	LegalReps   []Party `json:"legal_representatives"`
	Parent      *Party  `json:"parent,omitempty"`
	Branches    int     `json:"branches"`
}

// LicenceEntry is one licence and whether it is in force on the report's day.
type LicenceEntry struct {
	models.Licence
	InForce bool `json:"in_force"`
}

// LicenceSection lists the administrative licences.
type LicenceSection struct {
	Total   int            `json:"total"`
	InForce int            `json:"in_force"`
	Items   []LicenceEntry `json:"items"`
}

// RecordEntry is one credit record with its period: from its decision
// until it was removed (in force while not removed).
type RecordEntry struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// KindLabel is the kind's Chinese label from the catalogue (public).
	KindLabel string  `json:"kind_label,omitempty" mask:"public"`
	Severity  float64 `json:"severity"`
	Authority string  `json:"authority,omitempty"`
	DocNo     string  `json:"doc_no,omitempty"`
	Decided   string  `json:"decided"`
	Removed   string  `json:"removed,omitempty"`
	// InForce: not removed, and not ended by the credit file either.
	InForce bool    `json:"in_force"`
	Amount  float64 `json:"amount,omitempty"`
	Reason  string  `json:"reason,omitempty"`
	// Ended and EndReason: the day the record stopped counting and why
	// (removed, expired, repaired, withdrawn), when it has.
	Ended     string `json:"ended,omitempty"`
	EndReason string `json:"end_reason,omitempty"`
	// UnderObjection: an objection against it is open on the report's day.
	UnderObjection bool `json:"under_objection,omitempty"`
	// Corrected: an upheld objection corrected its severity (shown corrected).
	Corrected bool `json:"corrected,omitempty"`
}

// RecordSection lists records of one kind (administrative penalties).
type RecordSection struct {
	Total   int           `json:"total"`
	InForce int           `json:"in_force"`
	Items   []RecordEntry `json:"items"`
}

// ListSection is one list (abnormal operations, serious violation,
// dishonest debtor, or the other negative kinds together).
type ListSection struct {
	List string `json:"list"`
	// Title is the list's Chinese name (public).
	Title   string        `json:"title" mask:"public"`
	Kinds   []string      `json:"kinds"`
	InForce int           `json:"in_force"`
	Items   []RecordEntry `json:"items"`
}

// PositiveSection lists the positive records (commendations, red lists)
// and the subject's credit commitments.
type PositiveSection struct {
	Records     []RecordEntry     `json:"records"`
	Commitments []CommitmentEntry `json:"commitments"`
}

// CommitmentEntry is one credit commitment (信用承诺) and the negative
// records, still counting, decided inside its window (which breach it).
type CommitmentEntry struct {
	ID         string `json:"id"`
	Scenario   string `json:"scenario"`
	Text       string `json:"text"`
	Date       string `json:"date"`
	ValidUntil string `json:"valid_until"`
	// InForce: the report's day lies in its window.
	InForce    bool     `json:"in_force"`
	BreachedBy []string `json:"breached_by"`
}

// ObjectionsSection lists the objections (异议) against the subject's
// records, with their decisions, and the repairs (信用修复).
type ObjectionsSection struct {
	Objections []ObjectionEntry `json:"objections"`
	Repairs    []RepairEntry    `json:"repairs"`
}

// ObjectionEntry is one objection as the credit file keeps it (who filed
// and decided it are API key ids, not persons).
type ObjectionEntry struct {
	ID       string `json:"id"`
	RecordID string `json:"record_id"`
	Reason   string `json:"reason"`
	Filed    string `json:"filed"`
	// Status is open, upheld or rejected; Outcome, for upheld, withdrawn or
	// corrected.
	Status   string   `json:"status"`
	Outcome  string   `json:"outcome,omitempty"`
	Decided  string   `json:"decided,omitempty"`
	Severity *float64 `json:"severity,omitempty"`
}

// endReasonZh names why a record stopped counting, in Chinese.
var endReasonZh = map[string]string{"removed": "移出", "expired": "公示期满", "repaired": "信用修复", "withdrawn": "异议撤销"}

// Period renders a record's period for people: from its decision until it
// ended (and why) or was removed, or until now; and whether an objection is
// open against it or corrected it.
func (r RecordEntry) Period() string {
	p := r.Decided + " 起至今"
	switch {
	case r.Ended != "":
		p = r.Decided + " 至 " + r.Ended + "（" + endReasonZh[r.EndReason] + " " + r.EndReason + "）"
	case r.Removed != "":
		p = r.Decided + " 至 " + r.Removed
	}
	if r.UnderObjection {
		p += " · 异议审查中 under objection"
	}
	if r.Corrected {
		p += " · 已更正 corrected"
	}
	return p
}

// objectionStatusZh names an objection's status in Chinese.
var objectionStatusZh = map[string]string{"open": "审查中", "upheld": "成立", "rejected": "不成立"}

// RepairEntry is one credit repair: from Date its record stops counting.
type RepairEntry struct {
	ID       string `json:"id"`
	RecordID string `json:"record_id"`
	Date     string `json:"date"`
	Basis    string `json:"basis"`
}

// Contribution is one part of the score's explanation: a record, and the
// path it reaches the enterprise by.
type Contribution struct {
	Record  string  `json:"record"`
	Kind    string  `json:"kind"`
	Subject Party   `json:"subject"`
	Path    []Party `json:"path"`
	Amount  float64 `json:"amount"`
}

// GradeSection is the credit grade, the score and its explanation.
type GradeSection struct {
	// Scored: the engine run knows the enterprise (false when it was
	// added after the run).
	Scored    bool    `json:"scored"`
	Score     float64 `json:"score"`
	Grade     string  `json:"grade"`
	Intrinsic float64 `json:"intrinsic"`
	// Thresholds are the lowest scores of grades B, C and D.
	Thresholds    [3]float64           `json:"thresholds"`
	Previous      *models.PreviousRisk `json:"previous,omitempty"`
	Contributions []Contribution       `json:"contributions"`
	// Remainder is the part of the score the listed contributions leave.
	Remainder float64 `json:"remainder"`
	Note      string  `json:"note,omitempty"`
}

// FlagEntry is one anomaly flag with its evidence.
type FlagEntry struct {
	Flag string `json:"flag"`
	// FlagLabel is the flag's Chinese label (public).
	FlagLabel string   `json:"flag_label,omitempty" mask:"public"`
	Value     string   `json:"value,omitempty"`
	Count     int      `json:"count"`
	Threshold int      `json:"threshold"`
	Evidence  []Party  `json:"evidence"`
	More      int      `json:"more,omitempty"`
	Records   []string `json:"records,omitempty"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
}

// Chain is one ownership chain, owner first, with the share it carries.
type Chain struct {
	Path  []Party `json:"path"`
	Share float64 `json:"share"`
}

// Owner is one beneficial owner.
type Owner struct {
	Person Party `json:"person"`
	// Share is the person's integrated equity.
	Share float64 `json:"share"`
	// Criterion is the first criterion of the 2024 rules the person meets
	// (equity, income, voting, control, branch_executive, senior_manager);
	// Criteria all.
	Criterion string   `json:"criterion"`
	Criteria  []string `json:"criteria,omitempty"`
	Chains    []Chain  `json:"chains"`
}

// Controller is the actual controller and its control chain.
type Controller struct {
	Party Party   `json:"party"`
	Chain []Party `json:"chain"`
	// Basis is how it controls: majority, agreement, general_partner,
	// executive_partner, acting_in_concert or other.
	Basis string `json:"basis,omitempty"`
}

// OwnersSection is the beneficial owners and the actual controller.
type OwnersSection struct {
	// Rule names the rules applied: "2024" (受益所有人信息管理办法).
	Rule      string  `json:"rule"`
	Threshold float64 `json:"threshold"`
	// Filing says whether the enterprise files its beneficial owners
	// (required, exempt_on_commitment, not_required, not_applicable);
	// Fallback that the day-to-day manager is reported.
	Filing     string      `json:"filing,omitempty"`
	Fallback   bool        `json:"fallback,omitempty"`
	Owners     []Owner     `json:"owners"`
	Controller *Controller `json:"controller,omitempty"`
	Note       string      `json:"note,omitempty"`
}

// RelationCount counts the related parties of one relation.
type RelationCount struct {
	Relation string `json:"relation"`
	// RelationLabel is the relation's Chinese label (public).
	RelationLabel string `json:"relation_label" mask:"public"`
	Count         int    `json:"count"`
}

// RelatedWithRecords is a related party with credit records.
type RelatedWithRecords struct {
	Party    Party    `json:"party"`
	Relation string   `json:"relation"`
	Records  int      `json:"records"`
	InForce  int      `json:"in_force"`
	Kinds    []string `json:"kinds"`
}

// RelatedSection is the related-party summary.
type RelatedSection struct {
	Counts      []RelationCount      `json:"counts"`
	WithRecords []RelatedWithRecords `json:"with_records"`
	// Truncated: more related parties than the report reads.
	Truncated bool `json:"truncated,omitempty"`
}

// NetworkNode is a node of the network picture, placed in a 600×400 box.
type NetworkNode struct {
	Party   Party   `json:"party"`
	Grade   string  `json:"grade,omitempty"`
	Records bool    `json:"records,omitempty"`
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
}

// NetworkEdge is an edge of the network picture, between nodes by index.
type NetworkEdge struct {
	From int    `json:"from"`
	To   int    `json:"to"`
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
}

// NetworkPicture is the subject (node 0) and its nearest related parties.
type NetworkPicture struct {
	Width  float64       `json:"width"`
	Height float64       `json:"height"`
	Nodes  []NetworkNode `json:"nodes"`
	Edges  []NetworkEdge `json:"edges"`
	// Omitted counts the neighbours left out of the picture.
	Omitted int `json:"omitted"`
}
