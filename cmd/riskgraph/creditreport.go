package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"riskgraph/credit"
	"riskgraph/engine"
	"riskgraph/report"
	"riskgraph/server"
	"riskgraph/store"
)

// creditReportCommand writes credit reports (docs/credit-report.md): one
// (KEY) or many (--batch FILE, one key a line), each issued and stored as
// by GET /api/v1/enterprises/{key}/credit-report, and written as
// <number>.<format> (or to --output for one key).
func (a *app) creditReportCommand() *cobra.Command {
	var format, output, batch, dir string
	cmd := &cobra.Command{
		Use:   "credit-report [KEY] [--batch keys.txt]",
		Short: "Issue credit reports of enterprises (JSON, HTML or PDF): the same documents the API issues",
		Long: "Issue the credit report of enterprise KEY (a USCC or src:<source>:<id>), or of every key of --batch FILE\n" +
			"(one a line), from the store and the last completed scoring run: numbered, sealed and stored like the\n" +
			"API's. One key writes --output (default <number>.<format>); a batch writes <number>.<format> files into\n" +
			"--dir and prints one line per key: key, number, file or error. While a server holds the data dir, the\n" +
			"reports are issued by it.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "json", "html", "pdf":
			default:
				return usageError(fmt.Errorf("--format %q: use json, html or pdf", format))
			}
			var keys []string
			switch {
			case len(args) == 1 && batch == "":
				keys = args
			case len(args) == 0 && batch != "":
				var err error
				if keys, err = readKeys(batch); err != nil {
					return usageError(err)
				}
			default:
				return usageError(errors.New("give one KEY, or --batch FILE with one key a line"))
			}
			if output != "" && len(args) == 0 {
				return usageError(errors.New("--output names the file of one report; a batch writes into --dir"))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			issue, done, err := a.creditIssuer(ctx)
			if err != nil {
				return err
			}
			defer done()
			failed := 0
			for _, key := range keys {
				number, data, err := issue(ctx, key, format)
				if err != nil {
					if len(keys) == 1 {
						return err
					}
					failed++
					fmt.Fprintf(cmd.OutOrStdout(), "%s\t\t\terror: %v\n", key, err)
					continue
				}
				file := output
				if file == "" {
					file = filepath.Join(dir, number+"."+format)
				}
				if err := os.WriteFile(file, data, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\n", key, number, file)
			}
			if failed > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("credit-report: %d of %d keys failed (listed above)", failed, len(keys))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "pdf", "json, html or pdf")
	cmd.Flags().StringVarP(&output, "output", "o", "", "file of a single report (default <number>.<format>)")
	cmd.Flags().StringVar(&batch, "batch", "", "file of keys, one a line (blank lines and lines starting with # are skipped)")
	cmd.Flags().StringVar(&dir, "dir", ".", "directory the reports are written into")
	return cmd
}

// readKeys reads a file of enterprise keys, one a line (a BOM, blank
// lines and # comments skipped); a file without any key is an error.
func readKeys(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if k != "" && !strings.HasPrefix(k, "#") {
			keys = append(keys, k)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no keys; give one USCC or src:<source>:<id> a line", path)
	}
	return keys, nil
}

type creditIssue func(ctx context.Context, key, format string) (number string, data []byte, err error)

// creditIssuer issues reports on the store (restoring the last completed
// run's result once), or through the server that holds the data dir.
func (a *app) creditIssuer(ctx context.Context) (creditIssue, func(), error) {
	s, err := openStore(ctx, &a.cfg, a.log)
	if locked := asLocked(err); locked != nil {
		ls := a.serverFor(ctx, locked.Holder())
		if ls == nil {
			return nil, nil, lockedError("credit-report", locked)
		}
		return ls.issueCredit, func() {}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	res, run, err := engine.Restore(ctx, s)
	if errors.Is(err, engine.ErrNoCompletedRun) {
		s.Close()
		return nil, nil, usageError(errors.New("credit-report: no completed scoring run; run riskgraph score first"))
	}
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	in := report.CreditInput{Store: s, Result: res, Run: run, Catalogue: credit.Default()}
	issue := func(ctx context.Context, key, format string) (string, []byte, error) {
		d, body, err := report.IssueCredit(ctx, in, s, key, server.LocalKeyID)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, fmt.Errorf("enterprise %q is not in the store", key)
		}
		if err != nil {
			return "", nil, err
		}
		switch format {
		case "html":
			body, err = report.RenderCreditHTML(d)
		case "pdf":
			body, err = report.RenderCreditPDF(d)
		}
		return d.Number, body, err
	}
	return issue, func() { s.Close() }, nil
}

// issueCredit has the running server issue a report.
func (ls *localServer) issueCredit(ctx context.Context, key, format string) (string, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		"http://riskgraph/api/v1/enterprises/"+url.PathEscape(key)+"/credit-report?format="+format, nil)
	if err != nil {
		return "", nil, err
	}
	resp, err := ls.http.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("the running server (%s) does not answer on its socket: %w", ls.holder, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", nil, &serverError{Status: resp.StatusCode, Message: strings.TrimSpace(string(data))}
	}
	return resp.Header.Get("X-Credit-Report-Number"), data, nil
}
