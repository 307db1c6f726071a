package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/ingest"
	"riskgraph/store"
	neo4jstore "riskgraph/store/neo4j"
)

// bulkLoad is a load with --bulk-neo4j: the loader writes its batches as
// import files (neo4jstore.BulkWriter), which are then imported offline by
// neo4j-admin and given their schema (docs/ingest.md, "Bulk load into Neo4j").
type bulkLoad struct {
	w       *neo4jstore.BulkWriter
	dir     string
	command string // run with dir; "none": files only
	started time.Time
}

func (b *bulkLoad) close() { _ = b.w.Close() }

// startBulk checks that a bulk load can run and creates its writer. A
// database that answers and already holds data is replaced only with
// --bulk-replace.
func (a *app) startBulk(ctx context.Context, f *ingestFlags, opts ingest.LoadOptions) (*bulkLoad, error) {
	started := time.Now()
	switch {
	case f.dryRun:
		return nil, usageError(errors.New("--bulk-neo4j writes files and imports them: leave out --dry-run (or leave out --bulk-neo4j to check the files)"))
	case opts.Match != nil:
		return nil, usageError(errors.New("--bulk-neo4j cannot match at ingest (matching needs the stored enterprises): load the rows to match online, after the bulk load"))
	case a.cfg.Neo4jURI == "":
		return nil, usageError(errors.New("--bulk-neo4j needs the Neo4j the files are imported into: set --neo4j-uri or NEO4J_URI (the schema is created there after the import)"))
	}
	if f.bulkImport != "none" {
		if _, err := exec.LookPath(f.bulkImport); err != nil {
			return nil, usageError(fmt.Errorf("--bulk-import %s: %v; give the import program (scripts/neo4j-import.sh from the repository root), or none to only write the files", f.bulkImport, err))
		}
		if err := a.checkBulkTarget(ctx, f.bulkReplace); err != nil {
			return nil, err
		}
	}
	w, err := neo4jstore.NewBulkWriter(f.bulkDir)
	if err != nil {
		return nil, usageError(err)
	}
	return &bulkLoad{w: w, dir: f.bulkDir, command: f.bulkImport, started: started}, nil
}

// checkBulkTarget refuses to replace a database that holds data unless
// replace is set. A server that does not answer is not checked: it may be
// stopped for the import.
func (a *app) checkBulkTarget(ctx context.Context, replace bool) error {
	if replace {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := openStore(ctx, &a.cfg, a.log)
	if err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			a.log.Info().Str("uri", a.cfg.Neo4jURI).Msg("Neo4j does not answer; the bulk load imports into its stopped database")
			return nil
		}
		return err
	}
	defer s.Close()
	gen, err := s.Generation(ctx)
	if err != nil {
		return err
	}
	if gen > 0 {
		return usageError(fmt.Errorf("the database at %s holds data (generation %d); --bulk-neo4j replaces all of it: give --bulk-replace to confirm, or load it online without --bulk-neo4j", a.cfg.Neo4jURI, gen))
	}
	return nil
}

// finishBulk completes the files, runs the import and creates the schema,
// then reports the phases and the rows per second from the start of the
// command to a database that answers with its indexes online.
func (a *app) finishBulk(ctx context.Context, cmd *cobra.Command, b *bulkLoad, sum ingest.LoadSummary) error {
	out := cmd.OutOrStdout()
	imp, err := b.w.Finish(a.cfg.Neo4jDatabase)
	if err != nil {
		return err
	}
	files := time.Now()
	fmt.Fprintf(out, "bulk files: %d nodes, %d relationships in %s (%s), generation %d\n", imp.Nodes, imp.Relationships, b.dir,
		files.Sub(b.started).Round(time.Millisecond), imp.Generation)
	if b.command == "none" {
		fmt.Fprintf(out, "import them with: neo4j-admin database import full @%s/%s (the database stopped), then start it; riskgraph creates the schema when it opens the store\n", imp.Dir, neo4jstore.ImportArgsFile)
		return nil
	}
	run := exec.CommandContext(ctx, b.command, imp.Dir)
	run.Stdout, run.Stderr, run.Env = cmd.ErrOrStderr(), cmd.ErrOrStderr(), os.Environ()
	if err := run.Run(); err != nil {
		return fmt.Errorf("bulk import (%s %s): %w; the files stay in %s", b.command, imp.Dir, err, imp.Dir)
	}
	imported := time.Now()
	s, err := a.openAfterImport(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	gen, err := s.Generation(ctx)
	if err != nil {
		return err
	}
	if gen != imp.Generation {
		return fmt.Errorf("bulk import: the database reports generation %d after the import, want %d: was the import run on the server at %s?", gen, imp.Generation, a.cfg.Neo4jURI)
	}
	done := time.Now()
	total := done.Sub(b.started)
	fmt.Fprintf(out, "bulk load: %d rows (%d nodes, %d relationships) in %s: files %s, import %s (stop, import, start), schema %s; %s rows/s end to end\n",
		sum.Total.Accepted, imp.Nodes, imp.Relationships, total.Round(time.Millisecond), files.Sub(b.started).Round(time.Millisecond),
		imported.Sub(files).Round(time.Millisecond), done.Sub(imported).Round(time.Millisecond), rowsPerSecond(sum.Total.Accepted, total))
	return nil
}

// openAfterImport opens the store (which creates the constraints and
// indexes and waits for them to come online), waiting up to three minutes
// for a server that is still starting.
func (a *app) openAfterImport(ctx context.Context) (store.Store, error) {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		s, err := openStore(ctx, &a.cfg, a.log)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, store.ErrUnavailable) || time.Now().After(deadline) {
			return nil, fmt.Errorf("after the bulk import: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
