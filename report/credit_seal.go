package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"riskgraph/store"
)

// A credit report is sealed by the SHA-256 of its canonical JSON: the
// report as a JSON object without its "sha256" member, with every object's
// members sorted by name, no insignificant white space, numbers exactly as
// written and strings escaped as Go's encoding/json does without HTML
// escaping. Anyone holding a copy (the JSON, or the number and hash
// printed on the HTML and PDF) can recompute it, and compare it with the
// stored report that GET /api/v1/credit-reports/{number} returns.

// ErrTampered: a copy of a credit report does not match its seal or the
// issued report.
var ErrTampered = errors.New("credit report does not verify")

// canonical returns the canonical JSON of a report's JSON (see above) and
// the "sha256" it claims.
func canonical(raw []byte) ([]byte, string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, "", fmt.Errorf("credit report: %w", err)
	}
	if dec.More() {
		return nil, "", errors.New("credit report: more than one JSON value")
	}
	claimed, _ := doc["sha256"].(string)
	delete(doc, "sha256")
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, "", err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), claimed, nil
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// SealCredit sets d.SHA256 and returns the issued JSON: the canonical
// JSON of d with its hash, which is what is stored and served.
func SealCredit(d *CreditReport) ([]byte, error) {
	d.SHA256 = ""
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	c, _, err := canonical(raw)
	if err != nil {
		return nil, err
	}
	d.SHA256 = digest(c)
	return insertMember(c, "sha256", d.SHA256)
}

// insertMember adds "name": value to a canonical object, keeping the
// members sorted.
func insertMember(obj []byte, name, value string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	doc[name] = value
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// VerifyCredit checks a copy of a credit report: its content must hash to
// the "sha256" it carries, and, when issued is not nil (the stored
// report), to the issued report's. Whitespace and member order of the
// copy do not matter; any changed value does. The error wraps ErrTampered
// and says which check failed.
func VerifyCredit(copy, issued []byte) error {
	c, claimed, err := canonical(copy)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrTampered, err)
	}
	got := digest(c)
	if claimed == "" {
		return fmt.Errorf("%w: the copy carries no sha256", ErrTampered)
	}
	if got != claimed {
		return fmt.Errorf("%w: its content hashes to %s, but it claims %s: it was changed after it was issued", ErrTampered, got, claimed)
	}
	if issued == nil {
		return nil
	}
	ic, iclaimed, err := canonical(issued)
	if err != nil {
		return err
	}
	if want := digest(ic); want != got || iclaimed != claimed {
		return fmt.Errorf("%w: the issued report under this number hashes to %s, the copy to %s", ErrTampered, want, got)
	}
	return nil
}

// IssueCredit builds, seals and stores the credit report of the
// enterprise with the given key, and returns it with its issued JSON.
// keyID names who had it issued (the API key id, or "local-cli").
func IssueCredit(ctx context.Context, in CreditInput, saver store.CreditReportStore, key, keyID string) (*CreditReport, []byte, error) {
	d, err := BuildCredit(ctx, in, key)
	if err != nil {
		return nil, nil, err
	}
	body, err := SealCredit(d)
	if err != nil {
		return nil, nil, err
	}
	err = saver.SaveCreditReport(ctx, store.CreditReport{Number: d.Number, Created: d.Issued, Subject: d.Subject.Ref,
		KeyID: keyID, Run: d.Engine.Run, Catalogue: d.Catalogue.Version, SHA256: d.SHA256, Body: body})
	if err != nil {
		return nil, nil, err
	}
	return d, body, nil
}

// ParseCredit reads an issued report's JSON.
func ParseCredit(body []byte) (*CreditReport, error) {
	var d CreditReport
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("credit report: %w", err)
	}
	return &d, nil
}

// Parties lists the subject and every party the report names, as
// "enterprise:<key>" and "person:<pid>" (for the audit log).
func (d *CreditReport) Parties() []string {
	seen := map[string]bool{}
	var out []string
	add := func(ps ...Party) {
		for _, p := range ps {
			if p.Ref != "" && !seen[p.Ref] {
				seen[p.Ref] = true
				out = append(out, p.Ref)
			}
		}
	}
	add(d.Subject)
	add(d.Registration.LegalReps...)
	if d.Registration.Parent != nil {
		add(*d.Registration.Parent)
	}
	for _, c := range d.Grade.Contributions {
		add(c.Subject)
		add(c.Path...)
	}
	for _, f := range d.Flags {
		add(f.Evidence...)
	}
	for _, o := range d.Owners.Owners {
		add(o.Person)
		for _, c := range o.Chains {
			add(c.Path...)
		}
	}
	if c := d.Owners.Controller; c != nil {
		add(c.Party)
		add(c.Chain...)
	}
	for _, r := range d.Related.WithRecords {
		add(r.Party)
	}
	for _, n := range d.Network.Nodes {
		add(n.Party)
	}
	return out
}
