package server

import (
	"riskgraph/credit"
	"time"

	"riskgraph/models"
	"riskgraph/ranking"
	"riskgraph/store"
)

// Response bodies of the routes whose handlers live in this package's
// handlers.go, views.go and risk.go. Each is the Response of its row in
// routes(); reply checks that a handler answers the declared type, and
// the masking test walks them (mask.go).

// personView is GET /persons/:pid.
type personView struct {
	Person  models.Person   `json:"person"`
	Records []models.Record `json:"records"`
	// RecordLife is each record's state today, by record id (credit.StateOf).
	RecordLife []credit.RecordState `json:"record_life"`
}

// pathsView is GET /paths.
type pathsView struct {
	From     models.Ref   `json:"from"`
	To       models.Ref   `json:"to"`
	MaxDepth int          `json:"max_depth"`
	Paths    []store.Path `json:"paths"`
}

// searchView is GET /search.
type searchView struct {
	Q      string      `json:"q"`
	Offset int         `json:"offset"`
	Limit  int         `json:"limit"`
	Hits   []store.Hit `json:"hits"`
}

// recordsView is GET /enterprises/:key/records and /persons/:pid/records.
type recordsView struct {
	Subject models.Ref          `json:"subject"`
	Records page[models.Record] `json:"records"`
	// RecordLife is the state today of each record of the page, by id.
	RecordLife []credit.RecordState `json:"record_life"`
}

// batchView is POST /enterprises:batch.
type batchView struct {
	Enterprises []models.Enterprise `json:"enterprises"`
	Missing     []batchMiss         `json:"missing"`
}

type batchMiss struct {
	Key   string `json:"key"`
	Error string `json:"error"`
}

// ownershipView is GET /enterprises/:key/ownership.
type ownershipView struct {
	Root      *store.OwnNode `json:"root"`
	Direction string         `json:"direction"`
	Depth     int            `json:"depth"`
	Nodes     int            `json:"nodes"`
	Truncated bool           `json:"truncated"`
}

// groupView is GET /enterprises/:key/group.
type groupView struct {
	Root      models.Ref   `json:"root"`
	Threshold float64      `json:"threshold"`
	Members   []store.Node `json:"members"`
	Edges     []store.Edge `json:"edges"`
	Truncated bool         `json:"truncated"`
}

// rankingView is GET /ranking.
type rankingView struct {
	Run     string              `json:"run"`
	Source  string              `json:"source"`
	Ranking page[ranking.Entry] `json:"ranking"`
}

// statsView is GET /stats.
type statsView struct {
	Run    string          `json:"run"`
	By     string          `json:"by"`
	Groups []ranking.Group `json:"groups"`
}

// flagsView is GET /flags. RunFinished is there when there is a run.
type flagsView struct {
	Run         string              `json:"run"`
	Since       string              `json:"since"`
	RunFinished *time.Time          `json:"run_finished,omitempty"`
	Flags       page[ranking.Entry] `json:"flags"`
}

// runsView is GET /runs.
type runsView struct {
	Runs []store.Run `json:"runs"`
}

// runStarted is POST /runs.
type runStarted struct {
	Run    string `json:"run"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// keysView is GET /keys.
type keysView struct {
	Keys []keyView `json:"keys"`
}

// keyRevoked is POST /keys/:id/revoke.
type keyRevoked struct {
	ID      string `json:"id"`
	Revoked string `json:"revoked"`
}

// auditView is GET /audit.
type auditView struct {
	Entries []store.AuditEntry `json:"entries"`
	Next    string             `json:"next"`
}

// healthView is GET /healthz.
type healthView struct {
	// Status is always ok: the process answers.
	Status string `json:"status" jsonschema:"enum=ok"`
	// Version is the server's build version.
	Version string `json:"version"`
}

// readyView is GET /readyz (200 when the store answers, 503 when not).
type readyView struct {
	// Ready is false when the store does not answer.
	Ready bool `json:"ready"`
	// Status is ok, degraded (the cache does not answer; the API answers
	// from the store meanwhile) or unavailable (the store does not answer).
	Status string `json:"status"`
	// Checks gives each dependency's state: store and cache, ok or unreachable.
	Checks map[string]string `json:"checks"`
	// CacheBackend is redis or local (in process).
	CacheBackend string `json:"cache_backend"`
}

// reportsView is GET /reports.
type reportsView struct {
	Reports []reportView `json:"reports"`
}

// watchlistsView is GET /watchlists.
type watchlistsView struct {
	Watchlists []store.Watchlist `json:"watchlists"`
}

// batchWritten is POST /batches: the rows written and the data generation
// that holds them.
type batchWritten struct {
	Rows       int    `json:"rows"`
	Generation uint64 `json:"generation"`
}
