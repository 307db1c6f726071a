package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/credit"
	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

func (a *app) scoreCommand() *cobra.Command {
	var full, incremental bool
	var paramsFile, today string
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Compute propagated risk scores, grades, owners and flags, and write them back",
		Long: "Project the whole graph from the store, compute every entity's risk score, grade and anomaly flags,\n" +
			"stage the results under a new run id and promote them (the previous run stays visible if anything fails),\n" +
			"and print the run's summary. --params FILE overrides the defaults of docs/risk-model.md (JSON).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if full && incremental {
				return usageError(errors.New("score: give --full or --incremental, not both"))
			}
			opts, err := a.scoreOptions(paramsFile, today)
			if err != nil {
				return usageError(err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := openStore(ctx, &a.cfg, a.log)
			if locked := asLocked(err); locked != nil {
				ls := a.serverFor(ctx, locked.Holder())
				if ls == nil {
					return lockedError("score", locked)
				}
				if incremental || paramsFile != "" || today != "" {
					return notForwarded("score with --incremental, --params or --today", locked,
						"the server scores fully with its own --run-params and today's date: run riskgraph score without these flags, or stop the server first")
				}
				return a.scoreOn(ctx, cmd.OutOrStdout(), ls)
			}
			if err != nil {
				return err
			}
			defer s.Close()
			if incremental {
				// Update the last completed run: its parameters and day
				// unless given, and its stored scores as the start.
				prev, prevOpts, err := engine.LastCompleted(ctx, s)
				if errors.Is(err, engine.ErrNoCompletedRun) {
					return usageError(errors.New("score --incremental: no completed run to update; run a full score first (riskgraph score)"))
				}
				if err != nil {
					return err
				}
				if paramsFile == "" {
					opts.Params = prevOpts.Params
				}
				if today == "" {
					opts.Today = prevOpts.Today
				}
				opts.Incremental = true
				a.log.Info().Str("previous_run", prev.ID).Str("today", opts.Today.String()).Msg("incremental update of the last completed run")
			}
			_, run, err := a.score(ctx, s, opts)
			if err != nil {
				return err
			}
			return printRun(cmd.OutOrStdout(), run)
		},
	}
	cmd.Flags().BoolVar(&full, "full", false, "recompute everything from the store (the default)")
	cmd.Flags().BoolVar(&incremental, "incremental", false, "update the last completed run's scores by a local push from what changed (its parameters and day unless given); writes only changed results")
	cmd.Flags().StringVar(&paramsFile, "params", "", "JSON file of model parameters over the defaults (docs/risk-model.md)")
	cmd.Flags().StringVar(&today, "today", "", "reference date YYYY-MM-DD (default: today, China time)")
	return cmd
}

// scoreOptions reads the parameters and the reference date.
func (a *app) scoreOptions(paramsFile, today string) (engine.Options, error) {
	opts := engine.Options{Params: engine.DefaultParams(), Snapshot: a.cfg.EngineSnapshot}
	if a.cfg.EngineMemoryLimit < 0 {
		return opts, fmt.Errorf("--engine-memory-limit %d: give MiB, or 0 for none", a.cfg.EngineMemoryLimit)
	}
	opts.MemoryLimit = int64(a.cfg.EngineMemoryLimit) << 20
	if paramsFile != "" {
		p, err := engine.LoadParams(paramsFile)
		if err != nil {
			return opts, fmt.Errorf("--params %s: %w", paramsFile, err)
		}
		opts.Params = p
	}
	// The measures catalogue says which record kinds raise no risk and how
	// long each is published (engine.RecordParams): scoring and checks stop
	// counting a record on the same day.
	cat := credit.Default()
	if f := os.Getenv("RISKGRAPH_MEASURES"); f != "" {
		c, err := credit.Load(f)
		if err != nil {
			return opts, fmt.Errorf("RISKGRAPH_MEASURES: %w", err)
		}
		cat = c
	}
	opts.Params.Records = cat.RecordParams()
	if today == "" {
		opts.Today = models.ChinaDate(time.Now())
		return opts, nil
	}
	d, err := models.ParseDate(today)
	if err != nil {
		return opts, fmt.Errorf("--today: %w", err)
	}
	opts.Today = d
	return opts, nil
}

// score runs the engine on s with a new run id and logs the outcome.
func (a *app) score(ctx context.Context, s store.Store, opts engine.Options) (*engine.Result, store.Run, error) {
	runID := "run-" + time.Now().UTC().Format("20060102T150405.000Z")
	a.log.Info().Str("run", runID).Str("today", opts.Today.String()).Msg("scoring")
	res, run, err := engine.Score(ctx, s, opts, runID, time.Now)
	if err != nil {
		a.log.Error().Str("run", runID).Err(err).Msg("scoring failed; the previous results stay visible")
		return nil, run, fmt.Errorf("score: %w", err)
	}
	a.log.Info().Str("run", runID).Int("iterations", res.Iterations).
		Dur("took", run.Finished.Sub(run.Started)).Msg("scored")
	a.publishRanking(ctx, s)
	return res, run, nil
}

// scoreOn has the running server score (POST /api/v1/runs), waits for the
// run to end and prints its summary as a local score does. The server
// records the run completed only once it serves the result (trigger.go).
func (a *app) scoreOn(ctx context.Context, w io.Writer, ls *localServer) error {
	run, err := a.runOn(ctx, ls, "score", "/api/v1/runs", "/api/v1/runs/", nil, "; the previous results stay visible")
	if err != nil {
		return err
	}
	a.log.Info().Str("run", run.ID).Dur("took", run.Finished.Sub(run.Started)).Msg("scored")
	return printRun(w, run)
}

// runOn starts a background run on the running server (POST start with
// body; the answer names the run), polls poll+id until the run ends and
// returns it when it completed. what names the command in messages;
// failNote ends the message of a failed run.
func (a *app) runOn(ctx context.Context, ls *localServer, what, start, poll string, body any, failNote string) (store.Run, error) {
	var started struct{ Run string }
	if err := ls.call(ctx, http.MethodPost, start, body, &started); err != nil {
		return store.Run{}, fmt.Errorf("%s: %w", what, err)
	}
	a.log.Info().Str("run", started.Run).Str("by", ls.holder).Msgf("%s on the running server", what)
	poll += url.PathEscape(started.Run)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return store.Run{}, fmt.Errorf("%s: stopped waiting; run %s goes on in %s (GET %s): %w", what, started.Run, ls.holder, poll, ctx.Err())
		case <-tick.C:
		}
		var run store.Run
		if err := ls.call(ctx, http.MethodGet, poll, nil, &run); err != nil {
			return store.Run{}, fmt.Errorf("%s: run %s: %w", what, started.Run, err)
		}
		switch run.Status {
		case store.RunRunning:
			continue
		case store.RunCompleted:
			return run, nil
		default:
			return run, fmt.Errorf("%s: run %s %s: %s%s", what, run.ID, run.Status, run.Error, failNote)
		}
	}
}

func printRun(w io.Writer, run store.Run) error {
	var sum engine.Summary
	if err := json.Unmarshal(run.Summary, &sum); err != nil {
		return err
	}
	fmt.Fprintf(w, "run %s %s (data generation %d, today %s) in %s\n", run.ID, run.Status, run.Generation, sum.Today,
		run.Finished.Sub(run.Started).Round(time.Millisecond))
	fmt.Fprintf(w, "graph: %d enterprises, %d persons, %d records, %d relationships\n", sum.Enterprises, sum.Persons, sum.Records, sum.Edges)
	if sum.Incremental {
		fmt.Fprintf(w, "propagation: incremental, %d pushes, %d sweeps; %d results changed and written\n", sum.Pushes, sum.Iterations, sum.Written)
	} else {
		fmt.Fprintf(w, "propagation: %d iterations; %d results written\n", sum.Iterations, sum.Written)
	}
	fmt.Fprintf(w, "grades (enterprises): A %d  B %d  C %d  D %d\n", sum.Grades.Total["A"], sum.Grades.Total["B"], sum.Grades.Total["C"], sum.Grades.Total["D"])
	fmt.Fprint(w, "flags:")
	for _, k := range engine.FlagKinds {
		fmt.Fprintf(w, " %s %d", k, sum.Flags[k])
	}
	fmt.Fprintf(w, "\ncontrol groups: %d\n", sum.Groups)
	if sn := sum.Snapshot; sn != nil {
		if sn.Used {
			fmt.Fprintf(w, "projection: snapshot of generation %d + %d changed rows (load %d ms, changes %d ms)\n", sn.Generation, sn.Changes, sn.LoadMS, sn.ChangesMS)
		} else {
			fmt.Fprintf(w, "projection: full scan; snapshot rebuilt (%s)\n", sn.Rebuilt)
		}
		if !sn.Saved {
			fmt.Fprintf(w, "snapshot not saved: %s\n", sn.SaveError)
		}
	}
	return nil
}
