package auditlog

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"riskgraph/store"
)

// An entry is encoded once per audited request, on the request's path, so
// it is written by hand rather than by encoding/json's reflection — but
// byte for byte as json.Marshal writes it (TestAppendEntryAsMarshal,
// FuzzAppendEntry): readers decode records with encoding/json, and two
// encodings of one entry must not coexist. Whatever the fast path does not
// cover exactly (a time outside UTC or years 0–9999, a string needing an
// escape) is left to json.Marshal.

// appendEntry appends e's JSON to b.
func appendEntry(b []byte, e *store.AuditEntry) ([]byte, error) {
	if y := e.Time.Year(); e.Time.Location() != time.UTC || y < 0 || y > 9999 {
		return marshalEntry(b, e)
	}
	start := len(b)
	ok := true
	str := func(name, s string) {
		b = append(b, name...)
		if ok {
			b, ok = appendPlainString(b, s)
		}
	}
	str(`{"id":`, e.ID)
	b = append(b, `,"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	str(`,"key_id":`, e.KeyID)
	str(`,"role":`, e.Role)
	str(`,"method":`, e.Method)
	str(`,"route":`, e.Route)
	if len(e.Entities) > 0 {
		b = append(b, `,"entities":[`...)
		for i, x := range e.Entities {
			if i > 0 {
				b = append(b, ',')
			}
			str("", x)
		}
		b = append(b, ']')
	}
	if e.Query != "" {
		str(`,"query":`, e.Query)
	}
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, '}')
	if !ok {
		return marshalEntry(b[:start], e)
	}
	return b, nil
}

func marshalEntry(b []byte, e *store.AuditEntry) ([]byte, error) {
	j, err := json.Marshal(e)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

// appendPlainString appends s quoted when json.Marshal would write it
// unescaped: valid UTF-8 without control characters, '"', '\\', the HTML
// characters '<', '>', '&' and U+2028, U+2029. Otherwise it reports false
// (what it appended is then of no use).
func appendPlainString(b []byte, s string) ([]byte, bool) {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return b, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return b, false
		}
		i += size
	}
	b = append(b, s...)
	return append(b, '"'), true
}
