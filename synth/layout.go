package synth

import "riskgraph/models"

// The canonical layout (docs/data-format.md) as the generator writes it: one
// CSV file per kind, each with a header in canonical column order, taken
// from models.Layout (the table ingest reads and validates too).

// fileKind names one canonical file; its file name is <kind>.csv.
type fileKind string

const (
	fileEnterprises   fileKind = "enterprises"
	filePersons       fileKind = "persons"
	fileShareholdings fileKind = "shareholdings"
	fileLegalReps     fileKind = "legal_reps"
	fileOfficers      fileKind = "officers"
	fileBranches      fileKind = "branches"
	fileRecords       fileKind = "records"
	fileRelations     fileKind = "relations" // written with its header only: the generator plants no relations
	fileLicences      fileKind = "licences"  // written with its header only: licences never raise risk, nothing to plant
	fileControls      fileKind = "controls"  // written with its header only: the generator plants no controls
)

// fileKinds lists the files in the loader's order.
var fileKinds = []fileKind{fileEnterprises, filePersons, fileShareholdings, fileLegalReps,
	fileOfficers, fileBranches, fileRecords, fileRelations, fileControls, fileLicences}

// fileName is the kind's file name: "<kind>.csv".
func (k fileKind) fileName() string { return string(k) + ".csv" }

// columns are each file's header, in canonical order (models.Layout).
var columns = func() map[fileKind][]string {
	m := make(map[fileKind][]string, len(fileKinds))
	for _, k := range fileKinds {
		m[k] = models.LayoutColumns(string(k))
	}
	return m
}()

// Positions of the enterprises.csv columns in columns[fileEnterprises].
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
