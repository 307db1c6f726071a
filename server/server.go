// Package server is riskgraph's HTTP API (Echo): health and readiness, and
// the read-only /api/v1 endpoints inspectors use to explore the graph.
package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/engine"
	"riskgraph/store"
)

// Options configure the API.
type Options struct {
	Store  store.Store
	Cache  cache.Cache // optional
	Logger zerolog.Logger
	// Version is reported by /healthz.
	Version string
	// Engine holds the latest scoring result for /risk and /owners (optional).
	Engine *engine.Latest
}

// API serves riskgraph's HTTP endpoints.
type API struct {
	store   store.Store
	cache   cache.Cache
	log     zerolog.Logger
	version string
}

// New builds the router. Tests call it with httptest.
func New(opts Options) *echo.Echo {
	a := &API{store: opts.Store, cache: opts.Cache, log: opts.Logger, version: opts.Version}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = a.handleError
	e.Use(middleware.Recover())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod:    true,
		LogRoutePath: true,
		LogStatus:    true,
		LogLatency:   true,
		LogError:     true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			// The route pattern, not the URI: query strings may carry names.
			ev := a.log.Info()
			if v.Status >= 500 {
				ev = a.log.Error()
			}
			ev.Str("method", v.Method).Str("route", v.RoutePath).Int("status", v.Status).
				Dur("latency", v.Latency).Msg("request")
			return nil
		},
	}))
	e.GET("/healthz", a.healthz)
	e.GET("/readyz", a.readyz)
	v1 := e.Group("/api/v1")
	v1.GET("/enterprises/:key", a.enterprise)
	v1.GET("/enterprises/:key/network", a.network)
	v1.GET("/enterprises/:key/risk", risk(a, opts.Engine))
	v1.GET("/enterprises/:key/owners", owners(a, opts.Engine))
	v1.GET("/persons/:pid", a.person)
	v1.GET("/persons/:pid/network", a.network)
	v1.GET("/paths", a.paths)
	v1.GET("/search", a.search)
	return e
}

func (a *API) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": a.version})
}

func (a *API) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"store": "ok"}
	ready := true
	if err := a.store.Ping(ctx); err != nil {
		a.log.Warn().Err(err).Msg("readiness: store unreachable")
		checks["store"], ready = "unreachable", false
	}
	if a.cache != nil {
		checks["cache"] = "ok"
		if err := a.cache.Ping(ctx); err != nil {
			a.log.Warn().Err(err).Msg("readiness: cache unreachable")
			checks["cache"], ready = "unreachable", false
		}
	}
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	return c.JSON(status, map[string]any{"ready": ready, "checks": checks})
}

// errorBody is every error response.
type errorBody struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error"`
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
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusServiceUnavailable, "the graph store is unavailable; try again shortly"
	}
	if status >= 500 {
		a.log.Error().Err(err).Str("route", c.Path()).Msg("request failed")
	}
	var body errorBody
	body.Error.Status, body.Error.Message = status, msg
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}
