package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"riskgraph/ingest"
	"riskgraph/synth"
)

// Demo layout inside the data dir.
const (
	demoInput  = "demo-input"  // the generated CSV files
	demoLoaded = "demo.loaded" // written once the sample is fully loaded
)

func (a *app) demoCommand() *cobra.Command {
	var enterprises int
	var seed int64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate a sample, load it into the embedded store and serve it",
		Long: "Generate a synthetic sample (once), load it into the embedded memory store in --data-dir,\n" +
			"score it (riskgraph score), and serve the API on --addr. A later run reuses the loaded data.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := a.http.check(a.cfg.Addr); err != nil {
				return usageError(err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if kind, err := a.cfg.storeKind(); err != nil || kind != "memory" {
				return usageError(errors.New("demo runs on the embedded store; unset --store/RISKGRAPH_STORE and NEO4J_URI, or use ingest and serve"))
			}
			s, err := openStore(ctx, &a.cfg, a.log)
			if locked := asLocked(err); locked != nil {
				return notForwarded("demo", locked, "one server per data dir: use that one (riskgraph demo serves on its --addr), or give this one another --data-dir")
			}
			if err != nil {
				return err
			}
			defer s.Close()
			marker := filepath.Join(a.cfg.DataDir, demoLoaded)
			if _, err := os.Stat(marker); errors.Is(err, fs.ErrNotExist) {
				dir := filepath.Join(a.cfg.DataDir, demoInput)
				a.log.Info().Int("enterprises", enterprises).Str("dir", dir).Msg("generating the demo sample")
				if _, err := synth.Generate(synth.GenerateOptions{Enterprises: enterprises, Seed: seed, Out: dir}); err != nil {
					return err
				}
				sum, err := a.load(ctx, s, []string{dir}, "demo", ingest.DefaultBatchSize)
				if err != nil {
					return err
				}
				if sum.Total.Rejected > 0 {
					return fmt.Errorf("demo: the generated sample had %d rejected rows; this is a bug", sum.Total.Rejected)
				}
				a.log.Info().Int64("rows", sum.Total.Accepted).Dur("took", sum.Elapsed).Msg("demo sample loaded")
				if err := os.WriteFile(marker, []byte("ok\n"), 0o600); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			opts, err := a.scoreOptions("", "")
			if err != nil {
				return err
			}
			res, _, err := a.score(ctx, s, opts)
			if err != nil {
				return err
			}
			a.latest.Set(res)
			c, err := openCache(ctx, &a.cfg, a.log)
			if err != nil {
				return err
			}
			defer c.Close()
			return a.serve(ctx, s, c)
		},
	}
	var httpOpts serveOptions
	httpOpts.bind(cmd.Flags(), true)
	cmd.PreRun = func(*cobra.Command, []string) { a.http = httpOpts }
	cmd.Flags().IntVar(&enterprises, "enterprises", 10_000, "size of the generated sample")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the generated sample")
	return cmd
}
