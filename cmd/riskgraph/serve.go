package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"riskgraph/cache"
	"riskgraph/credit"
	"riskgraph/engine"
	"riskgraph/ranking"
	"riskgraph/server"
	"riskgraph/store"
)

// serveOptions are the HTTP settings of serve and demo.
type serveOptions struct {
	insecureDev  bool
	rateLimit    int
	rateWindow   time.Duration
	storeTimeout time.Duration
	cacheTTL     time.Duration
	corsOrigins  []string
	runParams    string
	// trustedProxies may set X-Forwarded-For; authFailLimit bounds requests
	// without a valid key per client address and minute.
	trustedProxies []string
	authFailLimit  int
	// measures is the credit checks' catalogue file (empty: the built-in one).
	measures string
}

func (o *serveOptions) bind(fs *pflag.FlagSet, insecureDefault bool) {
	fs.BoolVar(&o.insecureDev, "insecure-dev", insecureDefault, "serve every request as admin WITHOUT API keys (local demo only; logged loudly)")
	fs.IntVar(&o.rateLimit, "rate-limit", 6000, "requests per --rate-window and API key; -1 disables")
	fs.DurationVar(&o.rateWindow, "rate-window", time.Minute, "rate-limit window")
	fs.DurationVar(&o.storeTimeout, "store-timeout", 5*time.Second, "timeout of each store call")
	fs.DurationVar(&o.cacheTTL, "cache-ttl", 5*time.Minute, "lifetime of cached answers")
	fs.StringSliceVar(&o.corsOrigins, "cors-origin", nil, "browser origins allowed to call the API (CORS is off when none)")
	fs.StringSliceVar(&o.trustedProxies, "trusted-proxies", envList("RISKGRAPH_TRUSTED_PROXIES"),
		"proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For is believed; none by default: the client address is the socket's [RISKGRAPH_TRUSTED_PROXIES]")
	fs.IntVar(&o.authFailLimit, "auth-fail-limit", 60, "requests without a valid API key per client address and minute before 429; -1 disables")
	fs.StringVar(&o.measures, "measures", envOr("RISKGRAPH_MEASURES", ""), "measures catalogue of credit checks, YAML or JSON (default: the built-in one; docs/credit-checks.md) [RISKGRAPH_MEASURES]")
	fs.StringVar(&o.runParams, "run-params", "", "JSON file of model parameters for engine runs started by POST /api/v1/runs (default: docs/risk-model.md)")
}

func (a *app) serveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API",
		Long: "Serve the HTTP API on --addr. Requests need an API key (riskgraph keys create);\n" +
			"--insecure-dev turns that off for a local demo only.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := a.http.check(a.cfg.Addr); err != nil {
				return usageError(err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := openStore(ctx, &a.cfg, a.log)
			if locked := asLocked(err); locked != nil {
				return notForwarded("serve", locked, "one server per data dir: use that one, or start this one with another --data-dir")
			}
			if err != nil {
				return err
			}
			defer s.Close()
			c, err := openCache(ctx, &a.cfg, a.log)
			if err != nil {
				return err
			}
			defer c.Close()
			return a.serve(ctx, s, c)
		},
	}
	var httpOpts serveOptions
	httpOpts.bind(cmd.Flags(), false)
	a.reports.bind(cmd.Flags(), true) // report scheduler (report.go)
	cmd.PreRun = func(*cobra.Command, []string) { a.http = httpOpts }
	return cmd
}

// serve runs the API until ctx ends, then drains requests for up to 10 s.
// Every answer it sent was audited before it left.
func (a *app) serve(ctx context.Context, s store.Store, c cache.Cache) error {
	proxies, err := a.http.check(a.cfg.Addr)
	if err != nil {
		return usageError(err)
	}
	measures := credit.Default()
	if a.http.measures != "" {
		if measures, err = credit.Load(a.http.measures); err != nil {
			return usageError(err)
		}
	}
	a.log.Info().Str("catalogue", measures.Source).Str("version", measures.Version).Msg("credit checks' measures catalogue")
	hasher, err := pidHasher(&a.cfg, a.log) // for POST /api/v1/ingest
	if err != nil {
		return err
	}
	// Open the audit log now (it opens on first use): a log that another
	// process holds, or that is damaged, stops serve before it listens.
	if _, err := s.Audit(ctx, store.AuditQuery{Limit: 1}); err != nil {
		return fmt.Errorf("audit log %s: %w", a.cfg.auditDir(), err)
	}
	runOpts, err := a.scoreOptions(a.http.runParams, "") // for POST /api/v1/runs
	if err != nil {
		return usageError(fmt.Errorf("--run-params: %w", err))
	}
	runOpts.Params.Records = measures.RecordParams() // the server's catalogue decides
	var rc redis.UniversalClient
	if r, ok := c.(*cache.Redis); ok {
		rc = r.Client()
	}
	runs := newRunTrigger(ctx, a, s, rc, runOpts.Params)
	defer runs.wait() // a run in progress is cancelled with ctx and recorded as failed
	xrefs := newXrefTrigger(ctx, a, s)
	defer xrefs.wait()
	api := server.NewAPI(server.Options{Store: s, Cache: c, Logger: a.log, Version: version, Engine: &a.latest,
		InsecureDev: a.http.insecureDev, RateLimit: a.http.rateLimit, RateWindow: a.http.rateWindow,
		StoreTimeout: a.http.storeTimeout, CacheTTL: a.http.cacheTTL, CORSOrigins: a.http.corsOrigins, Hasher: hasher, Runs: runs, Xref: xrefs,
		TrustedProxies: proxies, AuthFailLimit: a.http.authFailLimit, Measures: measures})
	defer api.Close()
	a.announceRun = api.AnnounceRun // runs here reach the other replicas' /risk (trigger.go, report.go)
	// Report scheduler (report.go): runs only when --report-schedule is set.
	stopReports, err := a.startReports(ctx, s)
	if err != nil {
		return err
	}
	defer stopReports()
	go a.restoreEngine(ctx, s)
	srv := &http.Server{
		Addr:              a.cfg.Addr,
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // ingest uploads
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 2)
	// The embedded store's data dir also gets the local socket, through
	// which CLI commands hand this process their writes (forward.go).
	var local *http.Server
	if kind, _ := a.cfg.storeKind(); kind == "memory" {
		path := filepath.Join(a.cfg.DataDir, socketFile)
		l, err := server.ListenLocal(path, a.log)
		if err != nil {
			a.log.Warn().Err(err).Msg("no local socket: CLI commands that write (keys, ingest, score) cannot reach this server and will say so")
		} else {
			local = &http.Server{Handler: api.LocalHandler(), ReadHeaderTimeout: srv.ReadHeaderTimeout,
				ReadTimeout: srv.ReadTimeout, WriteTimeout: srv.WriteTimeout, IdleTimeout: srv.IdleTimeout}
			go func() { errc <- local.Serve(l) }()
			defer os.Remove(path)
			a.log.Info().Str("socket", path).Msg("serving the local CLI channel")
		}
	}
	go func() { errc <- srv.ListenAndServe() }()
	a.log.Info().Str("addr", "http://"+a.cfg.Addr).Bool("insecure_dev", a.http.insecureDev).Msg("serving")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info().Msg("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if local != nil {
		if err := local.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// restoreEngine recomputes the newest completed run's in-memory result from
// the store (writing nothing), so /risk and /owners answer after a restart;
// until it finishes they answer 503. A run the trigger finishes first wins.
func (a *app) restoreEngine(ctx context.Context, s store.Store) {
	if a.latest.Get() != nil {
		return
	}
	start := time.Now()
	res, run, err := engine.Restore(ctx, s)
	switch {
	case errors.Is(err, engine.ErrNoCompletedRun):
		a.log.Info().Msg("no completed engine run yet: /risk and /owners answer 503 until one runs")
	case err != nil:
		a.log.Warn().Err(err).Msg("could not restore the latest engine result; /risk and /owners answer 503 until a run")
	case a.latest.CompareAndSet(nil, res):
		a.log.Info().Str("run", run.ID).Dur("took", time.Since(start)).Msg("engine result restored")
	}
}

// publishRanking refreshes the Redis rankings after a promoted engine run;
// without Redis there is nothing to do (the API ranks from the store).
func (a *app) publishRanking(ctx context.Context, s store.Store) {
	if a.cfg.RedisURL == "" {
		return
	}
	r, err := cache.OpenRedis(ctx, bulkRedisURL(a.cfg.RedisURL))
	if err == nil {
		defer r.Close()
		err = ranking.PublishRun(ctx, s, r.Client())
	}
	if err != nil {
		a.log.Warn().Err(err).Msg("rankings not published to Redis; the API publishes them on first use")
		return
	}
	a.log.Info().Msg("rankings published to Redis")
}

// bulkRedisURL is url with the read and write timeouts of a bulk write
// (10 s) where url sets none: the request path's bounded defaults
// (cache.DefaultReadTimeout) are too short for publishing a whole run's
// rankings on a busy machine.
func bulkRedisURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw // cache.OpenRedis reports it
	}
	q := u.Query()
	for _, name := range []string{"read_timeout", "write_timeout"} {
		if !q.Has(name) {
			q.Set(name, "10s")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
