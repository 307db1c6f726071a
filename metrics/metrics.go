// Package metrics holds riskgraph's Prometheus instruments on a registry
// that the caller owns (never the global one): HTTP latency per route,
// response-cache results, Redis health, store query latency, rate-limit
// refusals, audit losses and engine run durations.
package metrics

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the instruments. Create them with New.
type Metrics struct {
	Registry *prometheus.Registry
	// HTTP request latency by method, route pattern and status code.
	HTTP *prometheus.HistogramVec
	// Cache lookups by result: hit, miss, error (cache unreachable), bypass
	// (cache marked down, not asked).
	Cache *prometheus.CounterVec
	// CacheCoalesced counts requests served by another request's store query.
	CacheCoalesced prometheus.Counter
	// RedisErrors counts failed Redis operations; RedisUp is 1 when Redis answers.
	RedisErrors prometheus.Counter
	RedisUp     prometheus.Gauge
	// Store query latency by operation and outcome (ok, error, timeout).
	Store *prometheus.HistogramVec
	// RateLimited counts refused requests by role; RateLimitFallback counts
	// decisions taken in process because Redis did not answer.
	RateLimited       *prometheus.CounterVec
	RateLimitFallback prometheus.Counter
	// Audit entries written, and requests refused (503) because their
	// entry could not be written.
	AuditWritten prometheus.Counter
	AuditFailed  prometheus.Counter
	// EngineRuns observes the duration of every completed or failed engine
	// run, by status. The engine may observe it directly; RecordRuns feeds
	// it from the run history.
	EngineRuns *prometheus.HistogramVec

	mu   sync.Mutex
	seen map[string]bool
}

// New registers the instruments, plus Go runtime and process collectors, on
// a new registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		HTTP: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "riskgraph_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "code"}),
		Cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "riskgraph_cache_requests_total", Help: "Response cache lookups by result (hit, miss, error, bypass).",
		}, []string{"result"}),
		CacheCoalesced: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "riskgraph_cache_coalesced_total", Help: "Requests answered by another identical request's store query (singleflight).",
		}),
		RedisErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "riskgraph_redis_errors_total", Help: "Redis operations that failed or timed out.",
		}),
		RedisUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "riskgraph_redis_up", Help: "1 when Redis answers, 0 while the API runs degraded without it.",
		}),
		Store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "riskgraph_store_query_duration_seconds", Help: "Store call latency by operation and outcome.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"op", "outcome"}),
		RateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "riskgraph_rate_limited_total", Help: "Requests refused with 429, by role.",
		}, []string{"role"}),
		RateLimitFallback: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "riskgraph_rate_limit_fallback_total", Help: "Rate-limit decisions taken in process because Redis did not answer.",
		}),
		AuditWritten: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "riskgraph_audit_entries_written_total", Help: "Audit entries stored.",
		}),
		AuditFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "riskgraph_audit_failures_total", Help: "Requests answered 503 because the audit log could not record them in time; alert on any.",
		}),
		EngineRuns: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "riskgraph_engine_run_duration_seconds", Help: "Engine run durations from the run history, by status.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200},
		}, []string{"status"}),
		seen: map[string]bool{},
	}
	m.Registry.MustRegister(m.HTTP, m.Cache, m.CacheCoalesced, m.RedisErrors, m.RedisUp, m.Store,
		m.RateLimited, m.RateLimitFallback, m.AuditWritten, m.AuditFailed, m.EngineRuns,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Run is what RecordRuns needs of an engine run.
type Run struct {
	ID                string
	Status            string
	Started, Finished time.Time
}

// RecordRuns observes the duration of each finished run not seen before.
func (m *Metrics) RecordRuns(runs []Run) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range runs {
		if r.Finished.IsZero() || m.seen[r.ID] {
			continue
		}
		m.seen[r.ID] = true
		m.EngineRuns.WithLabelValues(r.Status).Observe(r.Finished.Sub(r.Started).Seconds())
	}
}

// Handler serves the registry in the Prometheus text format. Before each
// scrape it calls refresh (when not nil) with a bounded context, so that
// values taken from elsewhere (the run history) are current.
func (m *Metrics) Handler(refresh func(context.Context)) http.Handler {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refresh != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			refresh(ctx)
			cancel()
		}
		h.ServeHTTP(w, r)
	})
}
