package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/match"
	"riskgraph/server"
	"riskgraph/store"
)

// riskgraph xref: find likely duplicate enterprises and write them as
// candidate pairs (docs/matching.md "Duplicates"). Beside a running server
// on the same data dir it has the server run it (POST /api/v1/xref) and
// polls the run, as riskgraph score does.

func (a *app) xrefCommand() *cobra.Command {
	var opts server.XrefOptions
	cmd := &cobra.Command{
		Use:   "xref",
		Short: "Find likely duplicate enterprises and write them as candidate pairs for review",
		Long: "Build the matching index from the store, compare the enterprises that share a normalised core name,\n" +
			"phone, e-mail, address or code (blocks larger than --max-block are skipped and counted), and write\n" +
			"the pairs scoring at least --threshold as candidates. Pairs already known are left as they are.\n" +
			"Inspectors review them at GET /api/v1/xref/pairs and decide with POST /api/v1/xref/pairs/{id}.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Threshold < 0 || opts.Threshold > 1 {
				return usageError(fmt.Errorf("--threshold %v: give a score in (0, 1]", opts.Threshold))
			}
			if opts.MaxBlock < 0 || opts.MaxBlock == 1 || opts.MaxBlock > 1000 {
				return usageError(fmt.Errorf("--max-block %d: give 2 to 1000 enterprises", opts.MaxBlock))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := openStore(ctx, &a.cfg, a.log)
			if locked := asLocked(err); locked != nil {
				ls := a.serverFor(ctx, locked.Holder())
				if ls == nil {
					return lockedError("xref", locked)
				}
				return a.xrefOn(ctx, cmd.OutOrStdout(), ls, opts)
			}
			if err != nil {
				return err
			}
			defer s.Close()
			id := xrefRunID(time.Now())
			a.log.Info().Str("run", id).Msg("looking for duplicate enterprises")
			_, run, err := match.RunXref(ctx, s, id, dupeOptions(opts), time.Now)
			if err != nil {
				return fmt.Errorf("xref: %w", err)
			}
			return printXref(cmd.OutOrStdout(), run)
		},
	}
	cmd.Flags().Float64Var(&opts.Threshold, "threshold", 0, fmt.Sprintf("keep pairs scoring at least this (default %v)", match.DupeThreshold))
	cmd.Flags().IntVar(&opts.MaxBlock, "max-block", 0, fmt.Sprintf("skip blocks of more enterprises than this (default %d)", match.DefaultMaxBlock))
	return cmd
}

func xrefRunID(t time.Time) string { return "xref-" + t.UTC().Format("20060102T150405.000Z") }

func dupeOptions(o server.XrefOptions) match.DupeOptions {
	return match.DupeOptions{Threshold: o.Threshold, MaxBlock: o.MaxBlock}
}

// xrefOn has the running server run the xref and waits for it.
func (a *app) xrefOn(ctx context.Context, w io.Writer, ls *localServer, opts server.XrefOptions) error {
	run, err := a.runOn(ctx, ls, "xref", "/api/v1/xref", "/api/v1/xref/runs/", opts, "")
	if err != nil {
		return err
	}
	return printXref(w, run)
}

func printXref(w io.Writer, run store.Run) error {
	var sum match.XrefSummary
	if err := json.Unmarshal(run.Summary, &sum); err != nil {
		return err
	}
	st := sum.Stats
	fmt.Fprintf(w, "xref %s %s (data generation %d) in %s\n", run.ID, run.Status, run.Generation, run.Finished.Sub(run.Started).Round(time.Millisecond))
	fmt.Fprintf(w, "enterprises: %d; pairs compared: %d; pairs with two different USCCs left out: %d\n", st.Enterprises, st.Compared, st.DifferentUSCC)
	fmt.Fprint(w, "blocks compared:")
	for _, k := range []string{"core", "phone", "email", "address", "code"} {
		fmt.Fprintf(w, " %s %d", k, st.Blocks[k])
	}
	fmt.Fprintf(w, "\nblocks skipped (more than %d enterprises):", sum.MaxBlock)
	for _, k := range []string{"core", "phone", "email", "address", "code"} {
		fmt.Fprintf(w, " %s %d", k, st.Skipped[k])
		if st.Largest[k] > 0 {
			fmt.Fprintf(w, " (largest %d)", st.Largest[k])
		}
	}
	fmt.Fprintf(w, "\npairs at or above %v: %d (%d new, %d already known)\n", sum.Threshold, sum.Found, sum.Added, sum.Known)
	fmt.Fprintln(w, "review: GET /api/v1/xref/pairs?status=candidate; decide: POST /api/v1/xref/pairs/{id} {\"decision\":\"confirm\"|\"reject\"|\"undo\"}")
	return nil
}

// xrefTrigger starts xref runs for POST /api/v1/xref (server.XrefTrigger):
// in the background, one at a time in this process, on the server's
// lifetime context.
type xrefTrigger struct {
	jobSlot
	a   *app
	s   store.Store
	now func() time.Time
}

var _ server.XrefTrigger = (*xrefTrigger)(nil)

func newXrefTrigger(ctx context.Context, a *app, s store.Store) *xrefTrigger {
	return &xrefTrigger{jobSlot: jobSlot{ctx: ctx}, a: a, s: s, now: time.Now}
}

// StartXref implements server.XrefTrigger. The run is recorded as running
// before it returns, so GET /api/v1/xref/runs/{id} finds it at once.
func (t *xrefTrigger) StartXref(ctx context.Context, opts server.XrefOptions) (string, error) {
	started := t.now()
	id := xrefRunID(started)
	register := func() (string, error) {
		return id, t.s.SaveXrefRun(ctx, store.Run{ID: id, Started: started, Status: store.RunRunning})
	}
	return t.start(server.ErrXrefInProgress, register, func(id string) { t.run(id, started, opts) })
}

func (t *xrefTrigger) run(id string, started time.Time, opts server.XrefOptions) {
	log := t.a.log.With().Str("run", id).Logger()
	log.Info().Str("trigger", "api").Msg("looking for duplicate enterprises")
	sum, run, err := match.RunXref(t.ctx, t.s, id, dupeOptions(opts), t.now)
	if err != nil {
		log.Error().Err(err).Msg("xref failed")
		recordFailure(t.s.XrefRun, t.s.SaveXrefRun, id, started, t.now(), err)
		return
	}
	log.Info().Int("found", sum.Found).Int("added", sum.Added).Dur("took", run.Finished.Sub(run.Started)).Msg("xref done")
}
