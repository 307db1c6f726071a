package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/store/auditlog"
	"riskgraph/store/frame"
	"riskgraph/store/memory"
)

// fsckCommand checks (and with --repair rebuilds) the files riskgraph
// appends to: the embedded store's journal and the audit log's segments.
func (a *app) fsckCommand() *cobra.Command {
	var repair bool
	cmd := &cobra.Command{
		Use:   "fsck [--repair]",
		Short: "Check the journal and the audit log for damage; --repair keeps copies and rebuilds them",
		Long: "fsck reads <data-dir>/journal.rgj (embedded store) and every segment of the audit log\n" +
			"(--audit-dir, default <data-dir>/audit) without changing them and prints every damaged region\n" +
			"(offset, bytes, why). A torn tail (a last record cut short by a crash, never acknowledged)\n" +
			"is dropped by the next start on its own; any other damage stops the start.\n" +
			"--repair copies each damaged file beside it (journal.rgj.damaged-<time>, <segment>.damaged)\n" +
			"and rebuilds it from every record that verifies, printing what it dropped. Stop serve first.\n" +
			"Exit status: 0 clean or repaired, 1 damage that stops the start remains.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			kind, _ := a.cfg.storeKind()
			damaged := false
			if kind == "memory" {
				c, err := memory.CheckJournal(a.cfg.DataDir)
				if err != nil {
					return err
				}
				printRegions(out, c.Path, c.Size, c.Records, c.Torn, c.Damaged)
				if c.Corrupt() && repair {
					if err := a.repairJournal(cmd); err != nil {
						return err
					}
				} else if c.Corrupt() {
					damaged = true
				}
			}
			auditDamaged, err := a.fsckAudit(out, repair)
			if err != nil {
				return err
			}
			if damaged || auditDamaged {
				return &exitError{code: 1, msg: fmt.Sprintf("fsck: damage found; run riskgraph fsck --repair --data-dir %s (it keeps copies) or restore a backup", a.cfg.DataDir)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "keep a copy of each damaged file and rebuild it from every record that verifies")
	return cmd
}

// repairJournal rebuilds the embedded store's journal (memory.RepairJournal).
func (a *app) repairJournal(cmd *cobra.Command) error {
	r, err := memory.RepairJournal(a.cfg.DataDir, time.Now())
	if le := asLocked(err); le != nil {
		return notForwarded("fsck --repair", le, "stop it first; a repair rewrites the journal")
	}
	if err != nil {
		return err
	}
	a.log.Warn().Str("journal", r.Path).Str("copy", r.Backup).Int64("dropped_bytes", r.Dropped).
		Int("records_kept", r.Records).Msg("journal repaired")
	fmt.Fprintf(cmd.OutOrStdout(), "repaired: kept %d records, dropped %d bytes in %d region(s); the damaged file is kept as %s\n",
		r.Records, r.Dropped, len(r.Damaged), r.Backup)
	return nil
}

// fsckAudit checks (or repairs) the audit log's segments and reports
// whether damage that stops the start remains.
func (a *app) fsckAudit(out io.Writer, repair bool) (bool, error) {
	dir := a.cfg.auditDir()
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(out, "%s: no audit log yet\n", dir)
		return false, nil
	}
	reports, err := auditlog.Check(dir)
	if err != nil {
		return false, err
	}
	corrupt := false
	for _, r := range reports {
		if !r.Clean() || repair {
			printRegions(out, filepath.Join(dir, r.File), -1, r.Records, r.Torn, r.Damaged)
		}
		corrupt = corrupt || (!r.Clean() && !r.Torn)
	}
	fmt.Fprintf(out, "%s: %d segment(s) checked\n", dir, len(reports))
	if !corrupt || !repair {
		return corrupt, nil
	}
	fixed, err := auditlog.Repair(dir)
	if err != nil {
		return true, err
	}
	for _, r := range fixed {
		if !r.Clean() {
			fmt.Fprintf(out, "repaired: %s keeps %d records (%d entries); the damaged file is kept beside it\n", filepath.Join(dir, r.File), r.Records, r.Entries)
		}
	}
	return false, nil
}

// printRegions writes one file's check, one line per damaged region.
func printRegions(w io.Writer, path string, size int64, records int, torn bool, damaged []frame.Region) {
	state := "clean"
	switch {
	case torn:
		state = "torn tail (the next start drops it)"
	case len(damaged) > 0:
		state = "DAMAGED"
	}
	if size >= 0 {
		fmt.Fprintf(w, "%s: %d bytes, %d records verify: %s\n", path, size, records, state)
	} else {
		fmt.Fprintf(w, "%s: %d records verify: %s\n", path, records, state)
	}
	for _, r := range damaged {
		fmt.Fprintf(w, "  bytes %d-%d (%d bytes): %s\n", r.Offset, r.End, r.Len(), r.Reason)
	}
}
