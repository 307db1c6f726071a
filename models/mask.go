package models

// Masking of persons' names, declared on the types.
//
// Some API roles (the dashboard's) must not see persons' names. The types
// that can carry one say so themselves, in one of two ways, and the
// server's masking (server/mask.go) reads nothing else:
//
//   - a struct tag on a field that always holds a person's name:
//     `mask:"name"` (a string or a list of strings), masked with MaskName;
//   - a method Masked() T on a type T whose fields hold a person's name only
//     sometimes (a graph node's label is a person's name when the node is a
//     person), or that the server cannot see into (opaque JSON, maps of
//     any): it returns the value as a masked role may see it. It masks the
//     value's own fields only; values nested in it are masked by their own
//     types.
//
// A field whose name suggests a name ("name", "label") or whose content is
// opaque (any, json.RawMessage) but never holds a person's name is tagged
// `mask:"public"`, with a comment saying why. A server test walks every
// route's response type and fails on any such field that is none of these.

// MaskName hides a person's name but its first character: "王小明" → "王*".
// One star whatever the length, so the mask says nothing about the rest of
// the name (not even how long it is).
func MaskName(name string) string {
	r := []rune(name)
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + "*"
}
