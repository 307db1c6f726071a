// Package store defines how riskgraph reads and writes its graph: the
// interfaces both backends implement (store/memory, store/neo4j), the
// sentinel errors they return, and the traversal algorithms they share.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"riskgraph/models"
)

// Sentinel errors. Backends wrap them with %w; callers test with errors.Is.
var (
	// ErrNotFound: the entity does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the request or the data is invalid; the message says what to change.
	ErrInvalid = errors.New("invalid")
	// ErrUnavailable: the backend cannot be reached.
	ErrUnavailable = errors.New("store unavailable")
	// ErrTooLarge: the traversal would exceed its budget.
	ErrTooLarge = errors.New("traversal too large")
	// ErrConflict: the request contradicts the stored state (a decision
	// the entry's status does not admit); the message says what is possible.
	ErrConflict = errors.New("conflict")
)

// Batch is a set of entities and relationships written together. Writing a
// batch is idempotent: entities are upserted by key, relationships by their
// identity (see each model type). A relationship whose endpoint does not
// exist creates that endpoint as a placeholder node.
type Batch struct {
	Enterprises   []models.Enterprise   `json:"enterprises,omitempty"`
	Persons       []models.Person       `json:"persons,omitempty"`
	Shareholdings []models.Shareholding `json:"shareholdings,omitempty"`
	Roles         []models.Role         `json:"roles,omitempty"`
	Branches      []models.Branch       `json:"branches,omitempty"`
	Records       []models.Record       `json:"records,omitempty"`
	Relations     []models.Relation     `json:"relations,omitempty"`
	// Licences are administrative licences (licences.go): facts that
	// the engine never reads.
	Licences []models.Licence `json:"licences,omitempty"`
	// Controls are control agreements, acting-in-concert arrangements and
	// general partners (controls.go).
	Controls []models.Control `json:"controls,omitempty"`
}

// Len is the number of rows in the batch.
func (b *Batch) Len() int {
	return len(b.Enterprises) + len(b.Persons) + len(b.Shareholdings) + len(b.Roles) +
		len(b.Branches) + len(b.Records) + len(b.Relations) + len(b.Controls) + len(b.Licences)
}

// Append adds src's rows to b.
func (b *Batch) Append(src *Batch) {
	b.Enterprises = append(b.Enterprises, src.Enterprises...)
	b.Persons = append(b.Persons, src.Persons...)
	b.Shareholdings = append(b.Shareholdings, src.Shareholdings...)
	b.Roles = append(b.Roles, src.Roles...)
	b.Branches = append(b.Branches, src.Branches...)
	b.Records = append(b.Records, src.Records...)
	b.Relations = append(b.Relations, src.Relations...)
	b.Licences = append(b.Licences, src.Licences...)
	b.Controls = append(b.Controls, src.Controls...)
}

// Writer writes batches. WriteBatch returns only after the batch is durable.
type Writer interface {
	WriteBatch(ctx context.Context, b *Batch) error
}

// Reader answers the inspectors' questions.
type Reader interface {
	// Enterprise returns the enterprise whose key or USCC is keyOrUSCC.
	Enterprise(ctx context.Context, keyOrUSCC string) (models.Enterprise, error)
	// Person returns the person with the given pid.
	Person(ctx context.Context, pid string) (models.Person, error)
	// Records returns the credit records of a subject, newest decision first.
	Records(ctx context.Context, subject models.Ref) ([]models.Record, error)
	// RecordsOf returns the records of several subjects in one call, each
	// list as Records returns it; subjects without records are absent.
	RecordsOf(ctx context.Context, subjects []models.Ref) (map[models.Ref][]models.Record, error)
	// Expand returns the relationships of the given nodes whose type is in
	// types (all types when empty), in both directions, with both endpoints.
	Expand(ctx context.Context, nodes []models.Ref, types []models.RelType) ([]Edge, map[models.Ref]Node, error)
	// Upward returns what leads up from the enterprises with the given keys,
	// with both endpoints: the holdings, controls, offices and legal
	// representatives ending at each, its SAME_AS links (both directions)
	// and its BRANCH_OF to its head office. It is Expand over those types
	// without what leads down (the enterprise's own holdings, the companies
	// it controls, its branches): the beneficial-owner walk's one read per
	// level (beneficial.go). Unknown keys are skipped; a SAME_AS link
	// between two of the keys appears once for each.
	Upward(ctx context.Context, keys []string) ([]Edge, map[models.Ref]Node, error)
	// Search finds enterprises and persons by name (and enterprises by USCC).
	Search(ctx context.Context, q string, limit int) ([]Hit, error)
	// Neighbourhood returns what WalkNeighbourhood returns over this
	// reader (traverse.go), however the backend reads it: the memory
	// store walks, the Neo4j store reads depth 1 and 2 in one statement.
	// Callers go through the function store.Neighbourhood, which checks
	// depth and limit first.
	Neighbourhood(ctx context.Context, root models.Ref, depth int, types []models.RelType, limit int) (Graph, error)
}

// Scanner streams the whole graph in pages for the engine: first every
// enterprise, person and record, then every relationship. Each call of fn
// receives one page of at most pageSize rows.
type Scanner interface {
	Scan(ctx context.Context, pageSize int, fn func(*Batch) error) error
}

// ResultWriter stores the engine's results on the entities in two steps,
// so that a run that fails midway leaves the previous run visible:
// WriteResults stages results under their run id (readers do not see them),
// PromoteRun makes one run's staged results the current ones.
type ResultWriter interface {
	// WriteResults stages results for entities that exist; others are ignored.
	WriteResults(ctx context.Context, results []models.RiskResult) error
	// PromoteRun makes the results staged under runID current, moving each
	// entity's current result into Previous, and discards results staged by
	// other runs. Entities without a staged result keep theirs. Promoting a
	// run again changes nothing.
	PromoteRun(ctx context.Context, runID string) error
}

// ResultBatchSizer is what a ResultWriter may add: the number of results
// per WriteResults call it takes best (engine.Score writes its results in
// batches of this size rather than engine.WriteBatchSize). The memory
// store journals and fsyncs each call, so it asks for fewer, larger ones;
// the Neo4j store keeps one transaction per 5 000 results.
type ResultBatchSizer interface {
	ResultBatchSize() int
}

// Run is one engine run's record.
type Run struct {
	ID       string    `json:"id"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"` // zero while running
	Status   string    `json:"status"`   // RunRunning, RunCompleted or RunFailed
	// Generation is the data generation the run read.
	Generation uint64          `json:"generation"`
	Params     json.RawMessage `json:"params,omitempty"`
	Summary    json.RawMessage `json:"summary,omitempty"`
	Error      string          `json:"error,omitempty"`
}

// Run statuses.
const (
	RunRunning   = "running"
	RunCompleted = "completed"
	RunFailed    = "failed"
)

// RunStore keeps the history of engine runs.
type RunStore interface {
	// SaveRun inserts or replaces the run with r.ID.
	SaveRun(ctx context.Context, r Run) error
	// Run returns the run with the given id, or ErrNotFound.
	Run(ctx context.Context, id string) (Run, error)
	// Runs returns up to limit runs, newest start first.
	Runs(ctx context.Context, limit int) ([]Run, error)
}

// Store is a complete backend: every table and every question both
// backends keep, composed of the named interfaces below (as Prometheus
// builds Storage from Queryable and Appendable). There are no optional
// extras probed by type assertion: a capability both backends have belongs
// here, and the compiler checks each backend and each wrapper
// (`var _ store.Store = (*Store)(nil)`). A consumer that needs less takes
// the narrow interface (engine.Project takes a Scanner).
type Store interface {
	Writer
	Reader
	Scanner
	ProjectionScanner // projection.go
	ChangeFeed        // changes.go
	ResultWriter
	RunStore
	KeyStore          // access.go
	AuditLog          // access.go
	ReportStore       // reports.go
	WatchlistStore    // reports.go
	ReviewStore       // reviews.go
	XrefStore         // xref.go
	CheckStore        // checks.go
	CreditFileStore   // creditfile.go
	LicenceReader     // licences.go
	CreditReportStore // creditreports.go
	CaseStore         // cases.go
	// Generation is the data generation: it advances with every accepted
	// batch (not with results), so equal generations mean equal data.
	Generation(ctx context.Context) (uint64, error)
	// Ping reports whether the backend is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// Node is a node of a returned subgraph.
type Node struct {
	ID    string         `json:"id"` // Ref.String()
	Ref   models.Ref     `json:"ref"`
	Label string         `json:"label"` // name, or record kind
	Props map[string]any `json:"props,omitempty"`
	Risk  *models.Risk   `json:"risk,omitempty"`
}

// Edge is a relationship of a returned subgraph, directed as stored.
type Edge struct {
	From  models.Ref
	To    models.Ref
	Type  models.RelType
	Props map[string]any
}

// edgeJSON is an edge as the API shows it: endpoints by node id.
type edgeJSON struct {
	ID    string         `json:"id"`
	From  string         `json:"from"`
	To    string         `json:"to"`
	Type  models.RelType `json:"type"`
	Props map[string]any `json:"props,omitempty"`
}

// JSONSchemaAlias gives the shape the edge encodes as, for schema
// generators (the OpenAPI document, server/schemas.go).
func (Edge) JSONSchemaAlias() any { return edgeJSON{} }

// MarshalJSON renders the edge with its endpoints as node ids ("kind:key"):
// edgeJSON as encoding/json writes it, byte for byte, without reflection
// over the struct (a network answer has hundreds of edges); the props map
// is encoded by encoding/json.
func (e Edge) MarshalJSON() ([]byte, error) { return e.appendJSON(make([]byte, 0, 160)) }

// appendJSON appends what MarshalJSON returns.
func (e *Edge) appendJSON(buf []byte) ([]byte, error) {
	buf = append(buf, `{"id":`...)
	buf = appendJSONString(buf, e.ID())
	buf = append(buf, `,"from":`...)
	buf = appendJSONString(buf, e.From.String())
	buf = append(buf, `,"to":`...)
	buf = appendJSONString(buf, e.To.String())
	buf = append(buf, `,"type":`...)
	buf = appendJSONString(buf, string(e.Type))
	if len(e.Props) > 0 {
		buf = append(buf, `,"props":`...)
		var err error
		if buf, err = appendJSONValue(buf, e.Props); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// appendJSONString appends s as encoding/json writes a string (with its
// HTML escapes): directly when s is printable ASCII (keys, types and IDs
// nearly always are), else by encoding/json itself.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			q, _ := json.Marshal(s) // a string always encodes
			return append(buf, q...)
		}
	}
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '<':
			buf = append(buf, `\u003c`...)
		case '>':
			buf = append(buf, `\u003e`...)
		case '&':
			buf = append(buf, `\u0026`...)
		default:
			buf = append(buf, c)
		}
	}
	return append(buf, '"')
}

// Hit is one search result.
type Hit struct {
	Ref   models.Ref `json:"ref"`
	Name  string     `json:"name"`
	USCC  string     `json:"uscc,omitempty"`
	Score float64    `json:"score"`
}

// ID identifies the relationship: endpoints, type and, for officers, the title.
func (e Edge) ID() string {
	var suffix string
	if t, ok := e.Props["title"].(string); ok && t != "" {
		suffix = t
	}
	if e.Type == models.RelRelatedTo {
		if k, ok := e.Props["kind"].(string); ok && k != "" {
			suffix = joinSuffix(suffix, k)
		}
	}
	if e.Type == models.RelControls {
		if b, ok := e.Props["basis"].(string); ok && b != "" {
			suffix = joinSuffix(suffix, b)
		}
	}
	// One allocation: "kind:key-TYPE->kind:key[#suffix]".
	var b strings.Builder
	b.Grow(len(e.From.Kind) + len(e.From.Key) + len(e.Type) + len(e.To.Kind) + len(e.To.Key) + len(suffix) + 6)
	b.WriteString(string(e.From.Kind))
	b.WriteByte(':')
	b.WriteString(e.From.Key)
	b.WriteByte('-')
	b.WriteString(string(e.Type))
	b.WriteString("->")
	b.WriteString(string(e.To.Kind))
	b.WriteByte(':')
	b.WriteString(e.To.Key)
	if suffix != "" {
		b.WriteByte('#')
		b.WriteString(suffix)
	}
	return b.String()
}

// joinSuffix appends s to an ID's suffix, "#"-separated.
func joinSuffix(suffix, s string) string {
	if suffix == "" {
		return s
	}
	return suffix + "#" + s
}

// Other returns the endpoint of e that is not n.
func (e Edge) Other(n models.Ref) models.Ref {
	if e.From == n {
		return e.To
	}
	return e.From
}

// EnterpriseNode renders an enterprise as a subgraph node.
func EnterpriseNode(e models.Enterprise) Node {
	props := map[string]any{"status": string(e.Status), "region": e.Region}
	if e.USCC != "" {
		props["uscc"] = e.USCC
	}
	if e.Placeholder {
		props["placeholder"] = true
	}
	return Node{ID: e.Ref().String(), Ref: e.Ref(), Label: e.Name, Props: props, Risk: e.Risk}
}

// PersonNode renders a person as a subgraph node.
func PersonNode(p models.Person) Node {
	var props map[string]any
	if p.Placeholder {
		props = map[string]any{"placeholder": true}
	}
	return Node{ID: p.Ref().String(), Ref: p.Ref(), Label: p.Name, Props: props, Risk: p.Risk}
}

// RecordNode renders a credit record as a subgraph node.
func RecordNode(r models.Record) Node {
	props := map[string]any{"kind": string(r.Kind), "severity": r.Severity, "decided": r.Decided.String()}
	putScore(props, r.MatchScore)
	if !r.Removed.IsZero() {
		props["removed"] = r.Removed.String()
	}
	if r.Authority != "" {
		props["authority"] = r.Authority
	}
	return Node{ID: models.RecordRef(r.ID).String(), Ref: models.RecordRef(r.ID), Label: string(r.Kind), Props: props}
}
