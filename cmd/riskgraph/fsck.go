package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/store/memory"
)

// fsckCommand checks (and with --repair rebuilds) the files the embedded
// store appends to.
func (a *app) fsckCommand() *cobra.Command {
	var repair bool
	cmd := &cobra.Command{
		Use:   "fsck [--repair]",
		Short: "Check the data dir's journal for damage; --repair keeps a copy and rebuilds it",
		Long: "fsck reads <data-dir>/journal.rgj without changing it and prints every damaged region\n" +
			"(offset, bytes, why). A torn tail (a last record cut short by a crash, never acknowledged)\n" +
			"is dropped by the next start on its own; any other damage stops the start.\n" +
			"--repair copies the damaged file beside it (journal.rgj.damaged-<time>) and rebuilds the\n" +
			"journal from every record that verifies, printing what it dropped. Stop serve first.\n" +
			"Exit status: 0 clean or repaired, 1 damage that stops the start remains.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if kind, _ := a.cfg.storeKind(); kind != "memory" {
				return usageError(errors.New("fsck: only the embedded store keeps a journal; check Neo4j with neo4j-admin database check"))
			}
			out := cmd.OutOrStdout()
			c, err := memory.CheckJournal(a.cfg.DataDir)
			if err != nil {
				return err
			}
			printCheck(out, c)
			if !repair || c.Clean() {
				if c.Corrupt() {
					return &exitError{code: 1, msg: fmt.Sprintf("fsck: %s is damaged; run riskgraph fsck --repair --data-dir %s (it keeps a copy) or restore a backup", c.Path, a.cfg.DataDir)}
				}
				return nil
			}
			r, err := memory.RepairJournal(a.cfg.DataDir, time.Now())
			if le := asLocked(err); le != nil {
				return notForwarded("fsck --repair", le, "stop it first; a repair rewrites the journal")
			}
			if err != nil {
				return err
			}
			a.log.Warn().Str("journal", r.Path).Str("copy", r.Backup).Int64("dropped_bytes", r.Dropped).
				Int("records_kept", r.Records).Msg("journal repaired")
			fmt.Fprintf(out, "repaired: kept %d records, dropped %d bytes in %d region(s); the damaged file is kept as %s\n",
				r.Records, r.Dropped, len(r.Damaged), r.Backup)
			return nil
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "keep a copy of a damaged file and rebuild it from every record that verifies")
	return cmd
}

// printCheck writes one file's check, one line per damaged region.
func printCheck(w io.Writer, c memory.FileCheck) {
	state := "clean"
	switch {
	case c.Torn:
		state = "torn tail (the next start drops it)"
	case c.Corrupt():
		state = "DAMAGED"
	}
	fmt.Fprintf(w, "%s: %d bytes, %d records verify: %s\n", c.Path, c.Size, c.Records, state)
	for _, r := range c.Damaged {
		fmt.Fprintf(w, "  bytes %d-%d (%d bytes): %s\n", r.Offset, r.End, r.Len(), r.Reason)
	}
}
