package report

import (
	"bytes"
	"encoding/json"
)

// RenderJSON renders the document as indented JSON with a final newline.
// HTML characters are not escaped, so Chinese names and "<" stay readable.
func RenderJSON(d *Document) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
