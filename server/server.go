// Package server is riskgraph's HTTP API (Echo): health, readiness and
// metrics, and the /api/v1 endpoints inspectors and dashboards use, behind
// API keys with roles, an audit log, rate limits and a Redis response cache.
//
// Request path: metrics and logging → body limit → (under /api/v1) path
// parameters unescaped → API key
// → audit → role → rate limit → declared query parameters → response cache with singleflight and
// name masking for dashboards → handler → store (every call with a timeout).
package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/sync/singleflight"

	"riskgraph/cache"
	"riskgraph/credit"
	"riskgraph/engine"
	"riskgraph/match"
	"riskgraph/metrics"
	"riskgraph/models"
	"riskgraph/ranking"
	"riskgraph/ratelimit"
	"riskgraph/store"
)

// RunTrigger starts an engine run in the background and returns its id;
// the run records itself in the store's run history. The engine provides
// it; the server only needs this entry point.
//
// Runs go one at a time: while one is in progress StartRun returns that
// run's id and an error wrapping ErrRunInProgress (409 to the client).
type RunTrigger interface {
	StartRun(ctx context.Context) (id string, err error)
}

// ErrRunInProgress: an engine run is already running.
var ErrRunInProgress = errors.New("an engine run is in progress")

// Options configure the API. Zero values take the defaults noted.
type Options struct {
	Store store.Store
	// Cache for responses; a *cache.Redis also enables Redis rankings and
	// rate limits. Nil means an in-process cache.
	Cache   cache.Cache
	Logger  zerolog.Logger
	Version string // reported by /healthz
	// Engine holds the latest scoring result for /risk and /owners (optional).
	Engine *engine.Latest
	// Metrics registry; nil creates one.
	Metrics *metrics.Metrics
	// InsecureDev serves every request as admin without a key. For the
	// demo on a developer's machine only; logged loudly.
	InsecureDev bool
	// NearCache is the number of answers kept in process in front of Redis
	// (0: 4096; negative: none, every lookup goes to Redis).
	NearCache int
	// RateLimit requests per RateWindow and key (default 6000 per minute);
	// negative disables rate limiting.
	RateLimit  int
	RateWindow time.Duration
	// AuthFailLimit is the number of requests without a valid API key
	// (none, malformed, unknown, revoked) a client address may send per
	// AuthFailWindow (default 60 per minute); past it such requests get 429
	// before their key is looked up. Negative disables it.
	AuthFailLimit  int
	AuthFailWindow time.Duration
	// PublicRateLimit requests per PublicRateWindow and client address on
	// the public page (default 60 per minute); negative disables it.
	PublicRateLimit  int
	PublicRateWindow time.Duration
	// TrustedProxies are the proxies whose X-Forwarded-For is believed;
	// none (the default) means the client address is the socket's.
	TrustedProxies []netip.Prefix
	// StoreTimeout bounds each store call (default 5 s); long calls
	// (batches, scans) get 20 times as long.
	StoreTimeout time.Duration
	// CacheTTL of cached answers (default 5 min). VersionTTL is how long the
	// data generation and run id are trusted before asking again (default 1 s).
	CacheTTL   time.Duration
	VersionTTL time.Duration
	// KeyTTL is how long a verified key is trusted before the store is asked
	// again (default 10 s): a revoked key stops working within it.
	KeyTTL time.Duration
	// BodyLimit for request bodies (default 1 MiB); IngestBodyLimit for
	// the ingest endpoint (default 256 MiB).
	BodyLimit       int64
	IngestBodyLimit int64
	// BatchBodyLimit for POST /batches (default 64 MiB).
	BatchBodyLimit int64
	// CORSOrigins allowed to call the API from a browser; empty (default)
	// sends no CORS headers at all.
	CORSOrigins []string
	// AuditTimeout bounds how long a request waits for its audit entry to
	// be durable before it is answered 503 (default 5 s).
	AuditTimeout time.Duration
	// Runs starts engine runs for POST /api/v1/runs; nil answers 503.
	Runs RunTrigger
	// Xref starts xref runs for POST /api/v1/xref; nil answers 503.
	Xref XrefTrigger
	// Hasher turns identity numbers into pids for POST /api/v1/ingest;
	// nil answers 503.
	Hasher *models.PIDHasher
	// Measures is the measures catalogue of credit checks (nil: the
	// shipped default, credit.Default).
	Measures *credit.Catalogue
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.RateLimit == 0 {
		o.RateLimit = 6000
	}
	if o.RateWindow <= 0 {
		o.RateWindow = time.Minute
	}
	if o.AuthFailLimit == 0 {
		o.AuthFailLimit = 60
	}
	if o.AuthFailWindow <= 0 {
		o.AuthFailWindow = time.Minute
	}
	if o.PublicRateLimit == 0 {
		o.PublicRateLimit = 60
	}
	if o.PublicRateWindow <= 0 {
		o.PublicRateWindow = time.Minute
	}
	if o.StoreTimeout <= 0 {
		o.StoreTimeout = 5 * time.Second
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = 5 * time.Minute
	}
	if o.VersionTTL <= 0 {
		o.VersionTTL = time.Second
	}
	if o.KeyTTL <= 0 {
		o.KeyTTL = 10 * time.Second
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = 1 << 20
	}
	if o.IngestBodyLimit <= 0 {
		o.IngestBodyLimit = 256 << 20
	}
	if o.BatchBodyLimit <= 0 {
		o.BatchBodyLimit = 64 << 20
	}
	if o.AuditTimeout <= 0 {
		o.AuditTimeout = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	if o.Cache == nil {
		o.Cache = cache.NewLocal(100_000, nil)
	}
}

// API serves riskgraph's HTTP endpoints.
type API struct {
	opts  Options
	store *timedStore
	cache *cache.Guard
	redis *cache.Redis // nil without Redis
	// near is an in-process tier in front of Redis for hot answers; its
	// keys carry the data version like Redis's, so it is never staler.
	near *cache.Local
	// fills queues the answers the fill worker copies into Redis after
	// they are sent (cachefill.go); nil without Redis or without near.
	// filling counts the queued ones.
	fills   chan cacheFill
	filling sync.WaitGroup
	// cacheHits is the "hit" counter of riskgraph_cache_requests_total,
	// looked up once rather than by label on every hit.
	cacheHits prometheus.Counter
	log       zerolog.Logger
	version   string
	m         *metrics.Metrics
	versions  *versions
	// replica names this API in its invalidation messages (replicas.go).
	replica   string
	listening chan struct{} // closed once subscribed
	flight    singleflight.Group
	// advised is the latest result asked to be advised for huge pages
	// (risk.go); adviseCur, under adviseMu, the one whose arrays are.
	advised   atomic.Pointer[engine.Result]
	adviseMu  sync.Mutex
	adviseCur *engine.Result
	keys      *keyCache
	limiter   ratelimit.Limiter
	limitHdr  []string // X-RateLimit-Limit's value, made once (middleware.go)
	// publicLimiter counts the public page's requests per client address (public.go).
	publicLimiter ratelimit.Limiter
	// authFails counts requests without a valid key per client address.
	authFails *ratelimit.Strikes
	// auditLogged is the second of the last audit failure logged.
	auditLogged atomic.Int64
	rank        *ranking.Service
	matcher     *match.Live       // POST /match's candidate index, kept current by the writes (match.go)
	policy      map[string]*route // method + " " + Echo path
	// byMethod is policy by method, then Echo path: routeOf's look-up on
	// every request, without building the joined key.
	byMethod map[string]map[string]*route
	patterns []pattern // the policy's paths compiled for methodAllowed (openapi.go)
	echo     *echo.Echo
	stop     chan struct{}
	reload   chan struct{} // engine reloads asked by other replicas (replicas.go); nil: none
	// The OpenAPI document, built at its first request (openapi.go).
	docOnce, docJSONOnce sync.Once
	doc                  map[string]any
	docJSON              []byte
	docTypes             []map[reflect.Type]bool
}

// New builds the router. Tests call it with httptest. The API's background
// work (audit writes, Redis health) runs until the process ends; servers
// use NewAPI and Close instead.
func New(opts Options) *echo.Echo { return NewAPI(opts).Handler() }

// NewAPI builds the API.
func NewAPI(opts Options) *API {
	opts.defaults()
	a := &API{opts: opts, log: opts.Logger, version: opts.Version, m: opts.Metrics, stop: make(chan struct{})}
	a.matcher = match.NewLive(nil, 0)
	a.store = &timedStore{s: opts.Store, timeout: opts.StoreTimeout, slow: 20 * opts.StoreTimeout, m: a.m, live: a.matcher}
	a.cache = cache.NewGuard(opts.Cache, time.Second, 250*time.Millisecond, opts.Now)
	a.cache.OnError = func(error) { a.m.RedisErrors.Inc() }
	a.cache.OnState = func(up bool) {
		if up {
			a.m.RedisUp.Set(1)
			a.log.Info().Msg("cache reachable again")
		} else {
			a.m.RedisUp.Set(0)
			a.log.Warn().Msg("cache unreachable: answering from the store until it returns")
		}
	}
	a.m.RedisUp.Set(1)
	a.cacheHits = a.m.Cache.WithLabelValues("hit")
	a.redis, _ = opts.Cache.(*cache.Redis)
	if a.redis != nil && opts.NearCache >= 0 {
		a.near = cache.NewLocal(cmp.Or(opts.NearCache, nearEntries), opts.Now)
	}
	a.versions = &versions{s: a.store, ttl: opts.VersionTTL, now: opts.Now}
	a.keys = newKeyCache(a.store, opts.KeyTTL, opts.Now)
	a.limiter = a.newLimiter()
	a.limitHdr = []string{strconv.Itoa(opts.RateLimit)}
	a.publicLimiter = a.newPublicLimiter()
	a.replica, a.listening = newReplicaID(), make(chan struct{})
	if a.redis != nil {
		if opts.Engine != nil {
			a.reload = make(chan struct{}, 1)
			go a.engineReloads() // runs on other replicas (replicas.go)
		}
		go a.listenInvalidations() // writes through other replicas (replicas.go)
		if a.near != nil {
			a.startFills()
		}
	}
	a.authFails = a.newAuthFailures()
	a.rank = ranking.NewService(a.store, a.redisClient(), a.cache, a.log)
	if opts.InsecureDev {
		a.log.Warn().Msg("!!! INSECURE DEV MODE: every request is served as admin WITHOUT an API key. " +
			"For the demo on a developer's machine only; never expose this server. !!!")
	}
	if opts.Cache.Backend() == "redis" {
		go a.watchCache()
	}
	a.echo = a.router()
	return a
}

// Handler returns the router.
func (a *API) Handler() *echo.Echo { return a.echo }

// Close writes the queued audit entries and stops background work.
func (a *API) Close() {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
}

// watchCache pings a cache marked down every second, so that it comes
// back by itself even when no request tries it.
func (a *API) watchCache() {
	_ = a.cache.Ping(context.Background()) // a Redis down from the start is marked down at once
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-t.C:
			if !a.cache.Up() {
				_ = a.cache.Ping(context.Background())
			}
		}
	}
}

func (a *API) router() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = a.handleError
	e.IPExtractor = ipExtractor(a.opts.TrustedProxies)
	e.Pre(a.methodAllowed)
	e.Use(middleware.Recover())
	e.Use(a.observe)
	e.Use(a.bodyLimit)
	if len(a.opts.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: a.opts.CORSOrigins,
			AllowHeaders: []string{"Authorization", "X-API-Key", "Content-Type"}}))
	}
	v1 := e.Group("/api/v1", unescapeParams, a.authenticate, a.auditTrail, a.authorize, a.rateLimit, a.checkQuery, a.respond)
	a.policy, a.byMethod = map[string]*route{}, map[string]map[string]*route{}
	for _, r := range a.routes() {
		r := r
		r.full = r.fullPath()
		a.policy[r.Method+" "+r.full] = &r
		if a.byMethod[r.Method] == nil {
			a.byMethod[r.Method] = map[string]*route{}
		}
		a.byMethod[r.Method][r.full] = &r
		if r.handler == nil {
			continue // registered below by the file that owns it
		}
		if strings.HasPrefix(r.Path, publicPrefix+"/") {
			e.Add(r.Method, r.Path, r.handler, a.publicLimit)
		} else if r.fullPath() == r.Path {
			e.Add(r.Method, r.Path, r.handler)
		} else {
			v1.Add(r.Method, r.Path, r.handler)
		}
	}
	a.patterns = compilePatterns(a.policyRows())
	// Routes whose handlers live in other files: one line each; their
	// policy is in routes().
	v1.GET("/enterprises/:key/risk", risk(a, a.opts.Engine))
	v1.GET("/enterprises/:key/owners", owners(a, a.opts.Engine))
	v1.GET("/enterprises/:key/bods", bodsOf(a, a.opts.Engine))
	v1.POST("/ingest/:kind", a.ingestRows)
	e.Match([]string{http.MethodGet, http.MethodHead}, "/*", a.webHandler()) // the web UI (web.go), outside /api/v1
	return e
}

func (a *API) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, healthView{Status: "ok", Version: a.version})
}

// readyz: 503 when the store does not answer; 200 "degraded" when only the
// cache does not (the API answers from the store meanwhile).
func (a *API) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"store": "ok", "cache": "ok"}
	ready, status := true, "ok"
	if err := a.store.Ping(ctx); err != nil {
		a.log.Warn().Err(err).Msg("readiness: store unreachable")
		checks["store"], ready, status = "unreachable", false, "unavailable"
	}
	if err := a.cache.Ping(ctx); err != nil {
		checks["cache"] = "unreachable"
		if ready {
			status = "degraded"
		}
	}
	code := http.StatusOK
	if !ready {
		code = http.StatusServiceUnavailable
	}
	return c.JSON(code, readyView{Ready: ready, Status: status, Checks: checks, CacheBackend: a.cache.Backend()})
}

// handleError maps errors to statuses: what a user caused gets its message,
// anything else a generic one (details go to the log only).
func (a *API) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(status)
		}
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, err.Error()
	case errors.Is(err, store.ErrInvalid):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, store.ErrTooLarge):
		status, msg = http.StatusUnprocessableEntity, err.Error()
	case errors.Is(err, store.ErrConflict):
		status, msg = http.StatusConflict, err.Error()
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusServiceUnavailable, "the graph store is unavailable; try again shortly"
	}
	if status >= 500 {
		a.log.Error().Err(err).Str("route", c.Path()).Msg("request failed")
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = sendProblem(c, problemOf(status, msg, a.fieldsOf(c, err, msg)...))
}
