package credit

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"riskgraph/store"
)

// Answer is a check as the caller receives it and as it is stored: the
// stored body is the JSON encoding of the Answer, byte for byte what was
// sent. EvidenceSHA256 is the hex SHA-256 of the bytes of the "result"
// member exactly as they appear in that body, so anyone holding the
// answer can recompute it (VerifyAnswer).
type Answer struct {
	ID        string    `json:"id"`
	CheckedAt time.Time `json:"checked_at"`
	// KeyID is the API key id of the caller ("local-cli" from the command line).
	KeyID          string `json:"key_id"`
	EvidenceSHA256 string `json:"evidence_sha256"`
	Result         Result `json:"result"`
}

// NewID returns a check id that sorts by t: "chk_", 16 hex digits of t's
// Unix nanoseconds, 16 random hex digits (a batch seals thousands at one t).
func NewID(t time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("chk_%016x%s", uint64(t.UnixNano()), hex.EncodeToString(b[:]))
}

// Seal makes the answer of a result: id, time, caller and evidence hash;
// it returns the answer, its body and the row to store.
func Seal(res Result, keyID string, now time.Time) (Answer, store.CreditCheck, error) {
	ev, err := json.Marshal(res)
	if err != nil {
		return Answer{}, store.CreditCheck{}, err
	}
	sum := sha256.Sum256(ev)
	now = now.UTC()
	a := Answer{ID: NewID(now), CheckedAt: now, KeyID: keyID, EvidenceSHA256: hex.EncodeToString(sum[:]), Result: res}
	body, err := json.Marshal(a)
	if err != nil {
		return Answer{}, store.CreditCheck{}, err
	}
	if !bytes.Contains(body, ev) {
		return Answer{}, store.CreditCheck{}, fmt.Errorf("credit: the answer does not carry its evidence as hashed")
	}
	return a, store.CreditCheck{ID: a.ID, Created: now, KeyID: keyID, Scenario: res.Scenario.ID,
		Subject: res.Subject.Ref.String(), Verdict: res.Verdict, Catalogue: res.Catalogue.Version,
		EvidenceSHA256: a.EvidenceSHA256, Body: body}, nil
}

// VerifyAnswer recomputes a stored answer's evidence hash from its body:
// nil when the "result" member's bytes hash to evidence_sha256.
func VerifyAnswer(body []byte) error {
	var a struct {
		EvidenceSHA256 string          `json:"evidence_sha256"`
		Result         json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("credit check answer: %w", err)
	}
	sum := sha256.Sum256(a.Result)
	if got := hex.EncodeToString(sum[:]); got != a.EvidenceSHA256 {
		return fmt.Errorf("credit check answer: its result hashes to %s, not to the evidence_sha256 it carries (%s)", got, a.EvidenceSHA256)
	}
	return nil
}
