package ingest

import (
	"fmt"
	"path/filepath"
	"strings"

	"riskgraph/models"
)

// FileKind names one file of the canonical layout. The layout is a directory
// holding some or all of <kind>.csv; see docs/data-format.md.
type FileKind string

// The canonical files, in the order the loader reads them (entities before
// the relationships and records that refer to them).
const (
	FileEnterprises   FileKind = "enterprises"
	FilePersons       FileKind = "persons"
	FileShareholdings FileKind = "shareholdings"
	FileLegalReps     FileKind = "legal_reps"
	FileOfficers      FileKind = "officers"
	FileBranches      FileKind = "branches"
	FileRecords       FileKind = "records"
	FileRelations     FileKind = "relations"
	FileLicences      FileKind = "licences"
	// FileControls: control agreements, acting in concert, general
	// partners (docs/data-format.md, controls.csv).
	FileControls FileKind = "controls"
)

// FileKinds lists the canonical files in load order.
var FileKinds = []FileKind{FileEnterprises, FilePersons, FileShareholdings, FileLegalReps,
	FileOfficers, FileBranches, FileRecords, FileRelations, FileControls, FileLicences}

// FileName is the kind's file name in a canonical directory: "<kind>.csv".
func (k FileKind) FileName() string { return string(k) + ".csv" }

// Valid reports whether k is a canonical file kind.
func (k FileKind) Valid() bool {
	_, ok := canonicalColumns[k]
	return ok
}

// order is the kind's position in FileKinds.
func (k FileKind) order() int {
	for i, x := range FileKinds {
		if x == k {
			return i
		}
	}
	return len(FileKinds)
}

// KindOfFile returns the kind of a canonical file from its name
// (".../shareholdings.csv" → FileShareholdings).
func KindOfFile(path string) (FileKind, error) {
	base := filepath.Base(path)
	k := FileKind(strings.TrimSuffix(strings.ToLower(base), ".csv"))
	if !strings.EqualFold(filepath.Ext(base), ".csv") || !k.Valid() {
		names := make([]string, len(FileKinds))
		for i, k := range FileKinds {
			names[i] = k.FileName()
		}
		return "", fmt.Errorf("file %q: not a canonical file name (want one of %s)", base, strings.Join(names, ", "))
	}
	return k, nil
}

// Column is one column of a canonical file.
type Column struct {
	Name     string
	Required bool
}

// Columns returns the kind's columns in canonical order (the order the
// generator, package synth, writes; the loader accepts any order and extra
// columns).
func (k FileKind) Columns() []Column {
	return append([]Column(nil), canonicalColumns[k]...)
}

// ColumnNames returns the kind's column names in canonical order, without
// the optional columns added later (models.LayoutColumn.Extra): the header
// the generator writes.
func (k FileKind) ColumnNames() []string {
	return models.LayoutColumns(string(k))
}

// Column positions in canonical order; parsers index the canonical-order
// value slice with them.
const (
	entUSCC = iota
	entID
	entName
	entKind
	entStatus
	entCapital
	entCurrency
	entEstablished
	entRegion
	entIndustry
	entAddress
	entPhone
	entEmail
)

const (
	perID = iota
	perIDNumber
	perName
)

const (
	shHolderKind = iota
	shHolder
	shEnterprise
	shRatio
	shAmount
	shSince
	shVoting
	shIncome
)

const (
	lrPerson = iota
	lrEnterprise
	lrSince
	lrUntil
)

const (
	ofPerson = iota
	ofEnterprise
	ofTitle
	ofSince
	ofUntil
	ofDayToDay
)

const (
	brBranch = iota
	brParent
)

const (
	rcID = iota
	rcSubjectKind
	rcSubject
	rcKind
	rcSeverity
	rcAuthority
	rcDecided
	rcRemoved
	rcAmount
	rcDocNo
	rcReason
)

const (
	rlPersonA = iota
	rlPersonB
	rlKind
	rlSince
)

const (
	lcID = iota
	lcEnterprise
	lcName
	lcNumber
	lcDocNo
	lcContent
	lcAuthority
	lcDecided
	lcValidFrom
	lcValidTo
)

const (
	ctControllerKind = iota
	ctController
	ctEnterprise
	ctBasis
	ctGroup
	ctNote
	ctSince
	ctUntil
)

// canonicalColumns is models.Layout by kind (the one table of the layout,
// shared with the generator).
var canonicalColumns = func() map[FileKind][]Column {
	m := make(map[FileKind][]Column, len(models.Layout))
	for _, f := range models.Layout {
		cols := make([]Column, len(f.Columns))
		for i, c := range f.Columns {
			cols[i] = Column{Name: c.Name, Required: c.Required}
		}
		m[FileKind(f.Kind)] = cols
	}
	return m
}()

// OfficerTitles are the titles the officers file accepts.
var OfficerTitles = []string{
	"chairman",               // 董事长
	"vice_chairman",          // 副董事长
	"executive_director",     // 执行董事
	"director",               // 董事
	"independent_director",   // 独立董事
	"chief_supervisor",       // 监事会主席
	"supervisor",             // 监事
	"general_manager",        // 总经理
	"deputy_general_manager", // 副总经理
	"manager",                // 经理
	"cfo",                    // 财务负责人
	"board_secretary",        // 董事会秘书
	"executive_partner",      // 执行事务合伙人 (委派代表)
	"branch_head",            // 分公司负责人
	"other",
}

// DefaultSeverity returns the severity the loader gives a record of kind k
// whose severity column is empty; ok is false for kinds riskgraph does not
// know by name, whose rows must carry a severity.
func DefaultSeverity(k models.RecordKind) (severity float64, ok bool) {
	severity, ok = defaultSeverity[k]
	return severity, ok
}

var defaultSeverity = map[models.RecordKind]float64{
	models.RecordPenalty:          0.4,
	models.RecordAbnormal:         0.3,
	models.RecordSeriousViolation: 0.9,
	models.RecordBlacklist:        0.9,
	models.RecordDishonestDebtor:  0.7,
	models.RecordTaxViolation:     0.7,
}
