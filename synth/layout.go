package synth

// The canonical layout (docs/data-format.md) as the generator writes it: one
// CSV file per kind, each with a header in canonical column order. ingest
// owns the layout's reading side (ingest.FileKinds, FileKind.ColumnNames,
// the required columns and their validation); synth may not import ingest,
// so the names and headers are repeated here, and TestLayoutIsIngests fails
// when the two differ.

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
)

// fileKinds lists the files in the loader's order.
var fileKinds = []fileKind{fileEnterprises, filePersons, fileShareholdings, fileLegalReps,
	fileOfficers, fileBranches, fileRecords, fileRelations}

// fileName is the kind's file name: "<kind>.csv".
func (k fileKind) fileName() string { return string(k) + ".csv" }

// columns are each file's header, in canonical order.
var columns = map[fileKind][]string{
	fileEnterprises: {"uscc", "id", "name", "kind", "status", "capital", "currency",
		"established", "region", "industry", "address", "phone", "email"},
	filePersons:       {"person_id", "id_number", "name"},
	fileShareholdings: {"holder_kind", "holder", "enterprise", "ratio", "amount", "since"},
	fileLegalReps:     {"person_id", "enterprise", "since", "until"},
	fileOfficers:      {"person_id", "enterprise", "title", "since", "until"},
	fileBranches:      {"branch", "parent"},
	fileRecords: {"record_id", "subject_kind", "subject", "kind", "severity", "authority",
		"decided", "removed", "amount", "doc_no", "reason"},
	fileRelations: {"person_a", "person_b", "kind", "since"},
}

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
