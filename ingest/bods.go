package ingest

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"riskgraph/models"
	"riskgraph/report/bods"
)

// Loading Beneficial Ownership Data Standard 0.4 statements
// (docs/beneficial-owners.md, "BODS import"): entity statements become
// enterprises rows, person statements persons rows, relationship
// statements' direct interests shareholdings (with voting and income
// ratios), controls, day-to-day managers and a head office's control of
// its branch (branches). The rows then go through the
// loader like any canonical file, so every validation and reject applies;
// each reject names the statement it came from. Indirect interests are
// left out: they are derived, and riskgraph derives them again from the
// direct ones.

// bodsKinds are the canonical files a BODS input is turned into, in load order.
var bodsKinds = []FileKind{FileEnterprises, FilePersons, FileShareholdings, FileOfficers, FileBranches, FileControls}

// bodsTable is the rows of one canonical kind made from statements.
type bodsTable struct {
	kind  FileKind
	cols  []string
	rows  [][]string
	stmts []int // the statement (ordinal) of each row
}

func (t *bodsTable) add(stmt int, vals map[string]string) {
	row := make([]string, len(t.cols))
	for i, c := range t.cols {
		row[i] = vals[c]
	}
	t.rows = append(t.rows, row)
	t.stmts = append(t.stmts, stmt)
}

// Columns and Next make the table a Rows: line n+1 is row n (the header
// is line 1), and the statement of each line is known (statementOf).
func (t *bodsTable) Columns() []string { return t.cols }

type bodsRows struct {
	t *bodsTable
	i int
}

func (r *bodsRows) Columns() []string { return r.t.cols }
func (r *bodsRows) Next() (Row, error) {
	if r.i >= len(r.t.rows) {
		return Row{}, io.EOF
	}
	r.i++
	return Row{Line: r.i + 1, Values: slices.Clone(r.t.rows[r.i-1])}, nil
}

// bodsParty is what an entity or person statement gave.
type bodsParty struct {
	stmt    int
	ref     models.Ref // the enterprise key or, for a person, the person_id written
	subject bool       // the statement's record is its declaration's subject
	named   bool
	vals    map[string]string
}

// bodsFile is a BODS input being read.
type bodsFile struct {
	name    string
	source  string
	stmts   []bods.Statement // ids and record ids only (details dropped)
	parties map[string]*bodsParty
	order   []string // party record ids in the order met
	rels    []bodsRel
	rejects []Reject
}

type bodsRel struct {
	stmt int
	rel  bods.Relationship
}

// LoadBODS reads BODS statements from r (a JSON array of statements, or
// one statement a line) and loads them; name names the input in rejects,
// whose line is the statement's position in the input (1 for the first)
// and whose Statement is its statementId.
func (l *Loader) LoadBODS(ctx context.Context, name string, r io.Reader) error {
	f := &bodsFile{name: name, source: l.opts.Source, parties: map[string]*bodsParty{}}
	if err := f.read(r); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	tables := f.tables()
	if len(f.rejects) > 0 {
		// Statements refused before they became rows (a dangling
		// reference, an unknown record type), counted under one file.
		fs := l.beginFile(name+"#statements", FileControls)
		for _, rj := range f.rejects {
			l.tally.reject(fs, rj)
		}
		l.endFile(fs, l.opts.Now())
	}
	statementOf := func(file string, line int) (int, bool) {
		for _, t := range tables {
			if file == bodsFileName(name, t.kind) && line >= 2 && line-2 < len(t.stmts) {
				return t.stmts[line-2], true
			}
		}
		return 0, false
	}
	l.tally.mu.Lock()
	l.tally.rewrite = func(rj *Reject) {
		if n, ok := statementOf(rj.File, rj.Line); ok {
			rj.File, rj.Line, rj.Statement = name, n, f.stmts[n-1].StatementID
		}
	}
	l.tally.mu.Unlock()
	defer func() {
		l.tally.mu.Lock()
		l.tally.rewrite = nil
		l.tally.mu.Unlock()
	}()
	for _, t := range tables {
		if len(t.rows) == 0 {
			continue
		}
		if err := l.LoadRows(ctx, t.kind, bodsFileName(name, t.kind), &bodsRows{t: t}); err != nil {
			return err
		}
	}
	return nil
}

// bodsFileName names the rows of one kind made from input name.
func bodsFileName(name string, k FileKind) string { return name + "#" + string(k) }

// read decodes every statement.
func (f *bodsFile) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<16)
	dec := json.NewDecoder(br)
	first, err := firstByte(br)
	if err != nil {
		return err
	}
	array := first == '['
	if array {
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("not JSON: %w", err)
		}
	}
	for n := 1; ; n++ {
		if array && !dec.More() {
			break
		}
		var raw struct {
			StatementID        string          `json:"statementId"`
			DeclarationSubject string          `json:"declarationSubject"`
			RecordID           string          `json:"recordId"`
			RecordType         string          `json:"recordType"`
			RecordDetails      json.RawMessage `json:"recordDetails"`
		}
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) && !array {
			break
		}
		if err != nil {
			return fmt.Errorf("statement %d: not a JSON statement: %w (give a JSON array of BODS 0.4 statements, or one statement a line)", n, err)
		}
		st := bods.Statement{StatementID: raw.StatementID, RecordID: raw.RecordID, RecordType: raw.RecordType, DeclarationSubject: raw.DeclarationSubject}
		f.stmts = append(f.stmts, st)
		f.statement(n, raw.DeclarationSubject, raw.RecordDetails)
	}
	return nil
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, errors.New("empty input: give a JSON array of BODS 0.4 statements")
			}
			return 0, err
		}
		if b == 0xEF { // a UTF-8 byte-order mark
			_, _ = br.Discard(2)
			continue
		}
		if b != ' ' && b != '\n' && b != '\r' && b != '\t' {
			return b, br.UnreadByte()
		}
	}
}

// reject records a statement refused before it became a row.
func (f *bodsFile) reject(n int, field, value, reason, fix string) {
	f.rejects = append(f.rejects, Reject{File: f.name, Line: n, Statement: f.stmts[n-1].StatementID, Field: field, Value: value, Reason: reason, Fix: fix})
}

// statement reads statement n's record.
func (f *bodsFile) statement(n int, subject string, details json.RawMessage) {
	st := f.stmts[n-1]
	if st.RecordID == "" {
		f.reject(n, "recordId", "", "is empty", "give every statement the recordId of the entity, person or relationship it is about")
		return
	}
	switch st.RecordType {
	case "entity":
		var e bods.Entity
		if err := json.Unmarshal(details, &e); err != nil {
			f.reject(n, "recordDetails", "", "is not an entity's details: "+err.Error(), "give the entity record's details as BODS 0.4 describes them")
			return
		}
		f.entity(n, st.RecordID, st.RecordID == subject, e)
	case "person":
		var p bods.Person
		if err := json.Unmarshal(details, &p); err != nil {
			f.reject(n, "recordDetails", "", "is not a person's details: "+err.Error(), "give the person record's details as BODS 0.4 describes them")
			return
		}
		f.person(n, st.RecordID, p)
	case "relationship":
		var rel bods.Relationship
		if err := json.Unmarshal(details, &rel); err != nil {
			f.reject(n, "recordDetails", "", "is not a relationship's details: "+err.Error(), "give subject and interestedParty as record ids, and interests")
			return
		}
		f.rels = append(f.rels, bodsRel{stmt: n, rel: rel})
	default:
		f.reject(n, "recordType", st.RecordType, "is not entity, person or relationship", "BODS 0.4 statements have recordType entity, person or relationship")
	}
}

// entity keys an entity statement: its USCC (scheme CN-USCI), else the
// source key riskgraph wrote, else src:<source>:<scheme>-<id> of another
// identifier, else src:<source>:<recordId>.
func (f *bodsFile) entity(n int, rid string, subject bool, e bods.Entity) {
	key, uscc := "", ""
	for _, id := range e.Identifiers {
		switch {
		case id.Scheme == bods.SchemeUSCC && id.ID != "":
			uscc = id.ID
		case id.SchemeName == bods.SchemeNameSourceKey && strings.HasPrefix(id.ID, "src:") && key == "":
			key = id.ID
		}
	}
	if key == "" && uscc == "" {
		for _, id := range e.Identifiers {
			if id.Scheme != "" && id.ID != "" {
				key = "src:" + f.source + ":" + id.Scheme + "-" + id.ID
				break
			}
		}
	}
	if key == "" && uscc == "" {
		key = "src:" + f.source + ":" + rid
	}
	vals := map[string]string{"uscc": uscc, "name": e.Name}
	if uscc == "" {
		vals["id"] = key
	}
	if k := models.EnterpriseKind(e.EntityType.Details); slices.Contains(models.EnterpriseKinds, k) {
		vals["kind"] = string(k)
	}
	if len(e.FoundingDate) == len("2006-01-02") {
		vals["established"] = e.FoundingDate
	}
	for _, a := range e.Addresses {
		if a.Type == "registered" || vals["address"] == "" {
			vals["address"] = a.Address
		}
	}
	ref := models.EnterpriseRef(key)
	if uscc != "" {
		ref = models.EnterpriseRef(uscc)
	}
	f.addParty(rid, &bodsParty{stmt: n, ref: ref, subject: subject, named: e.Name != "", vals: vals})
}

// person keys a person statement: the pid of a riskgraph record id
// (".../person/<pid>"), else the record id as the data set's person_id.
func (f *bodsFile) person(n int, rid string, p bods.Person) {
	id := rid
	if i := strings.LastIndex(rid, "/person/"); i >= 0 {
		if pid := rid[i+len("/person/"):]; len(pid) == 32 && strings.Trim(pid, "0123456789abcdef") == "" {
			id = pidPrefix + pid
		}
	}
	name := ""
	for _, nm := range p.Names {
		if name == "" || nm.Type == "legal" {
			name = nm.FullName
		}
	}
	f.addParty(rid, &bodsParty{stmt: n, ref: models.PersonRef(id), named: name != "", vals: map[string]string{"person_id": id, "name": name}})
}

func (f *bodsFile) addParty(rid string, p *bodsParty) {
	if old, ok := f.parties[rid]; ok {
		if old.subject && !p.subject {
			return // the subject's own statement gives the record
		}
	} else {
		f.order = append(f.order, rid)
	}
	f.parties[rid] = p
}

// tables turns the parties and relationships into canonical rows.
func (f *bodsFile) tables() []*bodsTable {
	tables := make([]*bodsTable, len(bodsKinds))
	byKind := map[FileKind]*bodsTable{}
	for i, k := range bodsKinds {
		tables[i] = &bodsTable{kind: k, cols: fieldNames(k)}
		byKind[k] = tables[i]
	}
	// An enterprise is written once (its own declaration's statement when
	// it has one); one known only by a key becomes a placeholder through
	// the relationships that name it.
	written := map[models.Ref]bool{}
	subjects := map[models.Ref]bool{}
	for _, rid := range f.order {
		if p := f.parties[rid]; p.subject {
			subjects[p.ref] = true
		}
	}
	for _, rid := range f.order {
		p := f.parties[rid]
		if written[p.ref] || !p.named || (subjects[p.ref] && !p.subject) {
			continue
		}
		written[p.ref] = true
		if p.ref.Kind == models.KindPerson {
			byKind[FilePersons].add(p.stmt, p.vals)
		} else {
			byKind[FileEnterprises].add(p.stmt, p.vals)
		}
	}
	for _, r := range f.rels {
		f.relationship(r, byKind)
	}
	return tables
}

// fieldNames are the canonical columns of kind, optional ones included.
func fieldNames(k FileKind) []string {
	cols := canonicalColumns[k]
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// refOf returns the party a relationship names, rejecting a dangling one.
func (f *bodsFile) refOf(r bodsRel, field, rid string, wantEntity bool) (models.Ref, bool) {
	p, ok := f.parties[rid]
	switch {
	case rid == "":
		f.reject(r.stmt, field, "", "is not a record id (an unspecified party cannot be loaded)", "name the party's recordId, or drop the relationship")
	case !ok:
		f.reject(r.stmt, field, rid, "names no entity or person statement of the input", "include the statement of record "+rid+" in the input (before the relationship), or drop the relationship")
	case wantEntity && p.ref.Kind != models.KindEnterprise:
		f.reject(r.stmt, field, rid, "is a person; the subject of a relationship is an entity", "name the entity whose ownership the relationship describes")
	default:
		return p.ref, true
	}
	return models.Ref{}, false
}

// relationship turns a relationship's direct interests into rows.
func (f *bodsFile) relationship(r bodsRel, byKind map[FileKind]*bodsTable) {
	subj, ok1 := f.refOf(r, "subject", r.rel.Subject, true)
	party, ok2 := f.refOf(r, "interestedParty", r.rel.InterestedParty, false)
	if !ok1 || !ok2 {
		return
	}
	if party == subj {
		f.reject(r.stmt, "interestedParty", r.rel.InterestedParty, "is the subject itself", "an entity cannot hold or control itself; drop the relationship")
		return
	}
	partyKind, partyKey := string(party.Kind), party.Key
	var holding map[string]string
	for _, in := range r.rel.Interests {
		if in.DirectOrIndirect == "indirect" {
			continue // derived: riskgraph computes it from the direct interests
		}
		switch in.Type {
		case bods.InterestShareholding, bods.InterestVoting, bods.InterestIncome:
			share, why := shareOf(in.Share)
			if why != "" {
				f.reject(r.stmt, "interests.share", "", why, "give share.exact, or minimum and maximum, as percentages from 0 to 100")
				return
			}
			if holding == nil {
				holding = map[string]string{"holder_kind": partyKind, "holder": partyKey, "enterprise": subj.Key}
			}
			col := map[string]string{bods.InterestShareholding: "ratio", bods.InterestVoting: "voting_ratio", bods.InterestIncome: "income_ratio"}[in.Type]
			holding[col] = strconv.FormatFloat(share, 'g', -1, 64)
			if in.Type == bods.InterestShareholding {
				holding["since"] = in.StartDate
			}
		case bods.InterestOtherControl:
			basis, group, note, ok := bods.ParseControlDetails(in.Details)
			if !ok {
				basis, note = models.ControlOther, in.Details
			}
			if basis == bods.BasisExecutivePartner {
				if party.Kind == models.KindPerson {
					byKind[FileOfficers].add(r.stmt, map[string]string{"person_id": partyKey, "enterprise": subj.Key, "title": "executive_partner"})
				}
				continue
			}
			byKind[FileControls].add(r.stmt, map[string]string{"controller_kind": partyKind, "controller": partyKey, "enterprise": subj.Key,
				"basis": string(basis), "group": group, "note": note, "since": in.StartDate, "until": in.EndDate})
		case bods.InterestLegalFramework:
			// A head office's control of its branch, as riskgraph writes it
			// for a foreign company's branch (Art. 8): a branches row.
			if party.Kind == models.KindEnterprise && strings.HasPrefix(in.Details, "branch_of") {
				byKind[FileBranches].add(r.stmt, map[string]string{"branch": subj.Key, "parent": partyKey})
			}
		case bods.InterestSeniorManager:
			if party.Kind != models.KindPerson {
				continue
			}
			// The office as the details give it (a canonical title or a word
			// of the title table, 总经理 …); the general manager when none.
			title := cmp.Or(in.Details, "general_manager")
			byKind[FileOfficers].add(r.stmt, map[string]string{"person_id": partyKey, "enterprise": subj.Key, "title": title, "day_to_day": "true"})
		}
	}
	if holding != nil {
		if holding["ratio"] == "" {
			// Votes or income without a shareholding: no equity.
			holding["ratio"] = "0"
		}
		byKind[FileShareholdings].add(r.stmt, holding)
	}
}

// shareOf reads a share as a fraction: exact, else the middle of the range.
func shareOf(s *bods.Share) (float64, string) {
	if s == nil {
		return 0, "has no share"
	}
	var p float64
	switch {
	case s.Exact != nil:
		p = *s.Exact
	default:
		lo, hi := first(s.Minimum, s.ExclusiveMinimum), first(s.Maximum, s.ExclusiveMaximum)
		switch {
		case lo != nil && hi != nil:
			p = (*lo + *hi) / 2
		case lo != nil:
			p = *lo
		case hi != nil:
			p = *hi
		default:
			return 0, "has neither an exact share nor a range"
		}
	}
	if !(p >= 0 && p <= 100) {
		return 0, fmt.Sprintf("%v%% is outside 0–100", p)
	}
	return math.Round(p*1e7) / 1e9, ""
}

func first(xs ...*float64) *float64 {
	for _, x := range xs {
		if x != nil {
			return x
		}
	}
	return nil
}

// LoadBODSFiles loads BODS files with one loader: each path a file (.gz
// is decompressed) or "-" for stdin.
func LoadBODSFiles(ctx context.Context, paths []string, w Writer, opts LoadOptions, stdin io.Reader) (LoadSummary, error) {
	l, err := NewLoader(w, opts)
	if err != nil {
		return LoadSummary{Source: opts.Source}, err
	}
	defer l.Close()
	for _, p := range paths {
		if err := l.loadBODSPath(ctx, p, stdin); err != nil {
			return l.Summary(), err
		}
	}
	return l.Summary(), nil
}

func (l *Loader) loadBODSPath(ctx context.Context, path string, stdin io.Reader) error {
	if path == "-" {
		return l.LoadBODS(ctx, "stdin", stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	return l.LoadBODS(ctx, filepath.Base(path), r)
}
