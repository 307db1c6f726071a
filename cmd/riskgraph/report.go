package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"riskgraph/cache"
	"riskgraph/cache/lease"
	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/report"
	"riskgraph/store"
)

// reportOptions configure scheduled and one-off reports.
type reportOptions struct {
	schedules []string // cron expressions
	zone      string
	scopes    []string // "region=44,industry=C,watchlist=wl-…"
	webhook   string
	lease     time.Duration
	params    string
	keep      int
}

func (o *reportOptions) bind(fs *pflag.FlagSet, withSchedule bool) {
	if withSchedule {
		fs.StringSliceVar(&o.schedules, "report-schedule", splitEnv("RISKGRAPH_REPORT_SCHEDULE"),
			"cron expressions (minute hour day month weekday) of scheduled score+report runs; none disables [RISKGRAPH_REPORT_SCHEDULE, ';'-separated]")
		fs.DurationVar(&o.lease, "report-lock-lease", time.Minute, "lease of the Redis lock that makes one replica run each schedule")
	}
	fs.StringVar(&o.zone, "report-tz", envOr("RISKGRAPH_REPORT_TZ", "Asia/Shanghai"), "time zone of schedules and of the reports' reference date [RISKGRAPH_REPORT_TZ]")
	fs.StringSliceVar(&o.scopes, "report-scope", nil, "extra scoped reports, e.g. region=44 or region=4403,industry=C or watchlist=wl-… (repeatable; the unscoped report is always made)")
	fs.StringVar(&o.webhook, "report-webhook", envOr("RISKGRAPH_REPORT_WEBHOOK", ""), "URL to POST each report to, signed with RISKGRAPH_REPORT_WEBHOOK_SECRET [RISKGRAPH_REPORT_WEBHOOK]")
	fs.StringVar(&o.params, "report-params", "", "JSON file of model parameters for the scoring run (docs/risk-model.md)")
	fs.IntVar(&o.keep, "report-keep-snapshots", report.DefaultKeepSnapshots, "how many of the newest completed runs keep their report snapshot (a report can compare only with those); -1 keeps all")
}

func splitEnv(name string) []string {
	var out []string
	for _, s := range strings.Split(os.Getenv(name), ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// job builds the report job from the options.
func (a *app) reportJob(o *reportOptions, s store.Store) (*report.Job, error) {
	zone, err := time.LoadLocation(o.zone)
	if err != nil {
		return nil, usageError(fmt.Errorf("--report-tz %q: %v", o.zone, err))
	}
	opts, err := a.scoreOptions(o.params, "")
	if err != nil {
		return nil, usageError(err)
	}
	opts.Today = models.Date{} // each run takes today's date in the report time zone
	if o.keep == 0 || o.keep < -1 {
		return nil, usageError(fmt.Errorf("--report-keep-snapshots %d: give 1 or more, or -1 to keep every snapshot", o.keep))
	}
	job := &report.Job{Store: s, Log: a.log, Engine: opts, Zone: zone, KeepSnapshots: o.keep,
		Publish: func(res *engine.Result) { // after the run is recorded completed
			a.latest.Set(res)
			a.runCompleted(context.Background())
		}}
	job.Scopes = []report.Scope{{}}
	for _, raw := range o.scopes {
		sc, err := parseScope(raw)
		if err != nil {
			return nil, usageError(err)
		}
		job.Scopes = append(job.Scopes, sc)
	}
	if o.webhook != "" {
		job.Webhook = &report.Webhook{URL: o.webhook, Secret: []byte(os.Getenv("RISKGRAPH_REPORT_WEBHOOK_SECRET"))}
		if err := job.Webhook.Validate(); err != nil {
			return nil, usageError(err)
		}
	}
	return job, nil
}

func parseScope(raw string) (report.Scope, error) {
	var sc report.Scope
	for _, part := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			return sc, fmt.Errorf("--report-scope %q: use key=value pairs (region, industry, watchlist)", raw)
		case k == "region":
			sc.Region = v
		case k == "industry":
			sc.Industry = v
		case k == "watchlist":
			sc.Watchlist = v
		default:
			return sc, fmt.Errorf("--report-scope %q: unknown key %q (use region, industry, watchlist)", raw, k)
		}
	}
	return sc.Normalize()
}

func (a *app) reportCommand() *cobra.Command {
	var o reportOptions
	var once bool
	var against, today string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Score the graph and produce early-warning reports (for system cron: report --once)",
		Long: "Score the graph under a new run, store its snapshot and the early-warning reports comparing it with the\n" +
			"previous run (or --against RUN), deliver them to --report-webhook, and print their ids.\n" +
			"Reports are served by GET /api/v1/reports; see docs/reports.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !once {
				return usageError(errors.New("report: give --once (scheduled reports run inside riskgraph serve --report-schedule)"))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := openStore(ctx, &a.cfg, a.log)
			if locked := asLocked(err); locked != nil {
				return notForwarded("report --once", locked,
					"report --once cannot run through it: let the server make the reports (serve --report-schedule), or stop it and run report --once")
			}
			if err != nil {
				return err
			}
			defer s.Close()
			job, err := a.reportJob(&o, s)
			if err != nil {
				return err
			}
			job.Against = against
			if today != "" {
				if job.Engine, err = a.scoreOptions(o.params, today); err != nil {
					return usageError(err)
				}
			}
			runID := report.RunID(time.Now())
			lock, release, err := a.reportLock(ctx)
			if err != nil {
				return err
			}
			defer release()
			sched := &report.Scheduler{Job: job, Lock: lock, Lease: time.Minute, Log: a.log}
			ran, err := sched.Tick(ctx, time.Now())
			if err != nil {
				return fmt.Errorf("report: %w", err)
			}
			if !ran {
				return &exitError{code: 1, msg: "report: another replica holds the report lock or ran " + runID + " already"}
			}
			reps, err := job.Store.Reports(ctx, len(job.Scopes))
			if err != nil {
				return err
			}
			for _, r := range reps {
				fmt.Fprintf(cmd.OutOrStdout(), "%s run %s against %s %s\n", r.ID, r.Run, orNone(r.Against), r.Scope)
			}
			return nil
		},
	}
	o.bind(cmd.Flags(), false)
	cmd.Flags().BoolVar(&once, "once", false, "run one score+report now and exit")
	cmd.Flags().StringVar(&against, "against", "", "run id to compare with (default: the previous run with a snapshot)")
	cmd.Flags().StringVar(&today, "today", "", "reference date YYYY-MM-DD (default: today in --report-tz)")
	return cmd
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// reportLock is the Redis lock when Redis is configured, else an
// in-process one (a single replica).
func (a *app) reportLock(ctx context.Context) (lease.Locker, func(), error) {
	if a.cfg.RedisURL == "" {
		return &lease.Local{}, func() {}, nil
	}
	c, err := openCache(ctx, &a.cfg, a.log)
	if err != nil {
		return nil, nil, err
	}
	r, ok := c.(*cache.Redis)
	if !ok {
		c.Close()
		return &lease.Local{}, func() {}, nil
	}
	return lease.New(r.Client(), "riskgraph:lock:report"), func() { c.Close() }, nil
}

// startReports starts the report scheduler of serve when schedules are
// configured; the returned function stops it.
func (a *app) startReports(ctx context.Context, s store.Store) (func(), error) {
	o := &a.reports
	if len(o.schedules) == 0 {
		return func() {}, nil
	}
	var scheds []*report.Schedule
	for _, e := range o.schedules {
		sc, err := report.ParseCron(e)
		if err != nil {
			return nil, usageError(fmt.Errorf("--report-schedule: %w", err))
		}
		scheds = append(scheds, sc)
	}
	job, err := a.reportJob(o, s)
	if err != nil {
		return nil, err
	}
	lock, release, err := a.reportLock(ctx)
	if err != nil {
		return nil, err
	}
	if a.cfg.RedisURL == "" {
		a.log.Warn().Msg("report scheduler without Redis: run only one replica, or each will run every schedule")
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	sched := &report.Scheduler{Schedules: scheds, Zone: job.Zone, Job: job, Lock: lock, Lease: o.lease, Log: a.log}
	go func() {
		defer close(done)
		if err := sched.Run(ctx); err != nil {
			a.log.Error().Err(err).Msg("report scheduler stopped")
		}
	}()
	a.log.Info().Strs("schedules", o.schedules).Str("tz", o.zone).Msg("report scheduler started")
	return func() { cancel(); <-done; release() }, nil
}
