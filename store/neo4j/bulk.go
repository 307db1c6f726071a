package neo4j

// Bulk loading: the files `neo4j-admin database import full` reads.
//
// A BulkWriter takes the same batches WriteBatch takes (validated by the
// same Batch.Validate) and, instead of running the UNWIND … MERGE
// statements, appends each row to a CSV file of its node label or
// relationship type, with a header in the import tool's syntax. What it
// writes is the graph WriteBatch would leave after the same batches in the
// same order (a test loads a generated set both ways and compares them node
// by node and relationship by relationship):
//
//   - properties are the ones the statements in cypher/ SET, named and typed
//     alike (dates as date, numbers as double, flags as boolean); a value
//     WriteBatch writes as null is an empty, unquoted field (no property),
//     a string it always writes (a role's title, a licence's name) is quoted,
//     so an empty one is the empty string, as MERGE stores it;
//   - the last row of an identity wins: an enterprise's or a person's last
//     real row, a relationship's last row per identity (holder and
//     enterprise; person, enterprise, kind and title; …), a record's and a
//     licence's last row, whose subject gets the HAS_RECORD;
//   - placeholders: an entity named only by relationships, records,
//     licences or placeholder rows is a node with placeholder: true and the
//     properties of the first placeholder row that named it (none when it was
//     first named as an endpoint), as MERGE … ON CREATE SET leaves it; a real
//     row drops the placeholder;
//   - the data generation is the number of batches, on one Meta counter node.
//
// Rows are written to the files as they come; a row that a later row of the
// same identity replaces is marked dead in a bitmap and left out when the
// file is finished (Finish rewrites only the files that have dead rows).
// Identities are kept as 128-bit fingerprints (two maphash seeds; a false
// match has probability about 2⁻¹²⁸ per pair) with the row's place: 32
// bytes of map entry per distinct node and relationship, about 100 with the
// maps' growth (≈ 1 GB at 1 M generator enterprises, 9.5 M rows).
// docs/ingest.md, "Bulk load into Neo4j"; docs/storage.md, "Bulk load".

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"riskgraph/models"
	"riskgraph/store"
)

// bulkFile describes one CSV file of a bulk load: a node label or a
// relationship type and its header.
type bulkFile struct {
	name   string // file name in the directory
	label  string // node label, or relationship type when rel
	rel    bool
	header string
	idx    uint8 // position in bulkFileOrders + 1, so that 0 is none
}

// stamped reports whether the file's rows carry the change feed's
// generation stamp (a last column gen:long, as the online statements set
// gen = $gen): the nodes and the relationships the projection reads.
func (bf *bulkFile) stamped() bool { return strings.HasSuffix(bf.header, ",gen:long") }

// The files of a bulk load, in the order neo4j-admin is given them.
var (
	bfEnterprises  = &bulkFile{"enterprises.csv", labelEnterprise, false, "key:ID(Enterprise),uscc,name,kind,status,capital:double,currency,established:date,region,industry,address,phone,email,gen:long", 1}
	bfEntHolds     = &bulkFile{"enterprise_placeholders.csv", labelEnterprise, false, "key:ID(Enterprise),uscc,name,kind,status,capital:double,currency,established:date,region,industry,address,phone,email,placeholder:boolean,gen:long", 2}
	bfPersons      = &bulkFile{"persons.csv", labelPerson, false, "pid:ID(Person),name,gen:long", 3}
	bfPerHolds     = &bulkFile{"person_placeholders.csv", labelPerson, false, "pid:ID(Person),name,placeholder:boolean,gen:long", 4}
	bfRecords      = &bulkFile{"records.csv", labelRecord, false, "id:ID(Record),kind,severity:double,authority,decided:date,removed:date,amount:double,doc_no,reason,match_score:double,gen:long", 5}
	bfLicences     = &bulkFile{"licences.csv", "Licence", false, "id:ID(Licence),enterprise,number,name,doc_no,content,authority,decided:date,valid_from:date,valid_to:date,match_score:double", 6}
	bfMeta         = &bulkFile{"meta.csv", "Meta", false, "id:ID(Meta),generation:long", 7}
	bfSharesE      = &bulkFile{"holds_shares_enterprise.csv", string(models.RelHoldsShares), true, ":START_ID(Enterprise),:END_ID(Enterprise),ratio:double,amount:double,since:date,match_score:double,voting_ratio:double,income_ratio:double,gen:long", 8}
	bfSharesP      = &bulkFile{"holds_shares_person.csv", string(models.RelHoldsShares), true, ":START_ID(Person),:END_ID(Enterprise),ratio:double,amount:double,since:date,match_score:double,voting_ratio:double,income_ratio:double,gen:long", 9}
	bfLegalReps    = &bulkFile{"legal_rep_of.csv", string(models.RelLegalRepOf), true, ":START_ID(Person),:END_ID(Enterprise),title,since:date,until:date,title_text,match_score:double,gen:long", 10}
	bfOfficers     = &bulkFile{"officer_of.csv", string(models.RelOfficerOf), true, ":START_ID(Person),:END_ID(Enterprise),title,since:date,until:date,title_text,match_score:double,day_to_day:boolean,gen:long", 11}
	bfBranches     = &bulkFile{"branch_of.csv", string(models.RelBranchOf), true, ":START_ID(Enterprise),:END_ID(Enterprise),match_score:double,gen:long", 12}
	bfRelations    = &bulkFile{"related_to.csv", string(models.RelRelatedTo), true, ":START_ID(Person),:END_ID(Person),kind,since:date,gen:long", 13}
	bfControlsP    = &bulkFile{"controls_person.csv", string(models.RelControls), true, ":START_ID(Person),:END_ID(Enterprise),basis,group,note,since:date,until:date", 14}
	bfControlsE    = &bulkFile{"controls_enterprise.csv", string(models.RelControls), true, ":START_ID(Enterprise),:END_ID(Enterprise),basis,group,note,since:date,until:date", 15}
	bfHasRecordE   = &bulkFile{"has_record_enterprise.csv", string(models.RelHasRecord), true, ":START_ID(Enterprise),:END_ID(Record)", 16}
	bfHasRecordP   = &bulkFile{"has_record_person.csv", string(models.RelHasRecord), true, ":START_ID(Person),:END_ID(Record)", 17}
	bulkFileOrders = []*bulkFile{bfEnterprises, bfEntHolds, bfPersons, bfPerHolds, bfRecords, bfLicences, bfMeta,
		bfSharesE, bfSharesP, bfLegalReps, bfOfficers, bfBranches, bfRelations, bfControlsP, bfControlsE, bfHasRecordE, bfHasRecordP}
)

// bulkOut is a file being written.
type bulkOut struct {
	f     *os.File
	w     *bufio.Writer
	rows  int32
	dead  []uint64 // bitmap of rows replaced by a later row
	ndead int
}

func (o *bulkOut) kill(row int32) {
	i := int(row) / 64
	for len(o.dead) <= i {
		o.dead = append(o.dead, 0)
	}
	if o.dead[i]&(1<<(row%64)) == 0 {
		o.dead[i] |= 1 << (row % 64)
		o.ndead++
	}
}

func (o *bulkOut) isDead(row int32) bool {
	i := int(row) / 64
	return i < len(o.dead) && o.dead[i]&(1<<(row%64)) != 0
}

// fingerprint is a 128-bit hash of an identity.
type fingerprint struct{ hi, lo uint64 }

// where is a row of a file.
type where struct {
	file uint8 // bulkFile.idx; 0: none
	row  int32
}

// nodeState is what the writer knows of an enterprise or person key: its
// live real row, or its live placeholder row (file nil: none).
type nodeState struct {
	real, hold where
}

// relState is a relationship's (or record's, or licence's) live row and,
// for a record, its HAS_RECORD row.
type relState struct {
	row, link where
}

// BulkWriter writes batches as the CSV files of `neo4j-admin database
// import full` into a directory (see the comment at the top of this file).
// It implements the writing half of a store (WriteBatch, Generation), so
// ingest's loader writes to it as it writes to a store. It is safe for
// concurrent use; Finish ends it.
type BulkWriter struct {
	dir       string
	seeds     [2]maphash.Seed
	mu        sync.Mutex
	out       map[*bulkFile]*bulkOut
	nodes     map[fingerprint]nodeState
	rels      map[fingerprint]relState
	batches   uint64
	multiline bool // a value holds a line break: the import must read multi-line fields
	err       error
	finished  bool
}

// NewBulkWriter returns a writer of import files into dir, which is created
// when missing and must not hold files of an earlier bulk load.
func NewBulkWriter(dir string) (*BulkWriter, error) {
	if strings.ContainsAny(dir, "\"\\'\n") {
		return nil, fmt.Errorf("%w: bulk load: directory %q: use a path without quotes, backslashes or line breaks (neo4j-admin reads the file names from an argument file)", store.ErrInvalid, dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bulk load: %w", err)
	}
	for _, bf := range bulkFileOrders {
		if _, err := os.Stat(filepath.Join(dir, bf.name)); err == nil {
			return nil, fmt.Errorf("%w: bulk load: %s already holds %s from an earlier load: give an empty directory", store.ErrInvalid, dir, bf.name)
		}
	}
	w := &BulkWriter{dir: dir, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		out: map[*bulkFile]*bulkOut{}, nodes: map[fingerprint]nodeState{}, rels: map[fingerprint]relState{}}
	return w, nil
}

func (w *BulkWriter) fp(parts ...string) fingerprint {
	var h1, h2 maphash.Hash
	h1.SetSeed(w.seeds[0])
	h2.SetSeed(w.seeds[1])
	for _, p := range parts {
		h1.WriteString(p)
		h1.WriteByte(0)
		h2.WriteString(p)
		h2.WriteByte(0)
	}
	return fingerprint{h1.Sum64(), h2.Sum64()}
}

// Generation is the number of batches written: the data generation the
// imported database starts at.
func (w *BulkWriter) Generation(context.Context) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.batches, nil
}

// WriteBatch validates b as WriteBatch does and appends its rows to the
// files; a refused batch writes nothing. The rows are encoded before the
// writer's lock is taken, so concurrent batches encode in parallel; under
// the lock only the identities are decided and the bytes copied.
func (w *BulkWriter) WriteBatch(ctx context.Context, b *store.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	bl := w.prepare(b)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return fmt.Errorf("%w: bulk load: the files are finished", store.ErrInvalid)
	}
	if w.err != nil {
		return w.err
	}
	w.apply(bl)
	if bl.multiline {
		w.multiline = true
	}
	if w.err == nil {
		w.batches++
	}
	return w.err
}

// opKind is what a prepared row does when it is applied.
type opKind uint8

const (
	opReal   opKind = iota // an entity's real row: replaces the entity
	opHold                 // a placeholder row, or an endpoint: creates the entity when it is new
	opRel                  // a relationship's or licence's row: replaces the identity's row
	opRecord               // a record's row and its HAS_RECORD row
)

// op is one prepared row: its line is buf[lo:mid], a record's HAS_RECORD
// line buf[mid:hi].
type op struct {
	kind        opKind
	file, link  *bulkFile
	id          fingerprint
	lo, mid, hi int
}

// batchLines is a batch encoded as CSV lines, in the order they apply.
type batchLines struct {
	buf       []byte
	ops       []op
	fields    int // fields in the line being written
	lo        int // its start
	multiline bool
}

// prepare encodes b's rows in the order planBatch runs its statements:
// entities, the subjects of records repeated in the batch, relationships,
// records, licences; each relationship's endpoints before it.
func (w *BulkWriter) prepare(b *store.Batch) *batchLines {
	bl := &batchLines{buf: make([]byte, 0, 160*b.Len()), ops: make([]op, 0, 3*b.Len())}
	for i := range b.Enterprises {
		e := &b.Enterprises[i]
		bl.begin()
		bl.q(e.Key)
		bl.opt(e.USCC)
		bl.opt(e.Name)
		bl.opt(string(e.Kind))
		bl.opt(string(e.Status))
		bl.optNum(e.Capital)
		bl.opt(e.Currency)
		bl.date(e.Established)
		bl.opt(e.Region)
		bl.opt(e.Industry)
		bl.opt(e.Address)
		bl.opt(e.Phone)
		bl.opt(e.Email)
		if e.Placeholder {
			bl.raw("true")
			bl.end(opHold, bfEntHolds, w.fp("e", e.Key))
		} else {
			bl.end(opReal, bfEnterprises, w.fp("e", e.Key))
		}
	}
	for i := range b.Persons {
		p := &b.Persons[i]
		bl.begin()
		bl.q(p.PID)
		bl.opt(p.Name)
		if p.Placeholder {
			bl.raw("true")
			bl.end(opHold, bfPerHolds, w.fp("p", p.PID))
		} else {
			bl.end(opReal, bfPersons, w.fp("p", p.PID))
		}
	}
	lastRec := make(map[string]int, len(b.Records))
	for i, r := range b.Records {
		lastRec[r.ID] = i
	}
	for i, r := range b.Records {
		if lastRec[r.ID] != i {
			w.endpoint(bl, r.Subject)
		}
	}
	for _, sh := range b.Shareholdings {
		w.endpoint(bl, sh.Holder)
		w.endpoint(bl, models.EnterpriseRef(sh.Enterprise))
		bf := bfSharesE
		if sh.Holder.Kind == models.KindPerson {
			bf = bfSharesP
		}
		bl.begin()
		bl.q(sh.Holder.Key)
		bl.q(sh.Enterprise)
		bl.num(sh.Ratio)
		bl.optNum(sh.Amount)
		bl.date(sh.Since)
		bl.optNum(sh.MatchScore)
		bl.ptrNum(sh.VotingRatio)
		bl.ptrNum(sh.IncomeRatio)
		bl.end(opRel, bf, w.fp("sh", string(sh.Holder.Kind), sh.Holder.Key, sh.Enterprise))
	}
	for _, r := range b.Roles {
		w.endpoint(bl, models.PersonRef(r.Person))
		w.endpoint(bl, models.EnterpriseRef(r.Enterprise))
		bl.begin()
		bl.q(r.Person)
		bl.q(r.Enterprise)
		bl.q(r.Title)
		bl.date(r.Since)
		bl.date(r.Until)
		bl.opt(r.TitleText)
		bl.optNum(r.MatchScore)
		if r.Kind == models.RoleLegalRep {
			bl.end(opRel, bfLegalReps, w.fp("lr", r.Person, r.Enterprise, r.Title))
			continue
		}
		if r.DayToDay {
			bl.raw("true")
		} else {
			bl.raw("")
		}
		bl.end(opRel, bfOfficers, w.fp("of", r.Person, r.Enterprise, r.Title))
	}
	for _, br := range b.Branches {
		w.endpoint(bl, models.EnterpriseRef(br.Branch))
		w.endpoint(bl, models.EnterpriseRef(br.Parent))
		bl.begin()
		bl.q(br.Branch)
		bl.q(br.Parent)
		bl.optNum(br.MatchScore)
		bl.end(opRel, bfBranches, w.fp("br", br.Branch, br.Parent))
	}
	for _, r := range b.Relations {
		c := r.Canonical()
		w.endpoint(bl, models.PersonRef(c.A))
		w.endpoint(bl, models.PersonRef(c.B))
		bl.begin()
		bl.q(c.A)
		bl.q(c.B)
		bl.q(string(c.Kind))
		bl.date(c.Since)
		bl.end(opRel, bfRelations, w.fp("rt", c.A, c.B, string(c.Kind)))
	}
	for _, c := range b.Controls {
		w.endpoint(bl, c.Controller)
		w.endpoint(bl, models.EnterpriseRef(c.Enterprise))
		bf := bfControlsE
		if c.Controller.Kind == models.KindPerson {
			bf = bfControlsP
		}
		bl.begin()
		bl.q(c.Controller.Key)
		bl.q(c.Enterprise)
		bl.q(string(c.Basis))
		bl.opt(c.Group)
		bl.opt(c.Note)
		bl.date(c.Since)
		bl.date(c.Until)
		bl.end(opRel, bf, w.fp("ct", string(c.Controller.Kind), c.Controller.Key, c.Enterprise, string(c.Basis)))
	}
	for i := range b.Records {
		r := &b.Records[i]
		if lastRec[r.ID] != i {
			continue
		}
		w.endpoint(bl, r.Subject)
		link := bfHasRecordE
		if r.Subject.Kind == models.KindPerson {
			link = bfHasRecordP
		}
		bl.begin()
		bl.q(r.ID)
		bl.q(string(r.Kind))
		bl.num(r.Severity)
		bl.opt(r.Authority)
		bl.date(r.Decided)
		bl.date(r.Removed)
		bl.optNum(r.Amount)
		bl.opt(r.DocNo)
		bl.opt(r.Reason)
		bl.optNum(r.MatchScore)
		bl.end(opRecord, bfRecords, w.fp("rec", r.ID))
		o := &bl.ops[len(bl.ops)-1]
		bl.begin()
		bl.q(r.Subject.Key)
		bl.q(r.ID)
		bl.buf = append(bl.buf, '\n')
		o.link, o.hi = link, len(bl.buf)
	}
	w.prepareLicences(bl, b.Licences)
	return bl
}

// prepareLicences encodes a batch's licences as licenceSteps writes them:
// the enterprises of rows a later row of the same id replaces become
// placeholders, then the last row of each id is written.
func (w *BulkWriter) prepareLicences(bl *batchLines, ls []models.Licence) {
	if len(ls) == 0 {
		return
	}
	last := make(map[string]int, len(ls))
	for i, l := range ls {
		last[l.ID] = i
	}
	for i, l := range ls {
		if last[l.ID] != i {
			w.endpoint(bl, models.EnterpriseRef(l.Enterprise))
		}
	}
	for i, l := range ls {
		if last[l.ID] != i {
			continue
		}
		w.endpoint(bl, models.EnterpriseRef(l.Enterprise))
		bl.begin()
		bl.q(l.ID)
		bl.q(l.Enterprise)
		bl.opt(l.Number)
		bl.q(l.Name)
		bl.opt(l.DocNo)
		bl.opt(l.Content)
		bl.opt(l.Authority)
		bl.date(l.Decided)
		bl.date(l.ValidFrom)
		bl.date(l.ValidTo)
		bl.optNum(l.MatchScore)
		bl.end(opRel, bfLicences, w.fp("lic", l.ID))
	}
}

// endpoint prepares the bare placeholder of an entity a row names, written
// only when nothing named the entity before.
func (w *BulkWriter) endpoint(bl *batchLines, ref models.Ref) {
	bl.begin()
	bl.q(ref.Key)
	if ref.Kind == models.KindPerson {
		bl.raw(",true") // pid, name (none), placeholder
		bl.end(opHold, bfPerHolds, w.fp("p", ref.Key))
		return
	}
	bl.raw(",,,,,,,,,,,,true") // key, twelve registration fields (none), placeholder
	bl.end(opHold, bfEntHolds, w.fp("e", ref.Key))
}

// apply decides, in order, which prepared rows are written and which
// earlier rows they replace.
func (w *BulkWriter) apply(bl *batchLines) {
	for i := range bl.ops {
		o := &bl.ops[i]
		line := bl.buf[o.lo:o.mid]
		switch o.kind {
		case opReal:
			st := w.nodes[o.id]
			w.kill(st.real)
			w.kill(st.hold)
			w.nodes[o.id] = nodeState{real: w.write(o.file, line)}
		case opHold:
			if _, seen := w.nodes[o.id]; !seen {
				w.nodes[o.id] = nodeState{hold: w.write(o.file, line)}
			}
		case opRel:
			if old, ok := w.rels[o.id]; ok {
				w.kill(old.row)
			}
			w.rels[o.id] = relState{row: w.write(o.file, line)}
		case opRecord:
			if old, ok := w.rels[o.id]; ok {
				w.kill(old.row)
				w.kill(old.link)
			}
			w.rels[o.id] = relState{row: w.write(o.file, line), link: w.write(o.link, bl.buf[o.mid:o.hi])}
		}
	}
}

func (w *BulkWriter) kill(at where) {
	if at.file != 0 {
		w.out[bulkFileOrders[at.file-1]].kill(at.row)
	}
}

// write appends one CSV line to bf's file and says where it is.
func (w *BulkWriter) write(bf *bulkFile, line []byte) where {
	o := w.out[bf]
	if o == nil {
		o = &bulkOut{}
		w.out[bf] = o
		if w.err == nil {
			o.f, w.err = os.Create(filepath.Join(w.dir, bf.name+".part"))
			if w.err == nil {
				o.w = bufio.NewWriterSize(o.f, 1<<20)
				_, w.err = o.w.WriteString(bf.header + "\n")
			}
		}
	}
	at := where{bf.idx, o.rows}
	if w.err != nil {
		return at
	}
	if bf.stamped() {
		// The batch's generation once it is applied (batches apply one at
		// a time, numbered from 1 as the online store's are).
		line = fmt.Appendf(slices.Clip(line[:len(line)-1]), ",%d\n", w.batches+1)
	}
	if _, err := o.w.Write(line); err != nil {
		w.err = fmt.Errorf("bulk load: %w", err)
	}
	o.rows++
	return at
}

// CSV fields. Every string is quoted (a quote doubled inside); an absent
// value is an empty, unquoted field, which the import tool reads as no
// property.

func (bl *batchLines) begin() {
	bl.lo, bl.fields = len(bl.buf), 0
}

// end closes the line and records it as an op.
func (bl *batchLines) end(kind opKind, bf *bulkFile, id fingerprint) {
	bl.buf = append(bl.buf, '\n')
	bl.ops = append(bl.ops, op{kind: kind, file: bf, id: id, lo: bl.lo, mid: len(bl.buf), hi: len(bl.buf)})
}

func (bl *batchLines) sep() {
	if bl.fields > 0 {
		bl.buf = append(bl.buf, ',')
	}
	bl.fields++
}

func (bl *batchLines) raw(s string) {
	bl.sep()
	bl.buf = append(bl.buf, s...)
}

func (bl *batchLines) q(s string) {
	bl.sep()
	bl.buf = append(bl.buf, '"')
	if strings.IndexByte(s, '"') < 0 {
		bl.buf = append(bl.buf, s...)
	} else {
		bl.buf = append(bl.buf, strings.ReplaceAll(s, "\"", "\"\"")...)
	}
	bl.buf = append(bl.buf, '"')
	if !bl.multiline && strings.ContainsAny(s, "\n\r") {
		bl.multiline = true
	}
}

func (bl *batchLines) opt(s string) {
	if s == "" {
		bl.sep()
		return
	}
	bl.q(s)
}

func (bl *batchLines) num(f float64) {
	bl.sep()
	bl.buf = strconv.AppendFloat(bl.buf, f, 'g', -1, 64)
}

func (bl *batchLines) optNum(f float64) {
	if f == 0 {
		bl.sep()
		return
	}
	bl.num(f)
}

func (bl *batchLines) ptrNum(f *float64) {
	if f == nil {
		bl.sep()
		return
	}
	bl.num(*f)
}

func (bl *batchLines) date(d models.Date) {
	bl.sep()
	if !d.IsZero() {
		bl.buf = d.Time.AppendFormat(bl.buf, "2006-01-02")
	}
}

// BulkImport is the result of a finished bulk load: the files and the
// arguments neo4j-admin needs to import them.
type BulkImport struct {
	// Dir holds the files and import.args.
	Dir string
	// Args are the arguments after `neo4j-admin database import full`
	// (the database name comes first); they are also written, one per
	// line, to Dir/import.args, which neo4j-admin reads as @Dir/import.args.
	Args []string
	// Nodes and Relationships count the rows in the files (without headers).
	Nodes, Relationships int64
	// Generation is the data generation written to the Meta node.
	Generation uint64
}

// ImportArgsFile is the name of the argument file Finish writes.
const ImportArgsFile = "import.args"

// Finish completes the files: rows replaced by later ones are dropped, the
// generation is written, and the arguments for neo4j-admin (database
// "neo4j" unless database is given) are returned and written to
// Dir/import.args. The writer takes no batch after it.
func (w *BulkWriter) Finish(database string) (BulkImport, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return BulkImport{}, errors.New("bulk load: Finish called twice")
	}
	w.finished = true
	if database == "" {
		database = "neo4j"
	}
	w.write(bfMeta, fmt.Appendf(nil, "\"generation-00\",%d\n", w.batches))
	if w.err != nil {
		w.closeAll()
		return BulkImport{}, w.err
	}
	imp := BulkImport{Dir: w.dir, Generation: w.batches}
	args := []string{database, "--overwrite-destination=true", "--id-type=string", "--skip-bad-relationships=false",
		"--skip-duplicate-nodes=false", "--bad-tolerance=0"}
	if w.multiline {
		args = append(args, "--multiline-fields=true")
	}
	for _, bf := range bulkFileOrders {
		o := w.out[bf]
		if o == nil {
			continue
		}
		n, err := w.finishFile(bf, o)
		if err != nil {
			w.closeAll()
			return BulkImport{}, err
		}
		if n == 0 {
			_ = os.Remove(filepath.Join(w.dir, bf.name))
			continue
		}
		path, err := filepath.Abs(filepath.Join(w.dir, bf.name))
		if err != nil {
			return BulkImport{}, err
		}
		if bf.rel {
			imp.Relationships += n
			args = append(args, "--relationships="+bf.label+"="+path)
		} else {
			imp.Nodes += n
			args = append(args, "--nodes="+bf.label+"="+path)
		}
	}
	report, err := filepath.Abs(filepath.Join(w.dir, "import.report"))
	if err != nil {
		return BulkImport{}, err
	}
	// neo4j-admin writes its report of bad entries to the working directory
	// unless told otherwise.
	args = append(args, "--report-file="+report)
	imp.Args = args
	var text strings.Builder
	for _, a := range args {
		if strings.ContainsAny(a, " \t") {
			a = "\"" + a + "\"" // one argument in neo4j-admin's argument file
		}
		text.WriteString(a + "\n")
	}
	if err := os.WriteFile(filepath.Join(w.dir, ImportArgsFile), []byte(text.String()), 0o600); err != nil {
		return BulkImport{}, fmt.Errorf("bulk load: %w", err)
	}
	return imp, nil
}

// finishFile flushes one file and, when some of its rows were replaced,
// copies the live rows to the final file; it returns the live rows.
func (w *BulkWriter) finishFile(bf *bulkFile, o *bulkOut) (int64, error) {
	part := filepath.Join(w.dir, bf.name+".part")
	final := filepath.Join(w.dir, bf.name)
	if err := o.w.Flush(); err != nil {
		return 0, fmt.Errorf("bulk load: %s: %w", bf.name, err)
	}
	if err := o.f.Close(); err != nil {
		return 0, fmt.Errorf("bulk load: %s: %w", bf.name, err)
	}
	o.f = nil
	live := int64(o.rows) - int64(o.ndead)
	if o.ndead == 0 {
		if err := os.Rename(part, final); err != nil {
			return 0, fmt.Errorf("bulk load: %w", err)
		}
		return live, nil
	}
	in, err := os.Open(part)
	if err != nil {
		return 0, fmt.Errorf("bulk load: %w", err)
	}
	defer in.Close()
	out, err := os.Create(final)
	if err != nil {
		return 0, fmt.Errorf("bulk load: %w", err)
	}
	r := bufio.NewReaderSize(in, 1<<20)
	bw := bufio.NewWriterSize(out, 1<<20)
	// Lines are rows, except inside quoted values that hold line breaks:
	// a row ends at a line break outside quotes.
	header := true
	var row int32
	var quoted bool
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		for _, c := range chunk {
			if c == '"' {
				quoted = !quoted
			}
		}
		if err == bufio.ErrBufferFull || (err == nil && quoted) {
			continue // a long line, or a line break inside a value
		}
		if len(buf) > 0 {
			if header {
				header = false
				bw.Write(buf)
			} else {
				if !o.isDead(row) {
					bw.Write(buf)
				}
				row++
			}
		}
		buf = buf[:0]
		if err == io.EOF {
			break
		}
		if err != nil {
			out.Close()
			return 0, fmt.Errorf("bulk load: %s: %w", bf.name, err)
		}
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		return 0, fmt.Errorf("bulk load: %s: %w", bf.name, err)
	}
	if err := out.Close(); err != nil {
		return 0, fmt.Errorf("bulk load: %s: %w", bf.name, err)
	}
	if row != o.rows {
		return 0, fmt.Errorf("bulk load: %s: read back %d rows of %d written", bf.name, row, o.rows)
	}
	if err := os.Remove(part); err != nil {
		return 0, fmt.Errorf("bulk load: %w", err)
	}
	return live, nil
}

func (w *BulkWriter) closeAll() {
	for _, o := range w.out {
		if o.f != nil {
			o.f.Close()
			o.f = nil
		}
	}
}

// Close abandons an unfinished load: its partial files are removed.
func (w *BulkWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return nil
	}
	w.finished = true
	w.closeAll()
	for bf := range w.out {
		_ = os.Remove(filepath.Join(w.dir, bf.name+".part"))
	}
	return nil
}
