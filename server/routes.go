package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/auth"
	"riskgraph/credit"
	"riskgraph/report"
	"riskgraph/report/bods"
	"riskgraph/store"
)

// param is one request parameter. For a whole-number query parameter the
// row is its only definition: handlers read it with intQuery, which applies
// Default, Min and Max from here, and the OpenAPI document shows the same.
type param struct {
	Name, In, Desc string // In: path or query
	Required       bool
	Int            bool
	// Default is the value of an absent Int parameter.
	Default, Min, Max int
	// Enum lists the values a string parameter takes (the OpenAPI
	// document's enum); Format is its format (date, date-time).
	Enum    []string
	Format  string
	Pattern string
}

// route is one endpoint: who may call it, how long its answers are cached,
// and what the OpenAPI document says about it. Every registered route must
// have an entry (a test checks); a route without one is admin-only.
type route struct {
	Method string
	Path   string // Echo pattern; under /api/v1 unless it starts with "/healthz", "/readyz" or "/metrics"
	full   string // fullPath, once the router has registered the row
	// Roles that may call it (admin always may); nil means public.
	Roles []auth.Role
	// TTL of cached answers; 0 means never cached.
	TTL     time.Duration
	Summary string
	Params  []param
	// Body describes the request body, when there is one.
	Body string
	// Request is a zero value of the request body's type, the one the
	// handler decodes into: the OpenAPI document's request schema is
	// reflected from it (rawRows{} for CSV or NDJSON rows). A route with
	// a Body has one (a test checks). BodyOptional: the body may be empty.
	Request      any
	BodyOptional bool
	// Response is a zero value of the body's type on success: the handler
	// answers it through reply, which masks it for roles that must not see
	// persons' names (mask.go). Every route such a role may call has one.
	Response any
	// Produces lists the media types a success may take besides JSON
	// (text/csv, text/html…), by format= or Accept; with a textBody
	// Response, the only ones.
	Produces []string
	// Others gives the body of an error status that is not the problem
	// details every other error is (readyz's 503, ingest's 422).
	Others map[int]any
	// Links are the routes a success leads to (OpenAPI links): clients
	// and testers walk them as a user would.
	Links []link
	// MaxItems bounds the list the JSON body carries (keys of a batch),
	// read by the handler (maxItems) and shown in the body's description.
	MaxItems int
	// Extra lists statuses beyond 200, 400, 401, 403, 429 and 503 that the
	// route answers (for the OpenAPI document).
	Extra   []int
	handler echo.HandlerFunc
}

// maxBatchKeys bounds POST /enterprises:batch (its row's MaxItems).
const maxBatchKeys = 1000

var (
	readers    = []auth.Role{auth.Dashboard, auth.Inspector}
	inspectors = []auth.Role{auth.Inspector}
	writers    = []auth.Role{auth.Writer}
	admins     = []auth.Role{auth.Admin}
	// checkers run and read credit checks (credit.go).
	checkers = []auth.Role{auth.Checker, auth.Inspector}
	// creditReaders have credit reports issued (creditreport.go); the
	// dashboard gets them masked, as JSON only.
	creditReaders = []auth.Role{auth.Checker, auth.Dashboard, auth.Inspector}
)

func pathKey() param {
	return param{Name: "key", In: "path", Required: true, Desc: "USCC (any case, full-width accepted) or source key src:<source>:<id>, percent-encoded (src%3Ahk%3A0001; a / in the key as %2F)"}
}
func pathPID() param {
	return param{Name: "pid", In: "path", Required: true, Pattern: "^[0-9a-fA-F]{32}$", Desc: "32-hex-character pid (never an identity number)"}
}

// qInt declares a whole-number query parameter: def when absent, else in
// [lo, hi]. A non-zero default is named in the description.
func qInt(name string, def, lo, hi int, desc string) param {
	if def != 0 {
		desc += " (default " + strconv.Itoa(def) + ")"
	}
	return param{Name: name, In: "query", Int: true, Default: def, Min: lo, Max: hi, Desc: desc}
}
func qStr(name, desc string) param { return param{Name: name, In: "query", Desc: desc} }

// routes lists every endpoint, including those whose handlers live in
// other files of the package (risk, owners, ingest): their entries carry
// the policy, their registration is one line in New.
func (a *API) routes() []route {
	ttl := a.opts.CacheTTL
	offset := qInt("offset", 0, 0, 10_000, "rows to skip")
	// A search reads offset+limit hits from the store: offset is bounded
	// with the page (intQuery's range, then searchPage's sum).
	searchOffset := qInt("offset", 0, 0, maxSearchDepth-1, "rows to skip; offset + limit at most "+strconv.Itoa(maxSearchDepth))
	types := qStr("types", "comma-separated relationship types (HOLDS_SHARES, LEGAL_REP_OF, OFFICER_OF, BRANCH_OF, HAS_RECORD, RELATED_TO, SAME_AS); all when empty (SAME_AS links are followed whatever the types)")
	return []route{
		{Method: "GET", Path: "/healthz", Response: healthView{}, Summary: "The process is up", handler: a.healthz},
		{Method: "GET", Path: "/readyz", Response: readyView{}, Others: map[int]any{503: readyView{}}, Summary: "Store and cache state: ok, degraded (cache down) or 503 (store down)", handler: a.readyz},
		{Method: "GET", Path: "/metrics", Response: textBody(""), Produces: []string{"text/plain"}, Summary: "Prometheus metrics", handler: echo.WrapHandler(a.metricsHandler())},
		{Method: "GET", Path: "/openapi.json", Response: map[string]any{}, Summary: "This document", handler: a.openapi},

		{Method: "GET", Path: "/enterprises/:key", Response: enterpriseProfile{}, Roles: readers, TTL: ttl, Summary: "Enterprise profile: registration, region, code parts, risk (score, grade, flags) and the newest records",
			Params: []param{pathKey()}, Links: enterpriseLinks("$response.body#/enterprise/key"), handler: a.enterprise},
		{Method: "GET", Path: "/enterprises/:key/records", Response: recordsView{}, Roles: readers, TTL: ttl, Summary: "Credit records of an enterprise, newest decision first, paged",
			Params: []param{pathKey(), offset, qInt("limit", 50, 1, 200, "page size")}, handler: a.records},
		{Method: "POST", Path: "/enterprises\\:batch", Response: batchView{}, Roles: readers, Summary: "Look up to " + spaced(maxBatchKeys) + " enterprises at once",
			Body: `{"keys": ["USCC or src:key", …]}`, Request: batchRequest{}, MaxItems: maxBatchKeys, handler: a.batch},
		{Method: "GET", Path: "/enterprises/:key/network", Response: store.Graph{}, Roles: inspectors, TTL: ttl, Summary: "Neighbourhood for graph display",
			Params: []param{pathKey(), qInt("depth", 2, 1, store.MaxNeighbourhoodDepth, "hops"), qInt("limit", 500, 1, store.MaxNeighbourhoodLimit, "node limit"), types}, handler: a.network},
		{Method: "GET", Path: "/enterprises/:key/ownership", Response: ownershipView{}, Roles: inspectors, TTL: ttl, Summary: "Ownership penetration tree over HOLDS_SHARES, up (holders) or down (holdings)",
			Params: []param{pathKey(), qStr("direction", "up (who holds it, default) or down (what it holds)"), qInt("depth", 3, 1, 6, "levels"),
				qInt("limit", 500, 1, 2000, "node limit")}, handler: a.ownership},
		{Method: "GET", Path: "/enterprises/:key/group", Response: groupView{}, Roles: inspectors, TTL: ttl, Summary: "Control group: enterprises and persons joined by holdings above the control threshold and by branch links (docs/risk-model.md §8)",
			Params: []param{pathKey(), qInt("limit", 500, 1, 2000, "member limit")}, handler: a.group},
		{Method: "GET", Path: "/enterprises/:key/risk", Response: riskView{}, Roles: readers, TTL: ttl, Summary: "Risk score and explanation (engine)", Params: []param{pathKey()}},
		{Method: "GET", Path: "/enterprises/:key/owners", Response: ownersView{}, Roles: inspectors, TTL: ttl, Summary: "Beneficial owners under the 2024 rules (受益所有人信息管理办法): each with the criterion that makes them one (equity, income, voting, control, branch_executive, senior_manager), exact shares and chains; the actual controller; whether the enterprise files or is exempt (docs/beneficial-owners.md)", Params: []param{pathKey()}},
		{Method: "GET", Path: "/enterprises/:key/bods", Response: []bods.Statement(nil), Roles: readers, TTL: ttl, Summary: "The enterprise's beneficial-ownership declaration as Beneficial Ownership Data Standard 0.4 statements (entities, persons by pid-derived record ids, relationships with exact shares; docs/beneficial-owners.md)", Params: []param{pathKey()}},

		{Method: "GET", Path: "/persons/:pid", Response: personView{}, Roles: inspectors, TTL: ttl, Summary: "Person profile with risk and records", Params: []param{pathPID()}, handler: a.person},
		{Method: "GET", Path: "/persons/:pid/records", Response: recordsView{}, Roles: inspectors, TTL: ttl, Summary: "Credit records of a person, paged",
			Params: []param{pathPID(), offset, qInt("limit", 50, 1, 200, "page size")}, handler: a.records},
		{Method: "GET", Path: "/persons/:pid/network", Response: store.Graph{}, Roles: inspectors, TTL: ttl, Summary: "Neighbourhood of a person",
			Params: []param{pathPID(), qInt("depth", 2, 1, store.MaxNeighbourhoodDepth, "hops"), qInt("limit", 500, 1, store.MaxNeighbourhoodLimit, "node limit"), types}, handler: a.network},
		{Method: "GET", Path: "/paths", Response: pathsView{}, Roles: inspectors, TTL: ttl, Summary: "Shortest paths between two entities (all shortest, or one with mode=shortest)",
			Params: []param{{Name: "from", In: "query", Required: true, Desc: "enterprise key or person:<pid>"}, {Name: "to", In: "query", Required: true, Desc: "enterprise key or person:<pid>"},
				qInt("max_depth", 6, 1, store.MaxPathDepth, "hops"), qInt("limit", 10, 1, 100, "paths"), qStr("mode", "all (default) or shortest"), types}, handler: a.paths},
		{Method: "POST", Path: "/match", Response: matchView{}, Roles: readers, Summary: "Screen up to " + spaced(maxMatchQueries) + " queries (name, codes, address, phone, email, legal representative, region; persons by name, identity number and enterprise) against the stored enterprises and persons: ranked candidates with score, match and per-feature agreement (docs/matching.md; person queries refused for dashboards)",
			Body: matchBody, Request: matchRequest{}, MaxItems: maxMatchQueries, handler: a.match},
		// The match review queue of matching at ingest (review.go).
		{Method: "GET", Path: "/match/review", Response: reviewsView{}, Roles: inspectors, Summary: "Match review queue: rows the loader matched with a score between the review and the accept threshold, held with their query and candidates, oldest first, paged by cursor (docs/ingest.md)",
			Params: []param{qStr("status", "pending (default), accepted, rejected or all"), qInt("limit", 50, 1, 500, "page size"),
				qStr("cursor", "the next value of the previous page")}, handler: a.listReviews},
		{Method: "POST", Path: "/match/review/:id", Response: reviewDecided{}, Roles: inspectors, Summary: "Decide a queued match: accept one candidate (the held rows are written attached to it) or reject them all; a decision is final (409 after)",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "review entry id"}}, Body: decideBody, Request: reviewDecision{}, Extra: []int{404, 409, 422}, handler: a.decideReview},
		{Method: "POST", Path: "/match/review", Response: queuedView{}, Roles: writers, Summary: "Queue match review entries (riskgraph ingest beside a running server); an entry queued before is kept, with its decision, and takes the rows it does not hold",
			Body: `{"entries": [review entries as riskgraph ingest makes them]} — at most ` + spaced(maxQueueEntries) + ` entries, 64 MiB`, Request: reviewQueue{}, MaxItems: maxQueueEntries, Extra: []int{413}, handler: a.queueReviews},
		{Method: "GET", Path: "/search", Response: searchView{}, Roles: readers, TTL: ttl, Summary: "Name and code search, paged (persons masked for dashboards)",
			Params: []param{{Name: "q", In: "query", Required: true, Desc: "name part or USCC"}, searchOffset, qInt("limit", 20, 1, 200, "page size")},
			Links:  enterpriseLinks("$response.body#/hits/0/ref/key"), handler: a.search},

		{Method: "GET", Path: "/ranking", Response: rankingView{}, Roles: readers, TTL: ttl, Summary: "Top-risk enterprises, score descending, filtered, paged",
			Params: []param{qStr("region", "GB/T 2260 code at province, city or county level"), qStr("industry", "industry code"), qStr("grade", "A, B, C or D"),
				qStr("flag", "anomaly flag"), offset, qInt("limit", 100, 1, 500, "page size")},
			Links: enterpriseLinks("$response.body#/ranking/items/0/ref/key"), handler: a.ranking},
		{Method: "GET", Path: "/stats", Response: statsView{}, Roles: readers, TTL: ttl, Summary: "Score distribution and grade counts by region or industry, of the enterprises passing the filters (as /ranking's)",
			Params: []param{qStr("by", "region (province, default), city or industry"), qStr("region", "6-digit division code (province, city or county)"),
				qStr("industry", "industry code"), qStr("grade", "A, B, C or D"), qStr("flag", "one flag")}, handler: a.stats},
		{Method: "GET", Path: "/flags", Response: flagsView{}, Roles: readers, TTL: ttl, Summary: "Flagged entities of runs finished since a time, paged",
			Params: []param{qStr("since", "RFC 3339 time (default: all)"), qStr("flag", "one flag"), offset, qInt("limit", 100, 1, 500, "page size")}, handler: a.flags},
		{Method: "GET", Path: "/runs", Response: runsView{}, Roles: readers, Summary: "Engine runs, newest first", Params: []param{qInt("limit", 20, 1, 100, "runs")},
			Links: []link{{Name: "run", To: "GET /runs/:id", Params: map[string]string{"id": "$response.body#/runs/0/id"}}}, handler: a.runs},
		{Method: "GET", Path: "/runs/:id", Response: store.Run{}, Roles: readers, Summary: "One engine run", Params: []param{{Name: "id", In: "path", Required: true, Desc: "run id"}}, handler: a.run},
		{Method: "POST", Path: "/runs", Response: runStarted{}, Roles: admins, Summary: "Start an engine run in the background (202 with its id; 409 while another runs)",
			Extra: []int{202, 409}, Links: []link{{Name: "run", To: "GET /runs/:id", Params: map[string]string{"id": "$response.body#/run"}}}, handler: a.triggerRun},

		// Duplicates inside the graph (xref.go, docs/matching.md "Duplicates").
		{Method: "POST", Path: "/xref", Response: xrefStarted{}, Roles: admins, Summary: "Start an xref run in the background: find likely duplicate enterprises and write them as candidate pairs (202 with its id; 409 while another runs)",
			Body: xrefBody, Request: XrefOptions{}, BodyOptional: true, Extra: []int{202, 409},
			Links: []link{{Name: "xrefRun", To: "GET /xref/runs/:id", Params: map[string]string{"id": "$response.body#/run"}}}, handler: a.startXref},
		{Method: "GET", Path: "/xref/runs/:id", Response: store.Run{}, Roles: inspectors, Summary: "One xref run (status, summary: blocks compared and skipped, pairs found and added)",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "xref run id"}}, Extra: []int{404}, handler: a.xrefRun},
		{Method: "GET", Path: "/xref/pairs", Response: xrefPairsView{}, Roles: inspectors, Summary: "Candidate duplicate pairs with score and per-feature evidence, best first, paged by cursor",
			Params: []param{qStr("status", "candidate, confirmed, rejected or undone (default: all)"), qStr("cursor", "the next value of the previous page"),
				qInt("limit", 100, 1, 1000, "page size")},
			Links: []link{{Name: "pair", To: "POST /xref/pairs/:id", Params: map[string]string{"id": "$response.body#/pairs/0/id"}}}, handler: a.xrefPairs},
		{Method: "POST", Path: "/xref/pairs/:id", Response: store.XrefPair{}, Roles: inspectors, Summary: "Decide a pair: confirm (a SAME_AS link: network, paths, ownership and the engine treat the two as one entity), reject, or undo the last decision; 404 unknown, 409 when the pair's status does not admit it",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "pair id (xp-…)"}}, Body: xrefDecisionBody, Request: xrefDecisionRequest{}, Extra: []int{404, 409}, handler: a.decideXrefPair},

		{Method: "POST", Path: "/ingest/:kind", Roles: writers, Summary: "Ingest rows of one kind (CSV or NDJSON, columns as docs/data-format.md names them); 422 when nothing loads", Params: []param{{Name: "kind", In: "path", Required: true, Desc: "file kind"},
			qStr("source", "the data set's name (default api)"), qStr("format", "csv or ndjson (default: from Content-Type)"),
			qStr("encoding", "auto (default), utf-8, gb18030, gbk, utf-16le or utf-16be"), qStr("references", "placeholder (default) or reject"),
			qStr("dry_run", "true: validate only, write nothing"), qStr("max_rejects", "stop after this many rejected rows (0: never)"),
			qStr("match", "true: resolve enterprise references that are names or old codes with the matcher (docs/ingest.md, matching at ingest)"),
			qStr("match_accept", "score from which a row is attached (default 0.9; implies match=true)"),
			qStr("match_review", "score from which a row is queued for review, below it rejected (default 0.7; implies match=true)")},
			Body: "CSV or NDJSON rows", Request: rawRows(""), Response: ingestResponse{}, Others: map[int]any{422: ingestFailure{}}, Extra: []int{413, 422}},
		{Method: "GET", Path: "/audit", Response: auditView{}, Roles: admins, Summary: "Audit log: one entry per request (id, time, key_id, role, method, route, entities, query, status), newest first, paged by cursor",
			Params: []param{qStr("key_id", "API key id"), qStr("entity", "enterprise key, person:<pid> or case:<id>: entries naming it among their entities"), qStr("route", "route pattern, e.g. /api/v1/enterprises/:key"),
				qStr("since", "RFC 3339"), qStr("until", "RFC 3339"), qStr("before", "cursor: the next value of the previous page"), qInt("limit", 100, 1, 1000, "page size")}, handler: a.auditQuery},
		// Reports and watch-lists (reports.go, watchlists.go).
		{Method: "GET", Path: "/reports", Response: reportsView{}, Roles: inspectors, Summary: "Early-warning reports, newest first (summary and delivery status, no body)",
			Params: []param{qInt("limit", 20, 1, 200, "reports")},
			Links:  []link{{Name: "report", To: "GET /reports/:id", Params: map[string]string{"id": "$response.body#/reports/0/id"}}}, handler: a.listReports},
		{Method: "GET", Path: "/reports/:id", Response: report.Document{}, Produces: []string{"text/csv", "text/html"}, Roles: inspectors, Summary: "One report as JSON (default), CSV (one section) or self-contained HTML, by format= or Accept",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "report id"}, qStr("format", "json, csv or html (default: from Accept, else json)"),
				qStr("section", "CSV section: entered_cd (default), grade_changes, new_flags, top_risers, new_records, restricted_appointments, watched, by_region, by_industry, grades")}, handler: a.getReport},
		{Method: "POST", Path: "/watchlists", Response: store.Watchlist{}, Request: watchlistBody{}, Extra: []int{201}, Roles: inspectors, Summary: "Create a watch-list: the next report lists every change on its entities (201)",
			Body: `{"name": "…", "keys": ["USCC, src:<source>:<id> or person:<pid>", …]} — at most ` + spaced(maxWatchlistKeys) + ` keys`, MaxItems: maxWatchlistKeys,
			Links: []link{{Name: "delete", To: "DELETE /watchlists/:id", Params: map[string]string{"id": "$response.body#/id"}}}, handler: a.createWatchlist},
		{Method: "GET", Path: "/watchlists", Response: watchlistsView{}, Roles: inspectors, Summary: "Every watch-list", handler: a.listWatchlists},
		{Method: "DELETE", Path: "/watchlists/:id", Response: noContent{}, Extra: []int{204}, Roles: inspectors, Summary: "Delete a watch-list (204)",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "watch-list id"}}, handler: a.deleteWatchlist},
		// Case files (cases.go, docs/ui.md "Case files").
		{Method: "GET", Path: "/cases", Response: casesView{}, Roles: inspectors, Summary: "Case files, most recently updated first, without their views (archived ones with archived=true)",
			Params: []param{offset, qInt("limit", 20, 1, 200, "page size"), {Name: "archived", In: "query", Enum: []string{"true", "false"}, Desc: "true: archived cases too"},
				{Name: "mine", In: "query", Enum: []string{"true", "false"}, Desc: "true: only the cases the caller's key created"}},
			Links: []link{{Name: "case", To: "GET /cases/:id", Params: map[string]string{"id": "$response.body#/cases/0/id"}}}, handler: a.listCases},
		{Method: "POST", Path: "/cases", Response: store.Case{}, Request: caseBody{}, Extra: []int{201, 413}, Roles: inspectors, MaxItems: store.MaxCaseNodes,
			Summary: "Save an investigation as a case file: title, notes, entities and the explorer's view (nodes with their places, pins, hidden nodes, groups, filters, viewport); version 1 (201)",
			Body:    caseBodyWant + " — at most " + spaced(store.MaxCaseNodes) + " nodes, 4 MiB",
			Links:   []link{{Name: "case", To: "GET /cases/:id", Params: map[string]string{"id": "$response.body#/id"}}}, handler: a.createCase},
		{Method: "GET", Path: "/cases/:id", Response: caseFile{}, Roles: inspectors, Extra: []int{404}, Summary: "One case file with its view, and its graph as the data stands now: the view's nodes (names, grades, scores) and the relationships between them; nodes gone from the data under missing",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "case id"}},
			Links:  []link{{Name: "export", To: "GET /cases/:id/export", Params: map[string]string{"id": "$response.body#/case/id"}}}, handler: a.getCase},
		{Method: "PUT", Path: "/cases/:id", Response: store.Case{}, Request: caseUpdateBody{}, Roles: inspectors, MaxItems: store.MaxCaseNodes, Extra: []int{404, 409, 413},
			Summary: "Replace a case file: the body is the whole case with the version it was read at; 409 when it was saved since (reopen, reapply, save) or is archived",
			Params:  []param{{Name: "id", In: "path", Required: true, Desc: "case id"}}, Body: `{"version": <the version read>, ` + caseBodyWant[1:], handler: a.updateCase},
		{Method: "DELETE", Path: "/cases/:id", Response: store.Case{}, Roles: inspectors, Extra: []int{404, 409}, Summary: "Archive a case file: it leaves the default listing and becomes read-only, but stays readable and exportable (cases are never deleted); 409 when archived already",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "case id"}}, handler: a.archiveCase},
		{Method: "GET", Path: "/cases/:id/export", Response: textBody(""), Produces: []string{"text/html", "application/pdf"}, Roles: inspectors, Extra: []int{404},
			Summary: "A case file as a document: title, notes, the data's as-of time, a legend, the network picture of its view (SVG, or vectors in the PDF) and its entities with grade, score and flags as they stand now",
			Params:  []param{{Name: "id", In: "path", Required: true, Desc: "case id"}, {Name: "format", In: "query", Enum: []string{"html", "pdf"}, Desc: "html (default) or pdf"}}, handler: a.exportCase},
		// Credit checks (credit.go, docs/credit-checks.md).
		{Method: "POST", Path: "/credit-checks", Response: credit.Answer{}, Roles: checkers, Summary: "Credit check of one subject for one scenario: verdict, every measure with its rule, legal basis, evidence (records, or the network path to the related party holding them) and end; stored, and answered exactly as stored",
			Body: checkBody, Request: checkRequest{}, Extra: []int{404},
			Links: []link{{Name: "check", To: "GET /credit-checks/:id", Params: map[string]string{"id": "$response.body#/id"}}}, handler: a.createCheck},
		{Method: "POST", Path: "/credit-checks\\:batch", Response: checkBatchView{}, Roles: checkers, Summary: "Credit checks of up to " + spaced(maxCheckSubjects) + " subjects (a procurement's bidders) for one scenario; each stored",
			Body: checkBatchBody, Request: checkBatchRequest{}, MaxItems: maxCheckSubjects, handler: a.createChecks},
		{Method: "GET", Path: "/credit-checks", Response: checkCountsView{}, Roles: append([]auth.Role{auth.Checker}, readers...), Summary: "Numbers of stored credit checks by scenario and verdict",
			Params: []param{qStr("scenario", "one scenario of the measures catalogue"), qStr("since", "a date (YYYY-MM-DD, China time) or an RFC 3339 time")}, handler: a.checkCounts},
		{Method: "GET", Path: "/credit-checks/scenarios", Response: scenariosView{}, Roles: checkers, Summary: "The scenarios of the server's measures catalogue (id, Chinese and English label, subject kinds), in catalogue order, and the catalogue's version",
			handler: a.checkScenarios},
		{Method: "GET", Path: "/credit-checks/:id", Response: credit.Answer{}, Produces: []string{"text/html"}, Roles: checkers, Summary: "One stored credit check exactly as it was answered (JSON), or its certificate (HTML) by format= or Accept",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "check id"}, qStr("format", "json or html (default: from Accept, else json)")}, Extra: []int{404}, handler: a.getCheck},
		{Method: "POST", Path: "/credit-checks\\:simulate", Response: simulationView{}, Roles: admins, Summary: "Policy simulation: how a candidate measures catalogue would change the verdicts (per scenario, province and industry, with samples and reasons), or candidate grade thresholds the grades; nothing is stored",
			Body: simulateBody, Request: simulateRequest{}, Extra: []int{409}, handler: a.simulate},
		// The credit file's life (creditfile.go).
		{Method: "POST", Path: "/commitments", Response: store.Commitment{}, Roles: inspectors, Summary: "Record the credit commitment (信用承诺) of an enterprise or a person (an appointee, by name and identity number, hashed on arrival): scenario, text, date and validity (201); a negative record decided inside its window raises commitment_breached",
			Body: commitmentBody, Request: commitmentRequest{}, Extra: []int{201, 404}, handler: a.createCommitment},
		{Method: "GET", Path: "/enterprises/:key/commitments", Response: commitmentsView{}, Roles: checkers, Summary: "An enterprise's credit commitments, each with the records that breach it, as of today or as_of",
			Params: []param{pathKey(), qStr("as_of", "YYYY-MM-DD (default today)")}, Extra: []int{404}, handler: a.listCommitments},
		{Method: "GET", Path: "/persons/:pid/commitments", Response: commitmentsView{}, Roles: inspectors, Summary: "A person's credit commitments, each with the records that breach it, as of today or as_of",
			Params: []param{pathPID(), qStr("as_of", "YYYY-MM-DD (default today)")}, handler: a.listPersonCommitments},
		{Method: "GET", Path: "/records/:id", Response: recordView{}, Roles: checkers, Summary: "One credit record with its state today (counts, ended and why, under objection, corrected) and its history: objections with their decisions, repair",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "record id"}}, Extra: []int{404}, handler: a.getRecord},
		{Method: "POST", Path: "/records/:id/objections", Response: store.Objection{}, Roles: inspectors, Summary: "File an objection (异议) against a record: while open the record is marked under objection everywhere (201; 409 while another is open)",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "record id"}}, Body: objectionBody, Request: objectionRequest{}, Extra: []int{201, 404, 409}, handler: a.fileObjection},
		{Method: "POST", Path: "/objections/:id/decision", Response: store.Objection{}, Roles: inspectors, Summary: "Decide an open objection: upheld (the record is withdrawn, or corrected) or rejected (it stands); recorded with who and when, final (409 after)",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "objection id"}}, Body: decisionBody, Request: decisionRequest{}, Extra: []int{404, 409}, handler: a.decideObjection},
		{Method: "POST", Path: "/records/:id/repair", Response: store.Repair{}, Roles: inspectors, Summary: "Credit repair (信用修复) of a record: from its date it stops counting in checks and scores (the next run, incremental or full); once per record (201; 409 after)",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "record id"}}, Body: repairBody, Request: repairRequest{}, Extra: []int{201, 404, 409}, handler: a.repairRecord},
		// Public disclosure (public.go): no key, limited per client address.
		{Method: "GET", Path: publicPrefix + "/enterprises/:uscc", Response: publicEnterprise{}, Summary: "Public page of an enterprise (no key; limited per client address): name, status, registration facts and its records in force of the kinds the catalogue marks public — never a person, a score or a network",
			Params: []param{{Name: "uscc", In: "path", Required: true, Desc: "unified social credit code"}}, Extra: []int{404}, handler: a.publicEnterprisePage},
		// Credit reports (creditreport.go, docs/credit-report.md).
		{Method: "GET", Path: "/enterprises/:key/credit-report", Response: report.CreditReport{}, Roles: creditReaders, Summary: "Issue the credit report of an enterprise (registration, licences, penalties, lists, positive records, grade and its explanation, flags, owners, related parties, network picture): numbered, sealed by the SHA-256 of its canonical JSON, stored; JSON, HTML or PDF (dashboards: masked JSON only, 403 otherwise)",
			Params: []param{pathKey(), qStr("format", "json (default), html or pdf")}, Extra: []int{404}, handler: a.issueCreditReport},
		{Method: "GET", Path: "/credit-reports/:number", Response: report.CreditReport{}, Roles: checkers, Summary: "An issued credit report exactly as stored (JSON), to verify a copy against; or rendered again as HTML or PDF",
			Params: []param{{Name: "number", In: "path", Required: true, Desc: "report number (CR…)"}, qStr("format", "json (default), html or pdf")}, Extra: []int{404}, handler: a.getCreditReport},
		{Method: "GET", Path: "/keys", Response: keysView{}, Roles: admins, Summary: "API keys (id, name, role, created, revoked; never the key or its hash)", handler: a.listKeys},
		{Method: "POST", Path: "/keys", Response: createdKey{}, Roles: admins, Summary: "Create an API key (201); the answer is the only time the key is shown, only its hash is stored",
			Body: `{"role": "dashboard|inspector|writer|checker|admin", "name": "who or what uses it"}`, Request: keyRequest{}, Extra: []int{201}, handler: a.createKey},
		{Method: "POST", Path: "/keys/:id/revoke", Response: keyRevoked{}, Roles: admins, Summary: "Revoke an API key: this server refuses it from the answer on",
			Params: []param{{Name: "id", In: "path", Required: true, Desc: "key id"}}, Extra: []int{404}, handler: a.revokeKey},
		{Method: "POST", Path: "/batches", Response: batchWritten{}, Request: store.Batch{}, Roles: writers, Summary: "Write one store batch (validated rows, as riskgraph ingest makes them) as one transaction; 200 once durable",
			Body:  `store batch: {"enterprises": […], "persons": […], "shareholdings": […], "roles": […], "branches": […], "records": […]} — at most 64 MiB`,
			Extra: []int{413}, handler: a.writeBatch},
	}
}

// enterpriseLinks are the links from an answer naming an enterprise (at
// the runtime expression key) to the routes about it.
func enterpriseLinks(key string) []link {
	p := map[string]string{"key": key}
	return []link{
		{Name: "enterprise", To: "GET /enterprises/:key", Params: p},
		{Name: "records", To: "GET /enterprises/:key/records", Params: p},
		{Name: "risk", To: "GET /enterprises/:key/risk", Params: p},
		{Name: "network", To: "GET /enterprises/:key/network", Params: p},
		{Name: "ownership", To: "GET /enterprises/:key/ownership", Params: p},
		{Name: "group", To: "GET /enterprises/:key/group", Params: p},
		{Name: "owners", To: "GET /enterprises/:key/owners", Params: p},
	}
}

// fullPath is the path Echo registers for r.
func (r route) fullPath() string {
	if r.full != "" {
		return r.full
	}
	switch r.Path {
	case "/healthz", "/readyz", "/metrics":
		return r.Path
	}
	if strings.HasPrefix(r.Path, publicPrefix+"/") {
		return r.Path
	}
	return "/api/v1" + r.Path
}
