// Package bods writes and reads Beneficial Ownership Data Standard 0.4
// statements (https://standard.openownership.org, schema in
// openownership/data-standard): one enterprise's beneficial-ownership
// declaration from store.BeneficialOwners, streamed for every enterprise,
// and parsed back for ingest (docs/beneficial-owners.md, "BODS").
//
// A declaration's records are scoped by its subject: every recordId starts
// with the subject's key and "/", so an enterprise that is one
// declaration's subject and another's intermediate company is two records,
// and a file of many declarations has no record twice. Persons are known
// by pid-derived record ids ("<subject>/person/<pid>"), never by an
// identity number; enterprises carry their USCC under the org-id scheme
// CN-USCI, or their source key.
package bods

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"riskgraph/models"
	"riskgraph/store"
)

// Version is the BODS version written.
const Version = "0.4"

// SchemeUSCC is the org-id.guide code of the unified social credit code.
const SchemeUSCC = "CN-USCI"

// SchemeNameSourceKey names the identifier of an enterprise without a USCC.
const SchemeNameSourceKey = "riskgraph source key"

// Statement is one BODS statement. RecordDetails is an *Entity, *Person or
// *Relationship (Parse also fills RawDetails).
type Statement struct {
	StatementID        string       `json:"statementId"`
	DeclarationSubject string       `json:"declarationSubject"`
	StatementDate      string       `json:"statementDate"`
	RecordID           string       `json:"recordId"`
	RecordType         string       `json:"recordType"`
	RecordDetails      any          `json:"recordDetails" mask:"public"` // masked by Statement.Masked
	PublicationDetails *Publication `json:"publicationDetails,omitempty"`
	Source             *Source      `json:"source,omitempty"`
}

// Masked masks persons' names (the dashboard role's view).
func (s Statement) Masked() Statement {
	if p, ok := s.RecordDetails.(*Person); ok {
		c := *p
		c.Names = nil
		for _, n := range p.Names {
			n.FullName = models.MaskName(n.FullName)
			c.Names = append(c.Names, n)
		}
		s.RecordDetails = &c
	}
	return s
}

// Publication is a statement's publicationDetails.
type Publication struct {
	PublicationDate string    `json:"publicationDate"`
	BODSVersion     string    `json:"bodsVersion"`
	License         string    `json:"license,omitempty"`
	Publisher       Publisher `json:"publisher"`
}

// Publisher is who publishes the statements.
type Publisher struct {
	Name string `json:"name,omitempty" mask:"public"` // the publishing organisation, not a person
	URL  string `json:"url,omitempty"`
}

// Source is where a statement's information comes from.
type Source struct {
	Type        []string `json:"type,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Entity is an entity record's details.
type Entity struct {
	IsComponent  bool          `json:"isComponent"`
	EntityType   EntityType    `json:"entityType"`
	Name         string        `json:"name,omitempty"`
	Jurisdiction *Jurisdiction `json:"jurisdiction,omitempty"`
	Identifiers  []Identifier  `json:"identifiers,omitempty"`
	FoundingDate string        `json:"foundingDate,omitempty"`
	Addresses    []Address     `json:"addresses,omitempty"`
}

// EntityType is an entity's form; Details carries riskgraph's kind.
type EntityType struct {
	Type    string `json:"type"`
	Details string `json:"details,omitempty"`
}

// Jurisdiction is a country.
type Jurisdiction struct {
	Name string `json:"name"`
	Code string `json:"code,omitempty"`
}

// Identifier is an entity's identifier.
type Identifier struct {
	ID         string `json:"id"`
	Scheme     string `json:"scheme,omitempty"`
	SchemeName string `json:"schemeName,omitempty"`
}

// Address is an entity's registered address.
type Address struct {
	Type    string        `json:"type,omitempty"`
	Address string        `json:"address"`
	Country *Jurisdiction `json:"country,omitempty"`
}

// Person is a person record's details.
type Person struct {
	IsComponent bool   `json:"isComponent"`
	PersonType  string `json:"personType"`
	Names       []Name `json:"names,omitempty"`
	// UnspecifiedPersonDetails explains a person known without a name.
	Unspecified *Unspecified `json:"unspecifiedPersonDetails,omitempty"`
}

// Name is a person's name.
type Name struct {
	Type     string `json:"type,omitempty"`
	FullName string `json:"fullName" mask:"name"`
}

// Unspecified says why a record has no details.
type Unspecified struct {
	Reason      string `json:"reason"`
	Description string `json:"description,omitempty"`
}

// Relationship is a relationship record's details.
type Relationship struct {
	IsComponent      bool       `json:"isComponent"`
	ComponentRecords []string   `json:"componentRecords,omitempty"`
	Subject          string     `json:"subject"`
	InterestedParty  string     `json:"interestedParty"`
	Interests        []Interest `json:"interests"`
}

// Interest is one interest of a relationship.
type Interest struct {
	Type                         string `json:"type"`
	DirectOrIndirect             string `json:"directOrIndirect"`
	BeneficialOwnershipOrControl bool   `json:"beneficialOwnershipOrControl"`
	Details                      string `json:"details,omitempty"`
	Share                        *Share `json:"share,omitempty"`
	StartDate                    string `json:"startDate,omitempty"`
	EndDate                      string `json:"endDate,omitempty"`
}

// Share is a percentage, exact or as a range.
type Share struct {
	Exact            *float64 `json:"exact,omitempty"`
	Minimum          *float64 `json:"minimum,omitempty"`
	Maximum          *float64 `json:"maximum,omitempty"`
	ExclusiveMinimum *float64 `json:"exclusiveMinimum,omitempty"`
	ExclusiveMaximum *float64 `json:"exclusiveMaximum,omitempty"`
}

// Options say who publishes and when.
type Options struct {
	Publisher    string
	PublisherURL string
	License      string
	// Published is the publication date (YYYY-MM-DD).
	Published string
}

// Interest types and the details riskgraph writes.
const (
	InterestShareholding  = "shareholding"
	InterestVoting        = "votingRights"
	InterestIncome        = "rightsToProfitOrIncome"
	InterestOtherControl  = "otherInfluenceOrControl"
	InterestSeniorManager = "seniorManagingOfficial"
	// InterestLegalFramework is the head office's control of its branch
	// (a branch has no legal personality of its own), with the details
	// BranchDetails.
	InterestLegalFramework = "controlByLegalFramework"
)

// BranchDetails are the details of a head office's interest in its branch
// (the BRANCH_OF of a foreign company's branch, Art. 8).
const BranchDetails = "branch_of: head office of the branch"

// percent renders a ratio as a percentage, rounded to 1e-9 so that
// parsing it back and writing it again gives the same number.
func percent(r float64) *float64 {
	p := math.Round(r*100*1e9) / 1e9
	return &p
}

// declaration builds one enterprise's statements.
type declaration struct {
	subject string // the subject's key
	date    string
	opts    Options
	out     []Statement
	// records already written, by record id.
	have map[string]bool
	net  store.OwnerNetwork
	// components: the record ids on the listed chains.
	component map[string]bool
	// head is the foreign head office of a branch under Art. 8.
	head *models.Ref
}

func (d *declaration) rid(kind, local string) string { return d.subject + "/" + kind + "/" + local }

// RecordID is the record id of a node in the declaration of subject.
func RecordID(subject string, r models.Ref) string {
	if r.Kind == models.KindPerson {
		return subject + "/person/" + r.Key
	}
	return subject + "/entity/" + r.Key
}

func (d *declaration) nodeID(r models.Ref) string { return RecordID(d.subject, r) }

func (d *declaration) holdingID(from, to models.Ref) string {
	return d.rid("holding", from.String()+">"+to.Key)
}

// Statements returns the BODS statements of enterprise e's declaration from
// its owners o (store.BeneficialOwners), dated today: the enterprise, its
// direct holders and controllers with their relationships, every
// beneficial owner with a primary relationship whose componentRecords are
// the intermediate enterprises and holdings of their chains, and the
// day-to-day managers of the fallback.
func Statements(e models.Enterprise, o store.Owners, today models.Date, opts Options) []Statement {
	d := &declaration{subject: e.Key, date: today.String(), opts: opts, have: map[string]bool{}, net: o.Network,
		component: map[string]bool{}, head: o.HeadOffice}
	root := o.Network.Root
	owners := map[string]store.Owner{}
	for _, ow := range o.Owners {
		owners[ow.Person] = ow
	}
	// The relationship of each link of the network, by its two ends: a
	// holding, else a control, else an executive partner's office.
	links := map[[2]models.Ref]store.Edge{}
	for _, ed := range o.Network.Edges {
		if isHeadOffice(o, ed) {
			// Art. 8: the owners' chains run on from the head office to
			// the branch.
			links[[2]models.Ref{ed.To, ed.From}] = ed
			continue
		}
		k := [2]models.Ref{ed.From, ed.To}
		old, seen := links[k]
		switch {
		case ed.Type == models.RelHoldsShares:
		case ed.Type == models.RelControls && (!seen || old.Type != models.RelHoldsShares):
		case ed.Type == models.RelOfficerOf && propStr(ed.Props, "title") == "executive_partner" && !seen:
		default:
			continue
		}
		links[k] = ed
	}
	// Components: the links and intermediate enterprises on an owner's
	// listed chains or control chain.
	primary := map[string][]string{} // pid → its components, in chain order
	for _, ow := range o.Owners {
		var paths [][]string
		for _, ch := range ow.Chains {
			if len(ch.Path) > 2 {
				paths = append(paths, ch.Path)
			}
		}
		if ow.Control != nil && len(ow.Control.Chain) > 2 && strings.HasPrefix(ow.Control.Chain[0], "person:") {
			paths = append(paths, ow.Control.Chain)
		}
		var comps []string
		for _, p := range paths {
			for i := 0; i+1 < len(p); i++ {
				from, to := parseRef(p[i]), parseRef(p[i+1])
				ed, ok := links[[2]models.Ref{from, to}]
				if !ok {
					continue
				}
				if i > 0 {
					comps = appendNew(comps, d.nodeID(from))
				}
				comps = appendNew(comps, d.linkID(ed))
			}
		}
		if len(comps) > 0 {
			primary[ow.Person] = comps
			for _, c := range comps {
				d.component[c] = true
			}
		}
	}

	d.entity(e, true)
	// Entities and persons first (libcovebods wants parties before the
	// relationships naming them), then relationships, primaries last.
	var rels []store.Edge
	for _, ed := range o.Network.Edges {
		switch {
		case ed.Type == models.RelHoldsShares || ed.Type == models.RelControls:
		case ed.Type == models.RelOfficerOf && propStr(ed.Props, "title") == "executive_partner":
		case isHeadOffice(o, ed):
			d.party(ed.To)
			rels = append(rels, ed)
			continue
		default:
			continue
		}
		id := d.linkID(ed)
		direct := ed.To == root && (ed.Type != models.RelOfficerOf || isOwner(owners, ed.From))
		if !direct && !d.component[id] {
			continue // an upstream link on no listed chain
		}
		d.party(ed.From)
		if ed.To != root {
			d.party(ed.To)
		}
		rels = append(rels, ed)
	}
	for _, ow := range o.Owners {
		if _, ok := primary[ow.Person]; ok || o.Fallback || slices.Contains(ow.Criteria, store.CriterionBranchExecutive) {
			d.party(models.PersonRef(ow.Person))
		}
	}
	for _, ed := range rels {
		switch ed.Type {
		case models.RelHoldsShares:
			d.holding(ed, owners, primary)
		case models.RelBranchOf:
			d.headOffice(ed)
		default:
			d.control(ed)
		}
	}
	for _, ow := range o.Owners {
		if o.Fallback {
			d.manager(ow)
		} else if slices.Contains(ow.Criteria, store.CriterionBranchExecutive) {
			d.executive(ow)
		}
	}
	pids := make([]string, 0, len(primary))
	for pid := range primary {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	for _, pid := range pids {
		d.primary(owners[pid], primary[pid])
	}
	return d.out
}

// isHeadOffice reports whether ed is the branch's link to the foreign
// head office whose owners are its owners (Art. 8).
func isHeadOffice(o store.Owners, ed store.Edge) bool {
	return o.HeadOffice != nil && ed.Type == models.RelBranchOf && ed.To == *o.HeadOffice
}

func isOwner(owners map[string]store.Owner, r models.Ref) bool {
	_, ok := owners[r.Key]
	return ok && r.Kind == models.KindPerson
}

func propStr(p map[string]any, k string) string {
	s, _ := p[k].(string)
	return s
}

// linkID is the record id of a holding, control or executive partner's office.
func (d *declaration) linkID(ed store.Edge) string {
	switch ed.Type {
	case models.RelHoldsShares:
		return d.holdingID(ed.From, ed.To)
	case models.RelOfficerOf:
		return d.rid("control", "executive_partner/"+ed.From.String()+">"+ed.To.Key)
	case models.RelBranchOf:
		return d.rid("branch", ed.To.String()+">"+ed.From.Key)
	}
	return d.rid("control", propStr(ed.Props, "basis")+"/"+ed.From.String()+">"+ed.To.Key)
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func parseRef(s string) models.Ref {
	kind, key, _ := strings.Cut(s, ":")
	return models.Ref{Kind: models.NodeKind(kind), Key: key}
}

// emit appends a statement with its id: a SHA-256 of what it says.
func (d *declaration) emit(recordType, recordID string, details any) {
	if d.have[recordID] {
		return
	}
	d.have[recordID] = true
	body, _ := json.Marshal(details)
	h := sha256.Sum256([]byte(d.subject + "\x00" + recordID + "\x00" + d.date + "\x00" + string(body)))
	st := Statement{StatementID: hex.EncodeToString(h[:]), DeclarationSubject: d.nodeID(models.EnterpriseRef(d.subject)),
		StatementDate: d.date, RecordID: recordID, RecordType: recordType, RecordDetails: details,
		Source: &Source{Type: []string{"officialRegister"}, Description: "market-supervision registration data (riskgraph)"}}
	if d.opts.Publisher != "" || d.opts.PublisherURL != "" {
		st.PublicationDetails = &Publication{PublicationDate: d.opts.Published, BODSVersion: Version, License: d.opts.License,
			Publisher: Publisher{Name: d.opts.Publisher, URL: d.opts.PublisherURL}}
	}
	d.out = append(d.out, st)
}

// party writes the statement of an entity or person of the network.
func (d *declaration) party(r models.Ref) {
	if d.have[d.nodeID(r)] {
		return
	}
	n := d.net.Nodes[r]
	if r.Kind == models.KindPerson {
		p := &Person{PersonType: "knownPerson", IsComponent: d.component[d.nodeID(r)]}
		if n.Label != "" {
			p.Names = []Name{{Type: "legal", FullName: n.Label}}
		} else {
			p.PersonType = "unknownPerson"
			p.Unspecified = &Unspecified{Reason: "informationUnknownToPublisher", Description: "known to the register by a key only"}
		}
		d.emit("person", d.nodeID(r), p)
		return
	}
	e := models.Enterprise{Key: r.Key, Name: n.Label}
	if u, _ := n.Props["uscc"].(string); u != "" {
		e.USCC = u
	}
	if d.head != nil && r == *d.head {
		e.Kind = models.EnterpriseForeign // what makes Art. 8 apply, kept for an import
	}
	d.entity(e, false)
}

// entity writes an enterprise's statement; full gives every field of the
// root (its row was read), otherwise what the network's node carries.
func (d *declaration) entity(e models.Enterprise, root bool) {
	ref := e.Ref()
	det := &Entity{IsComponent: !root && d.component[d.nodeID(ref)], EntityType: EntityType{Type: "registeredEntity", Details: string(e.Kind)},
		Name: e.Name}
	if e.USCC != "" {
		det.Identifiers = []Identifier{{ID: e.USCC, Scheme: SchemeUSCC, SchemeName: "Unified Social Credit Identifier (统一社会信用代码)"}}
		det.Jurisdiction = &Jurisdiction{Name: "China", Code: "CN"}
	} else {
		det.Identifiers = []Identifier{{ID: e.Key, SchemeName: SchemeNameSourceKey}}
	}
	if root {
		if !e.Established.IsZero() {
			det.FoundingDate = e.Established.String()
		}
		if e.Address != "" {
			det.Addresses = []Address{{Type: "registered", Address: e.Address, Country: &Jurisdiction{Name: "China", Code: "CN"}}}
		}
	}
	if det.Name == "" {
		det.EntityType.Type = "unknownEntity"
	}
	d.emit("entity", d.nodeID(ref), det)
}

// holding writes a holding: a shareholding interest with the voting and
// income rights where they differ.
func (d *declaration) holding(ed store.Edge, owners map[string]store.Owner, primary map[string][]string) {
	id := d.holdingID(ed.From, ed.To)
	bo := false
	if ed.From.Kind == models.KindPerson && ed.To == d.net.Root {
		if ow, ok := owners[ed.From.Key]; ok && ow.Criterion != store.CriterionSeniorManager {
			_, indirect := primary[ed.From.Key]
			bo = !indirect
		}
	}
	since, _ := ed.Props["since"].(string)
	r := &Relationship{IsComponent: d.component[id], Subject: d.nodeID(ed.To), InterestedParty: d.nodeID(ed.From)}
	ratio, _ := ed.Props["ratio"].(float64)
	r.Interests = append(r.Interests, Interest{Type: InterestShareholding, DirectOrIndirect: "direct", BeneficialOwnershipOrControl: bo,
		Share: &Share{Exact: percent(ratio)}, StartDate: since})
	if v, ok := ed.Props["voting_ratio"].(float64); ok {
		r.Interests = append(r.Interests, Interest{Type: InterestVoting, DirectOrIndirect: "direct", BeneficialOwnershipOrControl: bo,
			Share: &Share{Exact: percent(v)}, StartDate: since})
	}
	if v, ok := ed.Props["income_ratio"].(float64); ok {
		r.Interests = append(r.Interests, Interest{Type: InterestIncome, DirectOrIndirect: "direct", BeneficialOwnershipOrControl: bo,
			Share: &Share{Exact: percent(v)}, StartDate: since})
	}
	d.emit("relationship", id, r)
}

// ControlDetails renders a control's basis, group and note as an
// interest's details ("agreement; note=VIE"), ParseControlDetails reads it.
func ControlDetails(c models.Control) string {
	s := "control:" + string(c.Basis)
	if c.Group != "" {
		s += "; group=" + c.Group
	}
	if c.Note != "" {
		s += "; note=" + c.Note
	}
	return s
}

// ParseControlDetails reads ControlDetails' form back; ok is false for
// details riskgraph did not write.
func ParseControlDetails(s string) (basis models.ControlBasis, group, note string, ok bool) {
	rest, found := strings.CutPrefix(s, "control:")
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "; ")
	basis = models.ControlBasis(parts[0])
	for _, p := range parts[1:] {
		if g, ok := strings.CutPrefix(p, "group="); ok {
			group = g
		} else if n, ok := strings.CutPrefix(p, "note="); ok {
			note = n
		}
	}
	return basis, group, note, basis.Valid() || basis == BasisExecutivePartner
}

// control writes a control (or an executive partner's office, which
// controls a partnership).
func (d *declaration) control(ed store.Edge) {
	c := store.ControlOf(ed)
	if ed.Type == models.RelOfficerOf {
		c = models.Control{Controller: ed.From, Enterprise: ed.To.Key, Basis: BasisExecutivePartner}
	}
	id := d.linkID(ed)
	r := &Relationship{IsComponent: d.component[id], Subject: d.nodeID(ed.To), InterestedParty: d.nodeID(ed.From)}
	in := Interest{Type: InterestOtherControl, DirectOrIndirect: "direct", Details: ControlDetails(c),
		BeneficialOwnershipOrControl: ed.From.Kind == models.KindPerson}
	if !c.Since.IsZero() {
		in.StartDate = c.Since.String()
	}
	if !c.Until.IsZero() {
		in.EndDate = c.Until.String()
	}
	r.Interests = []Interest{in}
	d.emit("relationship", id, r)
}

// BasisExecutivePartner is the details' basis of an executive partner's
// office (officers.csv title executive_partner), not a control row.
const BasisExecutivePartner models.ControlBasis = "executive_partner"

// manager writes a day-to-day manager of the fallback.
func (d *declaration) manager(ow store.Owner) {
	p := models.PersonRef(ow.Person)
	r := &Relationship{Subject: d.nodeID(d.net.Root), InterestedParty: d.nodeID(p), Interests: []Interest{{
		Type: InterestSeniorManager, DirectOrIndirect: "direct", BeneficialOwnershipOrControl: true, Details: ow.Title}}}
	d.emit("relationship", d.rid("manager", ow.Person), r)
}

// headOffice writes a foreign company's control of its branch (Art. 8).
func (d *declaration) headOffice(ed store.Edge) {
	id := d.linkID(ed)
	r := &Relationship{IsComponent: d.component[id], Subject: d.nodeID(ed.From), InterestedParty: d.nodeID(ed.To),
		Interests: []Interest{{Type: InterestLegalFramework, DirectOrIndirect: "direct", Details: BranchDetails}}}
	d.emit("relationship", id, r)
}

// executive writes a branch's senior executive, a beneficial owner of a
// foreign company's branch (Art. 8).
func (d *declaration) executive(ow store.Owner) {
	p := models.PersonRef(ow.Person)
	r := &Relationship{Subject: d.nodeID(d.net.Root), InterestedParty: d.nodeID(p), Interests: []Interest{{
		Type: InterestSeniorManager, DirectOrIndirect: "direct", BeneficialOwnershipOrControl: true, Details: ow.Title}}}
	d.emit("relationship", d.rid("executive", ow.Person), r)
}

// primary writes an owner's beneficial-ownership relationship through
// intermediate enterprises, listing them and their holdings as components.
func (d *declaration) primary(ow store.Owner, comps []string) {
	p := models.PersonRef(ow.Person)
	r := &Relationship{Subject: d.nodeID(d.net.Root), InterestedParty: d.nodeID(p), ComponentRecords: comps}
	met := func(c store.Criterion) bool { return slices.Contains(ow.Criteria, c) }
	r.Interests = append(r.Interests, Interest{Type: InterestShareholding, DirectOrIndirect: "indirect",
		BeneficialOwnershipOrControl: met(store.CriterionEquity), Share: &Share{Exact: percent(ow.Equity)}})
	if math.Abs(ow.Voting-ow.Equity) > 1e-12 {
		r.Interests = append(r.Interests, Interest{Type: InterestVoting, DirectOrIndirect: "indirect",
			BeneficialOwnershipOrControl: met(store.CriterionVoting), Share: &Share{Exact: percent(ow.Voting)}})
	}
	if math.Abs(ow.Income-ow.Equity) > 1e-12 {
		r.Interests = append(r.Interests, Interest{Type: InterestIncome, DirectOrIndirect: "indirect",
			BeneficialOwnershipOrControl: met(store.CriterionIncome), Share: &Share{Exact: percent(ow.Income)}})
	}
	if ow.Control != nil {
		det := "actual control: " + ow.Control.Basis
		if ow.Control.Jointly {
			det += ", jointly"
		}
		r.Interests = append(r.Interests, Interest{Type: InterestOtherControl, DirectOrIndirect: "indirect",
			BeneficialOwnershipOrControl: true, Details: det})
	}
	d.emit("relationship", d.rid("owner", ow.Person), r)
}

// Describe names a statement in messages: its id and record.
func Describe(s Statement) string {
	return fmt.Sprintf("statement %s (record %s)", s.StatementID, s.RecordID)
}
