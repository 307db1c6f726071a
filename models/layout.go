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
	// Extra marks an optional column added after the first layout (the
	// beneficial-owner columns): the loader reads it when a file has it,
	// the generator does not write it, so files without it load as before.
	Extra bool
}

// LayoutFile is one canonical file: <Kind>.csv.
type LayoutFile struct {
	Kind    string
	Columns []LayoutColumn
}

// Layout lists the canonical files in load order.
var Layout = []LayoutFile{
	{"enterprises", []LayoutColumn{
		{"uscc", false, false}, {"id", false, false}, {"name", true, false}, {"kind", false, false}, {"status", false, false},
		{"capital", false, false}, {"currency", false, false}, {"established", false, false}, {"region", false, false},
		{"industry", false, false}, {"address", false, false}, {"phone", false, false}, {"email", false, false},
	}},
	{"persons", []LayoutColumn{{"person_id", true, false}, {"id_number", false, false}, {"name", true, false}}},
	{"shareholdings", []LayoutColumn{
		{"holder_kind", true, false}, {"holder", true, false}, {"enterprise", true, false}, {"ratio", true, false},
		{"amount", false, false}, {"since", false, false},
		{Name: "voting_ratio", Extra: true}, {Name: "income_ratio", Extra: true},
	}},
	{"legal_reps", []LayoutColumn{{"person_id", true, false}, {"enterprise", true, false}, {"since", false, false}, {"until", false, false}}},
	{"officers", []LayoutColumn{{"person_id", true, false}, {"enterprise", true, false}, {"title", true, false}, {"since", false, false}, {"until", false, false},
		{Name: "day_to_day", Extra: true}}},
	{"branches", []LayoutColumn{{"branch", true, false}, {"parent", true, false}}},
	{"records", []LayoutColumn{
		{"record_id", true, false}, {"subject_kind", true, false}, {"subject", true, false}, {"kind", true, false},
		{"severity", false, false}, {"authority", false, false}, {"decided", true, false}, {"removed", false, false},
		{"amount", false, false}, {"doc_no", false, false}, {"reason", false, false},
	}},
	{"relations", []LayoutColumn{{"person_a", true, false}, {"person_b", true, false}, {"kind", true, false}, {"since", false, false}}},
	{"controls", []LayoutColumn{
		{"controller_kind", true, false}, {"controller", true, false}, {"enterprise", true, false}, {"basis", true, false},
		{"group", false, false}, {"note", false, false}, {"since", false, false}, {"until", false, false},
	}},
	// Administrative licences (models.Licence): facts of an enterprise's
	// credit file, never risk. valid_from and valid_to may lie after today.
	{"licences", []LayoutColumn{
		{"licence_id", true, false}, {"enterprise", true, false}, {"name", true, false}, {"number", false, false},
		{"doc_no", false, false}, {"content", false, false}, {"authority", false, false}, {"decided", true, false},
		{"valid_from", false, false}, {"valid_to", false, false},
	}},
}

// LayoutColumns returns the column names of the canonical file kind, in
// canonical order, without the Extra columns: the header the generator
// writes (nil for an unknown kind).
func LayoutColumns(kind string) []string {
	for _, f := range Layout {
		if f.Kind == kind {
			var out []string
			for _, c := range f.Columns {
				if !c.Extra {
					out = append(out, c.Name)
				}
			}
			return out
		}
	}
	return nil
}
