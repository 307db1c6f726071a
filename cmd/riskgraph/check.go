package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"riskgraph/credit"
	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/server"
	"riskgraph/store"
)

// checkSubject is one line of a check command's input.
type checkSubject struct {
	line     int
	key      string // enterprise key or USCC
	name     string // a person: name and identity number
	idNumber string
}

// label names a subject in messages and the CSV, never by identity number.
func (s checkSubject) label() string {
	if s.key != "" {
		return s.key
	}
	return "person on line " + fmt.Sprint(s.line)
}

// Column names the check command reads (case-insensitive).
var (
	keyColumns  = []string{"key", "uscc", "统一社会信用代码"}
	nameColumns = []string{"name", "姓名"}
	idColumns   = []string{"id_number", "身份证号", "证件号码"}
)

// readSubjects reads a check command's input: a CSV (UTF-8) with a header
// naming a key column (key, uscc) or a person's columns (name, id_number),
// or a plain list of USCCs or keys, one a line, without a header.
func readSubjects(path string, r io.Reader) ([]checkSubject, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no subjects; give one USCC or key a line, or a CSV with a key or name,id_number header", path)
	}
	if len(rows[0]) > 0 {
		rows[0][0] = strings.TrimPrefix(rows[0][0], "\ufeff")
	}
	find := func(names []string) int {
		for i, h := range rows[0] {
			for _, n := range names {
				if strings.EqualFold(strings.TrimSpace(h), n) {
					return i
				}
			}
		}
		return -1
	}
	key, name, id := find(keyColumns), find(nameColumns), find(idColumns)
	first := 1
	if key < 0 && (name < 0 || id < 0) {
		if _, err := models.ParseUSCC(rows[0][0]); err != nil && !strings.HasPrefix(rows[0][0], "src:") {
			return nil, fmt.Errorf("%s:1: the header names no subject column; use %s for enterprises, or %s and %s for persons",
				path, strings.Join(keyColumns, " or "), strings.Join(nameColumns, " or "), strings.Join(idColumns, " or "))
		}
		key, first = 0, 0 // no header: one key a line
	}
	cell := func(row []string, i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	var out []checkSubject
	for i, row := range rows[first:] {
		s := checkSubject{line: first + i + 1, key: cell(row, key), name: cell(row, name), idNumber: cell(row, id)}
		if s.key == "" && s.name == "" && s.idNumber == "" {
			continue // blank line
		}
		out = append(out, s)
	}
	return out, nil
}

func (a *app) checkCommand() *cobra.Command {
	var scenario, asOf, format, output, measures, simulate string
	cmd := &cobra.Command{
		Use:   "check --scenario SCENARIO FILE | check --simulate NEW.yaml",
		Short: "Credit-check a list of subjects (a procurement's bidders) for one scenario; writes CSV, JSON or HTML",
		Long: "Check every subject of FILE for --scenario with the measures catalogue (docs/credit-checks.md): a verdict,\n" +
			"the measures that apply with their rules, legal basis, evidence and end. FILE is a CSV with a header naming\n" +
			"key or uscc (enterprises), or name and id_number (persons, for the appointment scenario), or a plain list of\n" +
			"USCCs. Every check is stored (as from the API) under the key id local-cli. While a server holds the data dir,\n" +
			"the checks are sent to it and made with its catalogue.\n\n" +
			"With --simulate NEW.yaml it checks nothing and stores nothing: it answers (JSON) how many entities' verdicts\n" +
			"the candidate catalogue would change against the current one (--measures, or the server's), per scenario,\n" +
			"province and industry, with samples and reasons.",
		Args: cobra.RangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if simulate != "" {
				if len(args) > 0 || scenario != "" {
					return usageError(errors.New("--simulate compares catalogues over every entity: give no FILE and no --scenario"))
				}
				return a.simulateChecks(ctx, cmd.OutOrStdout(), output, simulate, measures, asOf)
			}
			if len(args) != 1 {
				return usageError(errors.New("give the FILE of subjects to check (or --simulate NEW.yaml)"))
			}
			if format == "" {
				format = strings.TrimPrefix(strings.ToLower(filepath.Ext(output)), ".")
			}
			switch format {
			case "":
				format = "csv"
			case "csv", "json", "html":
			default:
				return usageError(fmt.Errorf("--format %q: use csv, json or html", format))
			}
			if scenario == "" {
				return usageError(errors.New("--scenario is required, e.g. --scenario bidding (docs/credit-checks.md lists them)"))
			}
			f, err := os.Open(args[0])
			if err != nil {
				return usageError(err)
			}
			subjects, err := readSubjects(args[0], f)
			f.Close()
			if err != nil {
				return usageError(err)
			}
			if len(subjects) > 10_000 {
				return usageError(fmt.Errorf("%s: %d subjects; check at most 10000 at a time", args[0], len(subjects)))
			}
			var w io.Writer = cmd.OutOrStdout()
			var out *os.File
			if output != "" && output != "-" {
				if out, err = os.Create(output); err != nil {
					return err
				}
				defer out.Close()
				w = out
			}
			rows, err := a.runChecks(ctx, subjects, scenario, asOf, measures)
			if err != nil {
				return err
			}
			if err := writeChecks(w, format, rows); err != nil {
				return err
			}
			if out != nil {
				return out.Close()
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&scenario, "scenario", "", "scenario of the measures catalogue (bidding, government_procurement, appointment …)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "answer as the data stood on this day, YYYY-MM-DD (default today, China time)")
	cmd.Flags().StringVar(&format, "format", "", "csv, json or html (default: from --output's extension, else csv)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "file to write (default standard output)")
	cmd.Flags().StringVar(&measures, "measures", envOr("RISKGRAPH_MEASURES", ""), "measures catalogue file (YAML or JSON; default: the built-in one) [RISKGRAPH_MEASURES]")
	cmd.Flags().StringVar(&simulate, "simulate", "", "candidate measures catalogue: answer how it would change the verdicts (policy simulation; stores nothing)")
	return cmd
}

// simulateChecks runs a policy simulation of the candidate catalogue file
// on the store, or through the server that holds the data dir, and
// writes its JSON.
func (a *app) simulateChecks(ctx context.Context, stdout io.Writer, output, candidate, measures, asOf string) error {
	raw, err := os.ReadFile(candidate)
	if err != nil {
		return usageError(fmt.Errorf("--simulate: %w", err))
	}
	cand, err := credit.Parse(candidate, raw)
	if err != nil {
		return usageError(err)
	}
	var result any
	s, err := openStore(ctx, &a.cfg, a.log)
	if locked := asLocked(err); locked != nil {
		ls := a.serverFor(ctx, locked.Holder())
		if ls == nil {
			return lockedError("check --simulate", locked)
		}
		if measures != "" {
			return notForwarded("check --measures", locked, "the running server compares with its own catalogue; drop --measures, or stop the server")
		}
		var out json.RawMessage
		if err := ls.call(ctx, http.MethodPost, "/api/v1/credit-checks:simulate", map[string]any{"catalogue": string(raw), "as_of": asOf}, &out); err != nil {
			return fmt.Errorf("check --simulate: %w", err)
		}
		result = out
	} else {
		if err != nil {
			return err
		}
		defer s.Close()
		cur := credit.Default()
		if measures != "" {
			if cur, err = credit.Load(measures); err != nil {
				return usageError(err)
			}
		}
		day := models.ChinaDate(time.Now())
		if asOf != "" {
			d, err := models.ParseDate(asOf)
			if err != nil || d.After(day.Time) {
				return usageError(fmt.Errorf("--as-of %q: give a day up to today as YYYY-MM-DD", asOf))
			}
			day = d
		}
		g, err := engine.Project(ctx, s)
		if err != nil {
			return err
		}
		ck := &credit.Checker{Reader: s, File: s, Catalogue: cur}
		sim, err := ck.Simulate(ctx, credit.SimulateOptions{Current: cur, Candidate: cand, AsOf: day, Graph: g, Workers: runtime.GOMAXPROCS(0)})
		if err != nil {
			return err
		}
		a.log.Info().Int("evaluated", sim.Evaluated).Int("changes", sim.Changes).Int64("took_ms", sim.TookMS).Msg("policy simulation")
		result = map[string]any{"catalogue": sim}
	}
	var w io.Writer = stdout
	if output != "" && output != "-" {
		f, err := os.Create(output)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(result)
}

// runChecks checks the subjects on the store, or through the server that
// holds the data dir.
func (a *app) runChecks(ctx context.Context, subjects []checkSubject, scenario, asOf, measures string) ([]credit.CSVRow, error) {
	s, err := openStore(ctx, &a.cfg, a.log)
	if locked := asLocked(err); locked != nil {
		ls := a.serverFor(ctx, locked.Holder())
		if ls == nil {
			return nil, lockedError("check", locked)
		}
		if measures != "" {
			return nil, notForwarded("check --measures", locked, "the running server checks with its own catalogue (its --measures); drop --measures, or stop the server")
		}
		return checkOn(ctx, ls, subjects, scenario, asOf)
	}
	if err != nil {
		return nil, err
	}
	defer s.Close()
	cat := credit.Default()
	if measures != "" {
		if cat, err = credit.Load(measures); err != nil {
			return nil, usageError(err)
		}
	}
	if _, ok := cat.Scenario(scenario); !ok {
		return nil, usageError(fmt.Errorf("--scenario %q: use one of %s", scenario, strings.Join(cat.ScenarioIDs(), ", ")))
	}
	now := time.Now()
	day := models.ChinaDate(now)
	if asOf != "" {
		d, err := models.ParseDate(asOf)
		if err != nil || d.After(day.Time) {
			return nil, usageError(fmt.Errorf("--as-of %q: give a day up to today as YYYY-MM-DD", asOf))
		}
		day = d
	}
	rows := make([]credit.CSVRow, len(subjects))
	var reqs []credit.Request
	var at []int
	var hasher *models.PIDHasher
	for i, sub := range subjects {
		rows[i] = credit.CSVRow{Line: sub.line, Subject: sub.label()}
		var ref models.Ref
		switch {
		case sub.key != "":
			key := strings.TrimSpace(sub.key)
			if !strings.HasPrefix(key, "src:") {
				code, err := models.ParseUSCC(key)
				if err != nil {
					rows[i].Error = "not a valid USCC or src: key"
					continue
				}
				key = string(code)
			}
			ref = models.EnterpriseRef(key)
		case sub.name != "" && sub.idNumber != "":
			n, p := models.CheckIDNumber(sub.idNumber, models.ChinaDate(now))
			if p != nil {
				rows[i].Error = "id_number " + p.Reason + "; " + p.Fix
				continue
			}
			if hasher == nil {
				if hasher, err = pidHasher(&a.cfg, a.log); err != nil {
					return nil, err
				}
			}
			ref = models.PersonRef(hasher.FromIDNumber(n))
		default:
			rows[i].Error = "give a key, or a person's name and id_number"
			continue
		}
		reqs = append(reqs, credit.Request{Subject: ref, Scenario: scenario, AsOf: day, Name: sub.name})
		at = append(at, i)
	}
	ck := &credit.Checker{Reader: s, File: s, Catalogue: cat}
	var stored []store.CreditCheck
	for k, o := range ck.CheckAll(ctx, reqs, runtime.GOMAXPROCS(0)) {
		i := at[k]
		switch {
		case errors.Is(o.Err, store.ErrNotFound):
			rows[i].Error = "no such enterprise in the graph"
			continue
		case errors.Is(o.Err, store.ErrInvalid):
			rows[i].Error = o.Err.Error()
			continue
		case o.Err != nil:
			return nil, o.Err
		}
		ans, row, err := credit.Seal(o.Result, server.LocalKeyID, now)
		if err != nil {
			return nil, err
		}
		rows[i].Answer = &ans
		stored = append(stored, row)
	}
	if err := s.SaveChecks(ctx, stored); err != nil {
		return nil, fmt.Errorf("storing the checks: %w", err)
	}
	a.log.Info().Int("checked", len(stored)).Int("not_checked", len(subjects)-len(stored)).Str("scenario", scenario).Msg("credit checks stored")
	return rows, nil
}

// checkOn sends the checks to the server holding the data dir.
func checkOn(ctx context.Context, ls *localServer, subjects []checkSubject, scenario, asOf string) ([]credit.CSVRow, error) {
	type subjectJSON struct {
		Key      string `json:"key,omitempty"`
		Name     string `json:"name,omitempty"`
		IDNumber string `json:"id_number,omitempty"`
	}
	req := struct {
		Scenario string        `json:"scenario"`
		AsOf     string        `json:"as_of,omitempty"`
		Subjects []subjectJSON `json:"subjects"`
	}{Scenario: scenario, AsOf: asOf}
	for _, s := range subjects {
		req.Subjects = append(req.Subjects, subjectJSON{Key: s.key, Name: s.name, IDNumber: s.idNumber})
	}
	var ans struct {
		Checks []credit.Answer `json:"checks"`
		Errors []struct {
			Index  int    `json:"index"`
			Reason string `json:"reason"`
		} `json:"errors"`
	}
	if err := ls.call(ctx, http.MethodPost, "/api/v1/credit-checks:batch", req, &ans); err != nil {
		var se *serverError
		if errors.As(err, &se) && se.Status == http.StatusBadRequest {
			return nil, usageError(errors.New(se.Message))
		}
		return nil, err
	}
	rows := make([]credit.CSVRow, len(subjects))
	for i, s := range subjects {
		rows[i] = credit.CSVRow{Line: s.line, Subject: s.label()}
	}
	for _, e := range ans.Errors {
		if e.Index >= 0 && e.Index < len(rows) {
			rows[e.Index].Error = e.Reason
		}
	}
	k := 0
	for i := range rows {
		if rows[i].Error == "" && k < len(ans.Checks) {
			rows[i].Answer = &ans.Checks[k]
			k++
		}
	}
	return rows, nil
}

// writeChecks renders the rows as CSV (one row per subject), JSON (the
// answers as stored, and the subjects not checked) or HTML (certificates).
func writeChecks(w io.Writer, format string, rows []credit.CSVRow) error {
	switch format {
	case "csv":
		return credit.WriteCSV(w, rows)
	case "html":
		var answers []credit.Answer
		for _, r := range rows {
			if r.Answer != nil {
				answers = append(answers, *r.Answer)
			}
		}
		return credit.WriteHTML(w, answers)
	}
	type notChecked struct {
		Line    int    `json:"line"`
		Subject string `json:"subject"`
		Reason  string `json:"reason"`
	}
	doc := struct {
		Checks     []credit.Answer `json:"checks"`
		NotChecked []notChecked    `json:"not_checked"`
	}{Checks: []credit.Answer{}, NotChecked: []notChecked{}}
	for _, r := range rows {
		if r.Answer != nil {
			doc.Checks = append(doc.Checks, *r.Answer)
		} else {
			doc.NotChecked = append(doc.NotChecked, notChecked{r.Line, r.Subject, r.Error})
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}
