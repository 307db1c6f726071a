package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"riskgraph/ingest"
	"riskgraph/store"
)

func (a *app) ingestCommand() *cobra.Command {
	var source string
	var batchSize int
	cmd := &cobra.Command{
		Use:   "ingest PATH...",
		Short: "Load canonical CSV files (a directory or files) into the store",
		Long: "Load files in the canonical CSV layout (docs/data-format.md) into the configured store.\n" +
			"A directory loads every canonical file in it; files load in dependency order.\n" +
			"Refused rows are listed with file, line, field and what to change; accepted rows stay.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := openStore(ctx, &a.cfg, a.log)
			if err != nil {
				return err
			}
			defer s.Close()
			sum, err := a.load(ctx, s, args, source, batchSize)
			printSummary(cmd.OutOrStdout(), sum)
			if err != nil {
				return err
			}
			if sum.Total.Rejected > 0 || sum.FileErrors > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%d rows rejected (listed above); the %d accepted rows are loaded", sum.Total.Rejected, sum.Total.Accepted)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&source, "source", "default", "name of the data set; keys of entities without a USCC and of persons without an identity number are namespaced by it")
	cmd.Flags().IntVar(&batchSize, "batch-size", ingest.DefaultBatchSize, "rows per store batch (one transaction / one journal record)")
	return cmd
}

// load runs a load of paths (directories or files), logging every
// acknowledged batch and every reject.
func (a *app) load(ctx context.Context, w store.Writer, paths []string, source string, batchSize int) (ingest.LoadSummary, error) {
	hasher, err := pidHasher(&a.cfg, a.log)
	if err != nil {
		return ingest.LoadSummary{}, err
	}
	opts := ingest.LoadOptions{
		Hasher:    hasher,
		Source:    source,
		BatchSize: batchSize,
		Logger:    a.log,
		OnProgress: func(p ingest.Progress) {
			a.log.Info().Str("file", p.File).Int64("rows", p.Rows).Int64("accepted", p.Accepted).Msg("batch written")
		},
	}
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return ingest.LoadSummary{}, usageError(fmt.Errorf("ingest: %w", err))
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		sum, err := ingest.LoadDir(ctx, p, w, opts)
		if err != nil || len(paths) == 1 {
			return sum, err
		}
		a.log.Info().Str("dir", p).Int64("accepted", sum.Total.Accepted).Int64("rejected", sum.Total.Rejected).Msg("directory loaded")
	}
	if len(files) == 0 {
		return ingest.LoadSummary{}, nil
	}
	return ingest.LoadFiles(ctx, files, w, opts)
}

// printSummary writes the per-kind table.
func printSummary(w io.Writer, s ingest.LoadSummary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tread\taccepted\trejected\t")
	kinds := make([]string, 0, len(s.ByKind))
	for k := range s.ByKind {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		c := s.ByKind[ingest.FileKind(k)]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", k, c.Read, c.Accepted, c.Rejected)
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t\n", s.Total.Read, s.Total.Accepted, s.Total.Rejected)
	tw.Flush()
	for _, r := range s.Rejects {
		fmt.Fprintln(w, "rejected:", r.String())
	}
	if s.Total.Rejected > int64(len(s.Rejects)) {
		fmt.Fprintf(w, "… and %d more rejected rows not listed\n", s.Total.Rejected-int64(len(s.Rejects)))
	}
}
