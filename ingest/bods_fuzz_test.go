package ingest

import (
	"context"
	"strings"
	"testing"

	"riskgraph/store/memory"
)

// FuzzLoadBODS feeds arbitrary bytes to the BODS reader and loader: no
// panic, and every reject names a statement position and says what to
// change.
func FuzzLoadBODS(f *testing.F) {
	for _, s := range []string{
		`[{"statementId":"a","declarationSubject":"e","recordId":"e","recordType":"entity","recordDetails":{"isComponent":false,"entityType":{"type":"registeredEntity"},"name":"A","identifiers":[{"scheme":"CN-USCI","id":"91440305MA5F000189"}]}},
{"statementId":"b","declarationSubject":"e","recordId":"p","recordType":"person","recordDetails":{"isComponent":false,"personType":"knownPerson","names":[{"fullName":"张伟"}]}},
{"statementId":"c","declarationSubject":"e","recordId":"r","recordType":"relationship","recordDetails":{"isComponent":false,"subject":"e","interestedParty":"p","interests":[{"type":"shareholding","directOrIndirect":"direct","share":{"exact":60}},{"type":"otherInfluenceOrControl","details":"control:acting_in_concert; group=g"}]}}]`,
		`{"statementId":"x","recordId":"r","recordType":"relationship","recordDetails":{"subject":{"reason":"unknown"},"interestedParty":"q"}}` + "\n",
		`[{"recordType":"entity","recordDetails":[]}]`,
		`[`, `{}`, ``,
	} {
		f.Add(s)
	}
	h := testHasher(f)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := memory.Open(memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		l, err := NewLoader(s, LoadOptions{Hasher: h, Source: "fuzz", Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if err := l.LoadBODS(context.Background(), "in.json", strings.NewReader(in)); err != nil {
			return // an unreadable input is an error, not a panic
		}
		for _, r := range l.Summary().Rejects {
			if r.Line < 1 || r.Reason == "" || (r.Fix == "" && r.Level == "") {
				t.Fatalf("incomplete reject %+v", r)
			}
		}
	})
}
