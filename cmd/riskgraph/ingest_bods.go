package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/ingest"
)

// runIngestBODS is riskgraph ingest --format bods: the inputs are BODS
// 0.4 statement files (docs/beneficial-owners.md), turned into canonical
// rows and loaded like them; rejects name the statement.
func (a *app) runIngestBODS(ctx context.Context, cmd *cobra.Command, paths []string, f *ingestFlags) error {
	hasher, err := pidHasher(&a.cfg, a.log)
	if err != nil {
		return err
	}
	opts := ingest.LoadOptions{Hasher: hasher, Source: f.source, BatchSize: f.batchSize, InFlight: f.inFlight,
		Logger: a.log, DryRun: f.dryRun, MaxRejects: 100}
	var w ingest.Writer
	if !f.dryRun {
		t, err := a.ingestTarget(ctx)
		if err != nil {
			return err
		}
		defer t.close()
		w, opts.Reader = t.w, t.reader
	}
	rejectsPath := f.rejects
	if rejectsPath == "" {
		rejectsPath = filepath.Join(a.cfg.DataDir, "rejects", f.source+"-"+time.Now().Format("20060102-150405")+".csv")
	}
	rep := &lazyReport{path: rejectsPath}
	defer rep.close()
	opts.OnReject = rep.write
	sum, err := ingest.LoadBODSFiles(ctx, paths, w, opts, cmd.InOrStdin())
	if cerr := rep.close(); cerr != nil && err == nil {
		err = cerr
	}
	printSummary(cmd.OutOrStdout(), sum)
	if rep.n > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "rejects report: %s (%d rejects, %d warnings)\n", rep.path, rep.n-rep.warnings, rep.warnings)
	}
	if err != nil {
		if errors.Is(err, ingest.ErrTooManyRejects) {
			return &exitError{code: 1, msg: fmt.Sprintf("stopped: %v; see %s", err, rep.path)}
		}
		return err
	}
	if sum.Total.Rejected > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d statements' rows rejected (see the report); the %d accepted rows are loaded",
			sum.Total.Rejected, sum.Total.Accepted)}
	}
	return nil
}
