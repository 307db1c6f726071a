package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"riskgraph/store/memory"
)

// compactCommand rewrites the embedded store's journal as its current
// state (memory.Store.Compact). Run it while no other riskgraph process
// uses the data directory.
func (a *app) compactCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "compact",
		Short: "Rewrite the embedded store's journal as its current state (smaller, faster to replay)",
		Long: "compact rewrites <data-dir>/journal.rgj as the store's current state: repeated loads of the same\n" +
			"data, replaced values and deleted snapshots stop taking space and replay time. The new journal is\n" +
			"written beside the old one and renamed over it, so an interruption leaves the old one intact.\n" +
			"It needs the data directory to itself: while serve (or another command) holds it, compact stops and says\n" +
			"which pid to stop first.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if kind, _ := a.cfg.storeKind(); kind != "memory" {
				return usageError(errors.New("compact: only the embedded store has a journal; Neo4j manages its own files"))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := memory.Open(memory.Options{DataDir: a.cfg.DataDir, Logger: a.log, Command: a.cfg.command})
			if locked := asLocked(err); locked != nil {
				return notForwarded("compact", locked,
					"compact rewrites the journal and cannot run beside it or through it: stop that process, run riskgraph compact, then start it again")
			}
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := s.Compact(ctx)
			if err != nil {
				return err
			}
			a.log.Info().Int64("bytes_before", st.BytesBefore).Int64("bytes_after", st.BytesAfter).
				Int("records", st.Records).Msg("journal compacted")
			fmt.Fprintf(cmd.OutOrStdout(), "journal: %d -> %d bytes (%d records)\n", st.BytesBefore, st.BytesAfter, st.Records)
			return nil
		},
	}
}
