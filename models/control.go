package models

// ControlBasis is how a controller controls an enterprise other than by
// holding its equity (docs/data-format.md, controls.csv).
type ControlBasis string

// Control bases.
const (
	// ControlAgreement: a control agreement (协议控制, e.g. a VIE
	// structure) or another contract that gives the controller the
	// enterprise's decisions.
	ControlAgreement ControlBasis = "agreement"
	// ControlActingInConcert: the controller is a party to an
	// acting-in-concert arrangement (一致行动) about the enterprise; the
	// parties with the same Group pool their votes.
	ControlActingInConcert ControlBasis = "acting_in_concert"
	// ControlGeneralPartner: the controller is a general partner or the
	// executive partner (普通合伙人 / 执行事务合伙人) of a partnership.
	ControlGeneralPartner ControlBasis = "general_partner"
	// ControlOther: actual control by other means (决定董事、高管任免, 支配
	// 重大资产 …), stated by the source.
	ControlOther ControlBasis = "other"
)

// ControlBases lists every control basis.
var ControlBases = []ControlBasis{ControlAgreement, ControlActingInConcert, ControlGeneralPartner, ControlOther}

// Valid reports whether b is a known basis.
func (b ControlBasis) Valid() bool {
	for _, x := range ControlBases {
		if b == x {
			return true
		}
	}
	return false
}

// Control is (controller)-[:CONTROLS {basis, group, since, until}]->(enterprise):
// control of an enterprise by agreement, by acting in concert or as its
// general partner. One control exists per (controller, enterprise, basis);
// a later row for the same three replaces it.
type Control struct {
	Controller Ref          `json:"controller"` // a person or an enterprise
	Enterprise string       `json:"enterprise"`
	Basis      ControlBasis `json:"basis"`
	// Group names the acting-in-concert arrangement (required for that
	// basis): the parties with the same Group about the same enterprise
	// act together.
	Group string `json:"group,omitempty"`
	// Note is the source's description of the basis (the agreement's
	// title and date …), kept as given.
	Note  string `json:"note,omitempty"`
	Since Date   `json:"since"`
	Until Date   `json:"until"`
}
