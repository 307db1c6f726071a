package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"riskgraph/auth"
	"riskgraph/cache"
	"riskgraph/metrics"
	"riskgraph/ratelimit"
	"riskgraph/store"
)

// principal is who makes a request.
type principal struct {
	KeyID string
	Role  auth.Role
}

const (
	ctxPrincipal = "riskgraph.principal"
	ctxEntities  = "riskgraph.entities"
)

func principalOf(c echo.Context) principal {
	p, _ := c.Get(ctxPrincipal).(principal)
	return p
}

// routeOf returns the policy of the matched route, or nil.
func (a *API) routeOf(c echo.Context) *route {
	return a.byMethod[c.Request().Method][c.Path()]
}

// observe records latency per route pattern and logs one line per request
// (the pattern, never the URI: query strings may carry names).
func (a *API) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if a.routeOf(c) == nil {
			route = "unmatched" // bound the label set
		}
		status := c.Response().Status
		lat := time.Since(start)
		a.m.HTTP.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Observe(lat.Seconds())
		ev := a.log.Debug()
		if status >= 500 {
			ev = a.log.Error()
		} else if status >= 400 {
			ev = a.log.Info()
		}
		ev.Str("method", c.Request().Method).Str("route", route).Int("status", status).
			Str("key_id", principalOf(c).KeyID).Dur("latency", lat).Msg("request")
		return nil
	}
}

// apiKey reads the key from "Authorization: Bearer …" or "X-API-Key".
func apiKey(r *http.Request) string {
	if k := r.Header.Get("X-API-Key"); k != "" {
		return strings.TrimSpace(k)
	}
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// twoKeys reports whether the request carries an API key in both
// X-API-Key and Authorization, and they differ: which one the caller meant
// is unknown, so neither is used.
func twoKeys(r *http.Request) bool {
	x := strings.TrimSpace(r.Header.Get("X-API-Key"))
	h := r.Header.Get("Authorization")
	if x == "" || h == "" {
		return false
	}
	b, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		b, ok = strings.CutPrefix(h, "bearer ")
	}
	return !ok || strings.TrimSpace(b) != x
}

func unauthorized(msg string) error {
	return echo.NewHTTPError(http.StatusUnauthorized, msg)
}

// authenticate checks the API key: 401 without a valid one.
func (a *API) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rt := a.routeOf(c)
		if rt != nil && rt.Roles == nil {
			return next(c) // public
		}
		var p principal
		if isLocal(c.Request().Context()) {
			p = principal{KeyID: LocalKeyID, Role: auth.Admin} // the data dir's owner (local.go)
		} else if a.opts.InsecureDev {
			p = principal{KeyID: "insecure-dev", Role: auth.Admin}
		} else {
			raw := apiKey(c.Request())
			d := auth.Digest(raw) // once per request: the gate and the look-up share it
			if err := a.authGate(c, raw, d); err != nil {
				return err // too many failures from this address: no look-up
			}
			var err error
			if twoKeys(c.Request()) {
				a.authFailed(c)
				return unauthorized("X-API-Key and Authorization carry different keys; send the API key once")
			}
			if p, err = a.keyPrincipal(c, raw, d); err != nil {
				var he *echo.HTTPError
				if errors.As(err, &he) && he.Code == http.StatusUnauthorized {
					a.authFailed(c)
				}
				return err
			}
		}
		c.Set(ctxPrincipal, p)
		return next(c)
	}
}

// keyPrincipal checks the key raw, of digest d: 401 when it is missing,
// malformed, unknown or revoked.
func (a *API) keyPrincipal(c echo.Context, raw string, d auth.KeyDigest) (principal, error) {
	if raw == "" {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="riskgraph"`)
		return principal{}, unauthorized("an API key is required: send Authorization: Bearer <key> (riskgraph keys create)")
	}
	if !auth.WellFormed(raw) {
		return principal{}, unauthorized("invalid API key")
	}
	k, err := a.keys.get(c.Request().Context(), d)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return principal{}, unauthorized("invalid API key")
	case err != nil:
		return principal{}, err
	case !k.Revoked.IsZero():
		return principal{}, unauthorized("API key revoked")
	}
	role, err := auth.ParseRole(k.Role)
	if err != nil {
		return principal{}, unauthorized("API key has an unknown role")
	}
	return principal{KeyID: k.ID, Role: role}, nil
}

// authorize refuses (403) a role the route does not admit. It runs after
// the audit trail, so refused look-ups are recorded too.
func (a *API) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rt := a.routeOf(c)
		p := principalOf(c)
		if rt == nil || rt.Roles == nil {
			return next(c) // public, or no such route: the router answers 404/405
		}
		if !p.Role.In(rt.Roles) {
			names := make([]string, 0, len(rt.Roles)+1)
			for _, r := range rt.Roles {
				names = append(names, string(r))
			}
			names = append(names, string(auth.Admin))
			return echo.NewHTTPError(http.StatusForbidden,
				fmt.Sprintf("role %s may not use %s %s; it needs one of: %s", p.Role, rt.Method, rt.fullPath(), strings.Join(names, ", ")))
		}
		return next(c)
	}
}

// keyCache remembers verified keys (and unknown hashes) for ttl, by the
// key's digest: the raw key is never kept, and a hit costs one SHA-256 and
// no allocation. A key revoked through another replica (or the CLI on
// Neo4j) keeps working here for at most ttl after the revocation; through
// this server, at once (forget).
//
// As versions does (versions.go), an entry half ttl old is looked up again
// in the background while requests go on with it, and an entry counts from
// when its look-up started, so the bound above holds and no request waits
// for the store once per ttl; concurrent look-ups of one unknown digest are
// one store call.
type keyCache struct {
	s   store.KeyStore
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[auth.KeyDigest]keyEntry
	// epoch counts forget calls: a look-up begun before one is not kept.
	epoch  uint64
	flight singleflight.Group
}

type keyEntry struct {
	k          store.APIKey
	err        error
	at         time.Time // when the look-up started
	refreshing bool
}

const maxCachedKeys = 10_000

func newKeyCache(s store.KeyStore, ttl time.Duration, now func() time.Time) *keyCache {
	return &keyCache{s: s, ttl: ttl, now: now, m: map[auth.KeyDigest]keyEntry{}}
}

func (kc *keyCache) get(ctx context.Context, d auth.KeyDigest) (store.APIKey, error) {
	now := kc.now()
	kc.mu.Lock()
	e, ok := kc.m[d]
	if age := now.Sub(e.at); ok && age < kc.ttl {
		if age >= kc.ttl/2 && !e.refreshing {
			e.refreshing = true
			kc.m[d] = e
			go func(epoch uint64) { _, _ = kc.lookUp(context.Background(), d, epoch, now) }(kc.epoch)
		}
		kc.mu.Unlock()
		return e.k, e.err
	}
	epoch := kc.epoch
	kc.mu.Unlock()
	// One store call for the requests that wait on the same digest since
	// the same forget (a request after a revocation never shares a look-up
	// begun before it); the first caller going away does not cancel the
	// others' answer.
	v, err, _ := kc.flight.Do(string(d[:])+strconv.FormatUint(epoch, 10), func() (any, error) {
		return kc.lookUp(context.WithoutCancel(ctx), d, epoch, now)
	})
	k, _ := v.(store.APIKey)
	return k, err
}

// lookUp asks the store for the key of digest d and remembers the answer
// (found or not; never an outage) as of start, a time before the call,
// unless forget was called since epoch.
func (kc *keyCache) lookUp(ctx context.Context, d auth.KeyDigest, epoch uint64, start time.Time) (store.APIKey, error) {
	k, err := kc.s.KeyByHash(ctx, d.Hex())
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		if e, ok := kc.m[d]; ok && e.refreshing {
			e.refreshing = false // do not remember outages; try again on a later request
			kc.m[d] = e
		}
		return k, err
	}
	if epoch != kc.epoch {
		return k, err
	}
	if e, ok := kc.m[d]; ok && !start.After(e.at) {
		return k, err // a newer look-up was kept meanwhile
	}
	if len(kc.m) >= maxCachedKeys {
		clear(kc.m)
	}
	kc.m[d] = keyEntry{k: k, err: err, at: start}
	return k, err
}

// forget drops every remembered key, so that a key created or revoked
// through this server counts at once.
func (kc *keyCache) forget() {
	kc.mu.Lock()
	clear(kc.m)
	kc.epoch++
	kc.mu.Unlock()
}

func (a *API) redisClient() redis.UniversalClient {
	if a.redis == nil {
		return nil
	}
	return a.redis.Client()
}

// newLimiter: fixed windows counted in Redis when Redis is configured,
// shared by the replicas through tokens each reserves in blocks (at most
// one Redis call per request, usually none; ratelimit.Shared), falling back
// to in-process counting while Redis is down; in-process otherwise.
func (a *API) newLimiter() ratelimit.Limiter {
	return a.newLimiterOf(a.opts.RateLimit, a.opts.RateWindow, "rg:rl:")
}

// newLimiterOf returns a limiter of limit requests per window (nil when
// limit < 0): shared by the replicas through Redis under prefix, falling
// back to counting in this process while Redis is out, or only local
// without Redis.
func (a *API) newLimiterOf(limit int, window time.Duration, prefix string) ratelimit.Limiter {
	if limit < 0 {
		return nil
	}
	local := ratelimit.NewLocal(limit, window, a.opts.Now)
	if a.redis == nil {
		return local
	}
	shared, err := ratelimit.NewShared(a.redis.Client(), ratelimit.SharedOptions{Limit: limit, Window: window,
		Prefix: prefix, Now: a.opts.Now, Do: a.cache.Try})
	if err != nil {
		a.log.Warn().Err(err).Str("prefix", prefix).Msg("rate limits counted per replica")
		return local
	}
	go func() { <-a.stop; shared.Close() }()
	return &ratelimit.Fallback{Primary: shared, Secondary: local, OnFallback: func(error) { a.m.RateLimitFallback.Inc() }}
}

// rateLimit refuses requests over the key's limit with 429 and Retry-After.
func (a *API) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principalOf(c)
		if a.limiter == nil || p.KeyID == "" {
			return next(c)
		}
		id := p.KeyID
		if a.opts.InsecureDev {
			id = clientID(c) // no keys: count per client address
		}
		d, err := a.limiter.Allow(c.Request().Context(), id)
		if err != nil {
			return next(c) // cannot count: let it through rather than fail
		}
		h := c.Response().Header()
		// Canonical names set directly: Header.Set would canonicalise
		// them into a new string on every request.
		if lim := a.limitHdr; len(lim) == 1 && d.Limit == a.opts.RateLimit {
			h["X-Ratelimit-Limit"] = lim
		} else {
			h.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
		}
		h["X-Ratelimit-Remaining"] = []string{strconv.Itoa(d.Remaining)}
		if !d.Allowed {
			secs := int((d.RetryAfter + time.Second - 1) / time.Second)
			h.Set("Retry-After", strconv.Itoa(secs))
			a.m.RateLimited.WithLabelValues(string(p.Role)).Inc()
			return echo.NewHTTPError(http.StatusTooManyRequests,
				fmt.Sprintf("rate limit of %d requests per %v for this key reached; retry in %d s", d.Limit, a.opts.RateWindow, secs))
		}
		return next(c)
	}
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100]
	}
	return s
}

// captured is a handler's answer held in memory.
type captured struct {
	status int
	ctype  string
	body   []byte
}

// bufWriter collects a response.
type bufWriter struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufWriter) Header() http.Header         { return b.h }
func (b *bufWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }
func (b *bufWriter) WriteHeader(code int)        { b.status = code }

// capture runs the handler (and, for an error, the error handler) into
// memory.
func (a *API) capture(c echo.Context, next echo.HandlerFunc) captured {
	res := c.Response()
	orig := res.Writer
	bw := &bufWriter{h: http.Header{}, status: http.StatusOK}
	res.Writer = bw
	if err := next(c); err != nil {
		a.handleError(err, c)
	}
	res.Writer = orig
	res.Committed, res.Size = false, 0
	return captured{status: bw.status, ctype: bw.h.Get(echo.HeaderContentType), body: bw.buf.Bytes()}
}

func writeCaptured(c echo.Context, r captured, source string) error {
	if source != "" {
		setXCache(c.Response().Header(), source)
	}
	ct := r.ctype
	if ct == "" {
		ct = echo.MIMEApplicationJSON
	}
	return c.Blob(r.status, ct, r.body)
}

// Header values the cached path sets on every answer, made once: net/http
// only reads a header's values, and whoever changes one replaces the
// slice (Header.Set, Add appending past its capacity of one).
var (
	hdrJSON   = []string{echo.MIMEApplicationJSON}
	hdrGzip   = []string{"gzip"}
	hdrXCache = map[string][]string{"hit": {"hit"}, "hit-local": {"hit-local"}, "miss": {"miss"}}
)

// setXCache sets X-Cache to source.
func setXCache(h http.Header, source string) {
	if v, ok := hdrXCache[source]; ok {
		h["X-Cache"] = v
		return
	}
	h.Set("X-Cache", source)
}

// sendJSON answers 200 with the JSON body as it is, its length given
// (net/http would otherwise send a body over 2 kB in chunks).
func sendJSON(c echo.Context, body []byte) error {
	res := c.Response()
	h := res.Header()
	h[echo.HeaderContentType] = hdrJSON
	h[echo.HeaderContentLength] = []string{strconv.Itoa(len(body))}
	res.WriteHeader(http.StatusOK)
	_, err := res.Write(body)
	return err
}

// respond serves cacheable GETs from the response cache (cache-aside, keys
// carrying the data generation and run id, one store query per burst of
// identical misses). Masked and full answers have separate keys; handlers
// mask persons' names by type (reply, mask.go), and a masked role's success
// that did not come through reply is refused here rather than sent.
func (a *API) respond(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rt := a.routeOf(c)
		mask := principalOf(c).Role.Masked()
		cacheable := rt != nil && rt.TTL > 0 && c.Request().Method == http.MethodGet
		if !cacheable {
			if !mask {
				return next(c)
			}
			r := a.capture(c, next)
			if r.status < 300 && c.Get(ctxReplied) == nil {
				r = a.unmaskedSuccess(c)
			}
			return writeCaptured(c, r, "")
		}
		ctx := c.Request().Context()
		v, err := a.versions.get(ctx)
		if err != nil {
			return err
		}
		key := responseKey(v, mask, c, rt)
		if a.near != nil {
			if stored, ok := a.near.View(key); ok {
				a.cacheHits.Inc()
				return a.writeStored(c, key, stored, rt.TTL, "hit-local")
			}
		}
		stored, ok, err := a.cache.Get(ctx, key)
		switch {
		case err == nil && ok:
			a.cacheHits.Inc()
			a.keepNear(ctx, key, stored, rt.TTL)
			return a.writeStored(c, key, stored, rt.TTL, "hit")
		case err == nil:
			a.m.Cache.WithLabelValues("miss").Inc()
		case errors.Is(err, cache.ErrDown):
			a.m.Cache.WithLabelValues("bypass").Inc()
		default:
			a.m.Cache.WithLabelValues("error").Inc()
		}
		val, _, shared := a.flight.Do(key, func() (any, error) {
			r := a.capture(c, next)
			if mask && r.status < 300 && c.Get(ctxReplied) == nil {
				r = a.unmaskedSuccess(c)
			}
			if r.status == http.StatusOK {
				a.storeAnswer(ctx, key, r.body, rt.TTL) // Redis's copy after the answer is sent (cachefill.go)
			}
			return r, nil
		})
		if shared {
			a.m.CacheCoalesced.Inc()
		}
		return writeCaptured(c, val.(captured), "miss")
	}
}

// Bounds of the in-process tier in front of Redis.
const (
	nearEntries = 4096
	nearMaxBody = 64 << 10
	nearMaxTTL  = 10 * time.Second
)

// keepNear copies a small stored answer (as Redis holds it, compressed or
// not: cachedbody.go) into the in-process tier, saving the Redis round
// trip on the next identical request to this replica.
func (a *API) keepNear(ctx context.Context, key string, stored []byte, ttl time.Duration) {
	if a.near == nil || len(stored) > nearMaxBody {
		return
	}
	_ = a.near.Set(ctx, key, stored, min(ttl, nearMaxTTL))
}

// metricsHandler serves /metrics, refreshing engine run durations from the
// run history first.
func (a *API) metricsHandler() http.Handler {
	return a.m.Handler(func(ctx context.Context) {
		runs, err := a.store.Runs(ctx, 100)
		if err != nil {
			return
		}
		rs := make([]metrics.Run, len(runs))
		for i, r := range runs {
			rs[i] = metrics.Run{ID: r.ID, Status: r.Status, Started: r.Started, Finished: r.Finished}
		}
		a.m.RecordRuns(rs)
	})
}
