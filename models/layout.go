package models

// The canonical layout (docs/data-format.md): the files riskgraph loads
// without a mapping, in the order the loader reads them (entities before
// the relationships and records that refer to them), each with its columns
// in canonical order. ingest reads and validates it, synth writes it; this
// table is the one both use.

// LayoutColumn is one column of a canonical file.
type LayoutColumn struct {
	Name     string
	Required bool
}

// LayoutFile is one canonical file: <Kind>.csv.
type LayoutFile struct {
	Kind    string
	Columns []LayoutColumn
}

// Layout lists the canonical files in load order.
var Layout = []LayoutFile{
	{"enterprises", []LayoutColumn{
		{"uscc", false}, {"id", false}, {"name", true}, {"kind", false}, {"status", false},
		{"capital", false}, {"currency", false}, {"established", false}, {"region", false},
		{"industry", false}, {"address", false}, {"phone", false}, {"email", false},
	}},
	{"persons", []LayoutColumn{{"person_id", true}, {"id_number", false}, {"name", true}}},
	{"shareholdings", []LayoutColumn{
		{"holder_kind", true}, {"holder", true}, {"enterprise", true}, {"ratio", true},
		{"amount", false}, {"since", false},
	}},
	{"legal_reps", []LayoutColumn{{"person_id", true}, {"enterprise", true}, {"since", false}, {"until", false}}},
	{"officers", []LayoutColumn{{"person_id", true}, {"enterprise", true}, {"title", true}, {"since", false}, {"until", false}}},
	{"branches", []LayoutColumn{{"branch", true}, {"parent", true}}},
	{"records", []LayoutColumn{
		{"record_id", true}, {"subject_kind", true}, {"subject", true}, {"kind", true},
		{"severity", false}, {"authority", false}, {"decided", true}, {"removed", false},
		{"amount", false}, {"doc_no", false}, {"reason", false},
	}},
	{"relations", []LayoutColumn{{"person_a", true}, {"person_b", true}, {"kind", true}, {"since", false}}},
	// Administrative licences (models.Licence): facts of an enterprise's
	// credit file, never risk. valid_from and valid_to may lie after today.
	{"licences", []LayoutColumn{
		{"licence_id", true}, {"enterprise", true}, {"name", true}, {"number", false},
		{"doc_no", false}, {"content", false}, {"authority", false}, {"decided", true},
		{"valid_from", false}, {"valid_to", false},
	}},
}

// LayoutColumns returns the column names of the canonical file kind, in
// canonical order (nil for an unknown kind).
func LayoutColumns(kind string) []string {
	for _, f := range Layout {
		if f.Kind == kind {
			out := make([]string, len(f.Columns))
			for i, c := range f.Columns {
				out[i] = c.Name
			}
			return out
		}
	}
	return nil
}
