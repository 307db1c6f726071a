package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/models"
	"riskgraph/store"
)

// chunkRows bounds the rows sent with one statement; a batch larger than
// that runs the statement several times inside the same transaction.
const chunkRows = 5000

// step is one statement of a write and its rows.
type step struct {
	name string
	rows []any
}

// WriteBatch validates b and writes all of it in one transaction: nodes
// first, then relationships, whose missing endpoints become placeholders.
// A refused batch writes nothing.
func (s *Store) WriteBatch(ctx context.Context, b *store.Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	steps := planBatch(b)
	if len(steps) == 0 {
		return nil
	}
	return s.writeStamped(ctx, "write batch", steps)
}

// writeStampedIn runs steps in tx, a transaction that also makes other
// writes (a review's decision), under a stamp allocated inside tx: the
// counter stays locked until tx ends, which suits small transactions; a
// batch of its own goes through writeStamped instead (stamp.go).
func writeStampedIn(ctx context.Context, tx driver.ManagedTransaction, steps []step) error {
	gen, err := nextStamp(ctx, tx, "done")
	if err != nil {
		return err
	}
	return runSteps(ctx, tx, steps, map[string]any{"gen": gen})
}

// WriteResults stages engine results on the enterprises and persons that
// exist; results for other entities are ignored. PromoteRun makes them
// current.
func (s *Store) WriteResults(ctx context.Context, results []models.RiskResult) error {
	var ent, per []any
	for _, r := range results {
		if r.Run == "" {
			return fmt.Errorf("%w: result for %s has no run id", store.ErrInvalid, r.Ref)
		}
		row := map[string]any{"key": r.Ref.Key, "score": r.Score, "grade": r.Grade, "run": r.Run, "flags": nil, "details": nil}
		if len(r.Flags) > 0 {
			row["flags"] = r.Flags
		}
		if len(r.Details) > 0 {
			row["details"] = string(r.Details)
		}
		switch r.Ref.Kind {
		case models.KindEnterprise:
			ent = append(ent, row)
		case models.KindPerson:
			per = append(per, row)
		}
	}
	steps := nonEmpty([]step{{qResultsEnterprise, ent}, {qResultsPerson, per}})
	if len(steps) == 0 {
		return nil
	}
	return s.write(ctx, "write results", func(tx driver.ManagedTransaction) error {
		return runSteps(ctx, tx, steps, nil)
	})
}

// PromoteRun makes runID's staged results current, in transactions of
// 10 000 nodes; if it fails midway, calling it again finishes the job.
// Results staged by other runs are then discarded.
func (s *Store) PromoteRun(ctx context.Context, runID string) error {
	if runID == "" {
		return fmt.Errorf("%w: empty run id", store.ErrInvalid)
	}
	for _, name := range []string{qPromoteEnterprise, qPromotePerson} {
		if err := s.autocommit(ctx, name, map[string]any{"run": runID}); err != nil {
			return err
		}
	}
	for _, name := range []string{qDiscardStagedEnterprise, qDiscardStagedPerson} {
		if err := s.autocommit(ctx, name, nil); err != nil {
			return err
		}
	}
	return nil
}

// runSteps runs each step's statement over its rows, in chunks, with the
// parameters in params beside $rows.
func runSteps(ctx context.Context, tx driver.ManagedTransaction, steps []step, params map[string]any) error {
	for _, st := range steps {
		q := stmt(st.name)
		for lo := 0; lo < len(st.rows); lo += chunkRows {
			hi := min(lo+chunkRows, len(st.rows))
			p := map[string]any{"rows": st.rows[lo:hi]}
			for k, v := range params {
				p[k] = v
			}
			res, err := tx.Run(ctx, q, p)
			if err != nil {
				return err
			}
			if _, err := res.Consume(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// planBatch turns a validated batch into statements with their rows, in the
// order the memory backend applies a batch: enterprises, persons,
// shareholdings, roles, branches, records.
func planBatch(b *store.Batch) []step {
	var entReal, entHold, perReal, perHold []any
	for i := range b.Enterprises {
		e := &b.Enterprises[i]
		row := enterpriseRow(e)
		if e.Placeholder {
			entHold = append(entHold, row)
		} else {
			entReal = append(entReal, row)
		}
	}
	for i := range b.Persons {
		p := &b.Persons[i]
		row := personRow(p)
		if p.Placeholder {
			perHold = append(perHold, row)
		} else {
			perReal = append(perReal, row)
		}
	}

	var sharesE, sharesP []any
	for _, sh := range b.Shareholdings {
		row := map[string]any{"holder": sh.Holder.Key, "enterprise": sh.Enterprise,
			"ratio": sh.Ratio, "amount": optNumber(sh.Amount), "since": optDate(sh.Since), "match_score": optNumber(sh.MatchScore),
			"voting_ratio": optRatio(sh.VotingRatio), "income_ratio": optRatio(sh.IncomeRatio)}
		if sh.Holder.Kind == models.KindPerson {
			sharesP = append(sharesP, row)
		} else {
			sharesE = append(sharesE, row)
		}
	}

	var legal, officers []any
	for _, r := range b.Roles {
		row := map[string]any{"person": r.Person, "enterprise": r.Enterprise, "title": r.Title,
			"title_text": optString(r.TitleText), "since": optDate(r.Since), "until": optDate(r.Until), "match_score": optNumber(r.MatchScore),
			"day_to_day": optTrue(r.DayToDay)}
		if r.Kind == models.RoleLegalRep {
			legal = append(legal, row)
		} else {
			officers = append(officers, row)
		}
	}

	var branches []any
	for _, br := range b.Branches {
		branches = append(branches, map[string]any{"branch": br.Branch, "parent": br.Parent, "match_score": optNumber(br.MatchScore)})
	}

	var controlsP, controlsE []any
	for _, c := range b.Controls {
		row := map[string]any{"controller": c.Controller.Key,
			"enterprise": c.Enterprise, "basis": string(c.Basis), "group": optString(c.Group), "note": optString(c.Note),
			"since": optDate(c.Since), "until": optDate(c.Until)}
		if c.Controller.Kind == models.KindPerson {
			controlsP = append(controlsP, row)
		} else {
			controlsE = append(controlsE, row)
		}
	}

	var relations []any
	for _, r := range b.Relations {
		c := r.Canonical()
		relations = append(relations, map[string]any{"a": c.A, "b": c.B, "kind": string(c.Kind), "since": optDate(c.Since)})
	}

	// A record row replaces the whole record, so only the last row per id
	// counts; the subjects of earlier rows still become placeholders, as
	// they would if the rows came in separate batches.
	last := make(map[string]int, len(b.Records))
	for i, r := range b.Records {
		last[r.ID] = i
	}
	var recE, recP []any
	for i := range b.Records {
		r := &b.Records[i]
		if last[r.ID] != i {
			if r.Subject.Kind == models.KindPerson {
				perHold = append(perHold, map[string]any{"pid": r.Subject.Key})
			} else {
				entHold = append(entHold, map[string]any{"key": r.Subject.Key})
			}
			continue
		}
		row := recordRow(r)
		if r.Subject.Kind == models.KindPerson {
			recP = append(recP, row)
		} else {
			recE = append(recE, row)
		}
	}

	steps := append(nonEmpty([]step{
		{qEnterpriseUpsert, entReal},
		{qEnterprisePlaceholder, entHold},
		{qPersonUpsert, perReal},
		{qPersonPlaceholder, perHold},
		{qShareholdingByEnterprise, sharesE},
		{qShareholdingByPerson, sharesP},
		{qRoleLegalRep, legal},
		{qRoleOfficer, officers},
		{qBranch, branches},
		{qRelation, relations},
		{qControlByPerson, controlsP},
		{qControlByEnterprise, controlsE},
		{qRecordOfEnterprise, recE},
		{qRecordOfPerson, recP},
	}), licenceSteps(b.Licences)...)
	for _, st := range steps {
		sortByLocks(st)
	}
	return steps
}

// lockKeys names, for each statement of a batch, the row fields of the
// nodes it locks, in the order its rows are sent. MERGE of a relationship
// locks both of its ends (exclusively, until the transaction ends), so
// batches in flight that name the same node wait for each other, and two
// that take two shared nodes in opposite orders deadlock (the server ends
// one, the driver runs it again whole). A relationship file is usually
// grouped by its enterprise (an enterprise's officers, holders, records
// together), so a batch's enterprises are mostly its own, while the other
// end — a person serving or holding shares in several enterprises, a
// parent with many branches — is what batches share: rows are ordered by
// that end first, so every batch takes the shared locks in one order
// (docs/storage.md, "Concurrent online writes").
var lockKeys = map[string][]string{
	qEnterpriseUpsert:         {"key"},
	qEnterprisePlaceholder:    {"key"},
	qPersonUpsert:             {"pid"},
	qPersonPlaceholder:        {"pid"},
	qShareholdingByEnterprise: {"holder", "enterprise"},
	qShareholdingByPerson:     {"holder", "enterprise"},
	qRoleLegalRep:             {"person", "enterprise"},
	qRoleOfficer:              {"person", "enterprise"},
	qBranch:                   {"parent", "branch"},
	qRelation:                 {"a", "b"},
	qControlByPerson:          {"controller", "enterprise"},
	qControlByEnterprise:      {"controller", "enterprise"},
	qRecordOfEnterprise:       {"subject", "id"},
	qRecordOfPerson:           {"subject", "id"},
	qLicenceUpsert:            {"enterprise", "id"},
}

// sortByLocks orders a step's rows by the keys of the nodes they lock
// (lockKeys). The sort is stable and those keys are part of every
// statement's identity, so rows of one identity sort equal and keep their
// order (the last still wins; a placeholder's first row still creates it):
// the graph written is the same as in the batch's order.
func sortByLocks(st step) {
	keys := lockKeys[st.name]
	if len(keys) == 0 || len(st.rows) < 2 {
		return
	}
	slices.SortStableFunc(st.rows, func(a, b any) int {
		ra, _ := a.(map[string]any)
		rb, _ := b.(map[string]any)
		for _, k := range keys {
			ka, _ := ra[k].(string)
			kb, _ := rb[k].(string)
			if c := strings.Compare(ka, kb); c != 0 {
				return c
			}
		}
		return 0
	})
}

func nonEmpty(steps []step) []step {
	out := steps[:0]
	for _, st := range steps {
		if len(st.rows) > 0 {
			out = append(out, st)
		}
	}
	return out
}
