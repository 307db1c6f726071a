package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/engine"
	"riskgraph/models"
	"riskgraph/store"
)

// Job scores the graph and publishes its reports: the unit of work the
// scheduler and `riskgraph report --once` run.
type Job struct {
	Store   store.Store
	Log     zerolog.Logger
	Now     func() time.Time
	Engine  engine.Options // Today is replaced by the date of Now in Zone when zero
	Zone    *time.Location
	Scopes  []Scope // reports to publish; none means one unscoped report
	Webhook *Webhook
	// Against is the run to compare with; empty means the latest completed
	// run before this one that has a snapshot.
	Against string
	// Publish receives the result after promotion (e.g. the API's latest
	// result); optional.
	Publish func(*engine.Result)
	// KeepSnapshots is how many of the newest completed runs keep their
	// report snapshots (DefaultKeepSnapshots when 0; all when negative).
	// Older snapshots are deleted after each job; a report can compare only
	// with a run that still has one. Against's snapshot is always kept.
	KeepSnapshots int
}

// DefaultKeepSnapshots is the default of Job.KeepSnapshots: a month of
// daily runs (a snapshot takes about 55 MiB at 1 M enterprises).
const DefaultKeepSnapshots = 31

// Fence is checked before every write a job makes after scoring; it fails
// when the job's lock was lost, so that a job that lost its lease does not
// publish over the one that took over.
type Fence func(ctx context.Context) error

// Outcome is what a job did.
type Outcome struct {
	Run     store.Run
	Reports []store.Report
}

// ReportID is the deterministic id of a report: the same run, earlier run
// and scope give the same id, so a retried job replaces its report.
func ReportID(run, against string, scope Scope) string {
	h := sha256.Sum256([]byte(against + "\x00" + scope.String()))
	return "rpt-" + run + "-" + hex.EncodeToString(h[:4])
}

// Run scores the graph under runID and publishes the reports.
func (j *Job) Run(ctx context.Context, runID string, fence Fence) (Outcome, error) {
	now := j.Now
	if now == nil {
		now = time.Now
	}
	if fence == nil {
		fence = func(context.Context) error { return nil }
	}
	opts := j.Engine
	if opts.Today.IsZero() {
		zone := j.Zone
		if zone == nil {
			zone = time.UTC
		}
		t := now().In(zone)
		opts.Today = models.NewDate(t.Year(), t.Month(), t.Day())
	}
	// The run currently promoted needs a snapshot for the report to compare
	// with (it may have been scored by `riskgraph score`).
	if err := j.ensurePrevious(ctx, opts.Today); err != nil {
		return Outcome{}, err
	}
	// The run to compare with: also the source of the top contributions
	// of the entities a run that writes only what changed leaves alone.
	prevRun, prev, err := j.previous(ctx, runID)
	if err != nil {
		return Outcome{}, err
	}
	c := NewCapture(j.Store, runID)
	res, run, err := engine.Score(ctx, c, opts, runID, now)
	if err != nil {
		return Outcome{Run: run}, err
	}
	if j.Publish != nil {
		j.Publish(res)
	}
	snap := c.Snapshot(res, prev)
	out := Outcome{Run: run}
	if err := fence(ctx); err != nil {
		return out, err
	}
	enc, err := snap.Encode()
	if err != nil {
		return out, err
	}
	if err := j.Store.SaveSnapshot(ctx, runID, enc); err != nil {
		return out, fmt.Errorf("report: save snapshot: %w", err)
	}
	out.Reports, err = j.publish(ctx, snap, res, run, prevRun, prev, fence)
	if err == nil {
		err = j.pruneSnapshots(ctx, fence)
	}
	return out, err
}

// pruneSnapshots deletes the snapshots of runs older than the newest
// KeepSnapshots completed ones (Against's excepted).
func (j *Job) pruneSnapshots(ctx context.Context, fence Fence) error {
	keep := j.KeepSnapshots
	if keep == 0 {
		keep = DefaultKeepSnapshots
	}
	if keep < 0 {
		return nil
	}
	// Every job prunes, so only the runs just past the window can still
	// hold a snapshot; the margin covers a lowered setting (by up to 50).
	runs, err := j.Store.Runs(ctx, keep+50)
	if err != nil {
		return fmt.Errorf("report: list runs to prune snapshots: %w", err)
	}
	kept := 0
	for _, r := range runs {
		if r.Status == store.RunCompleted && kept < keep {
			kept++
			continue
		}
		if r.ID == j.Against || r.Status == store.RunRunning {
			continue
		}
		if err := fence(ctx); err != nil {
			return err
		}
		if err := j.Store.DeleteSnapshot(ctx, r.ID); err != nil {
			return fmt.Errorf("report: delete the snapshot of run %s: %w", r.ID, err)
		}
	}
	return nil
}

// ensurePrevious saves a snapshot of the currently promoted run when it has none.
func (j *Job) ensurePrevious(ctx context.Context, today models.Date) error {
	runs, err := j.Store.Runs(ctx, 20)
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.Status != store.RunCompleted {
			continue
		}
		if _, err := j.Store.Snapshot(ctx, r.ID); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		j.Log.Info().Str("run", r.ID).Msg("the promoted run has no report snapshot; taking one from the store")
		s, err := FromStore(ctx, j.Store, r.ID, today)
		if err != nil {
			return err
		}
		enc, err := s.Encode()
		if err != nil {
			return err
		}
		return j.Store.SaveSnapshot(ctx, r.ID, enc)
	}
	return nil
}

// previous returns the run to compare runID with, and its snapshot (nil
// when there is no earlier run with one).
func (j *Job) previous(ctx context.Context, runID string) (store.Run, *Snapshot, error) {
	if j.Against != "" {
		r, err := j.Store.Run(ctx, j.Against)
		if err != nil {
			return store.Run{}, nil, err
		}
		raw, err := j.Store.Snapshot(ctx, r.ID)
		if errors.Is(err, store.ErrNotFound) {
			return store.Run{}, nil, fmt.Errorf("%w: run %s has no report snapshot; reports can compare only with runs scored by the report job (or promoted when one ran)", store.ErrInvalid, r.ID)
		}
		if err != nil {
			return store.Run{}, nil, err
		}
		s, err := DecodeSnapshot(raw)
		return r, s, err
	}
	runs, err := j.Store.Runs(ctx, 100)
	if err != nil {
		return store.Run{}, nil, err
	}
	for _, r := range runs {
		if r.ID == runID || r.Status != store.RunCompleted {
			continue
		}
		raw, err := j.Store.Snapshot(ctx, r.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return store.Run{}, nil, err
		}
		s, err := DecodeSnapshot(raw)
		return r, s, err
	}
	return store.Run{}, nil, nil
}

// PublishRun builds, stores and delivers the reports of one scored run.
func (j *Job) PublishRun(ctx context.Context, snap *Snapshot, res *engine.Result, run store.Run, fence Fence) ([]store.Report, error) {
	prevRun, prev, err := j.previous(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	return j.publish(ctx, snap, res, run, prevRun, prev, fence)
}

// publish is PublishRun against the run prevRun, whose snapshot is prev.
func (j *Job) publish(ctx context.Context, snap *Snapshot, res *engine.Result, run, prevRun store.Run, prev *Snapshot, fence Fence) ([]store.Report, error) {
	now := j.Now
	if now == nil {
		now = time.Now
	}
	lists, err := j.Store.Watchlists(ctx)
	if err != nil {
		return nil, err
	}
	scopes := j.Scopes
	if len(scopes) == 0 {
		scopes = []Scope{{}}
	}
	var out []store.Report
	for _, sc := range scopes {
		in := Input{Current: snap, Previous: prev, CurrentRun: run, PreviousRun: prevRun, Names: StoreNames(j.Store),
			Scope: sc, Watchlists: lists}
		if res != nil {
			in.Graph, in.Today, in.Explain = res.Graph, res.Today, ExplainFrom(res)
			in.Hops, in.ControlThreshold = res.Params.Flags.BlacklistHops, 0.5
		}
		d, err := Build(ctx, in)
		if err != nil {
			return out, err
		}
		body, err := RenderJSON(d)
		if err != nil {
			return out, err
		}
		summary, _ := json.Marshal(d.Summary)
		r := store.Report{ID: ReportID(run.ID, prevRun.ID, d.Scope), Created: now().UTC(), Run: run.ID, Against: prevRun.ID,
			Scope: d.Scope.String(), Summary: summary, Body: body}
		if j.Webhook != nil {
			r.Delivery = Delivery{Target: target(j.Webhook.URL), Status: DeliveryPending, Attempts: []Attempt{}}.JSON()
		}
		if err := fence(ctx); err != nil {
			return out, err
		}
		if err := j.Store.SaveReport(ctx, r); err != nil {
			return out, fmt.Errorf("report: save: %w", err)
		}
		j.Log.Info().Str("report", r.ID).Str("run", run.ID).Str("against", prevRun.ID).Str("scope", r.Scope).
			Int("entered_cd", d.Summary.EnteredCD).Int("new_flags", d.Summary.NewFlags).Int("new_records", d.Summary.NewRecords).Msg("report published")
		if j.Webhook != nil {
			del := j.Webhook.Deliver(ctx, r.ID, body, func(d Delivery) {
				if err := j.Store.SetReportDelivery(context.WithoutCancel(ctx), r.ID, d.JSON()); err != nil {
					j.Log.Warn().Err(err).Str("report", r.ID).Msg("delivery status not saved")
				}
			})
			r.Delivery = del.JSON()
			if del.Status != DeliveryDelivered {
				j.Log.Warn().Str("report", r.ID).Str("target", del.Target).Int("attempts", len(del.Attempts)).Msg("report webhook delivery failed")
			}
		}
		r.Body = nil
		out = append(out, r)
	}
	return out, nil
}
