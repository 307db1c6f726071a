package neo4j

import (
	"context"
	"encoding/json"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/store"
)

var _ store.CreditFileStore = (*Store)(nil)

// Statements of the credit file: (:Commitment {id, subject, date, body}),
// (:Objection {id, record_id, status, filed, body}), (:Repair {id,
// record_id, body}). Each row's body is its JSON, read back whole; the
// other properties serve look-ups, order and the write conditions. Every
// write advances the data generation.
const (
	qSchemaCommitmentID      = "schema_commitment_id"
	qSchemaCommitmentSubject = "schema_commitment_subject"
	qSchemaObjectionID       = "schema_objection_id"
	qSchemaObjectionRecord   = "schema_objection_record"
	qSchemaRepairID          = "schema_repair_id"
	qSchemaRepairRecord      = "schema_repair_record"
	qCommitmentCreate        = "commitment_create"
	qCommitmentsList         = "commitments_list"
	qObjectionCreate         = "objection_create"
	qObjectionLock           = "objection_lock"
	qObjectionDecide         = "objection_decide"
	qRepairCreate            = "repair_create"
	qRecordFileObjections    = "record_file_objections"
	qRecordFileRepairs       = "record_file_repairs"
)

// SaveCommitment creates a commitment.
func (s *Store) SaveCommitment(ctx context.Context, c store.Commitment) error {
	if err := store.ValidateCommitment(c); err != nil {
		return err
	}
	c.Created = c.Created.UTC()
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.write(ctx, "save commitment", func(tx driver.ManagedTransaction) error {
		if _, err := runIn(ctx, tx, qCommitmentCreate, map[string]any{"id": c.ID, "subject": c.Subject,
			"date": c.Date.String(), "body": string(body)}); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}

// Commitments lists the commitments of subject ("" for all).
func (s *Store) Commitments(ctx context.Context, subject string) ([]store.Commitment, error) {
	out := []store.Commitment{}
	err := s.collect(ctx, "read commitments", qCommitmentsList, map[string]any{"subject": subject},
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			var c store.Commitment
			if err := bodyOf(rec, &c); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	return out, err
}

func bodyOf(rec *driver.Record, v any) error {
	b, _ := rec.Values[0].(string)
	if err := json.Unmarshal([]byte(b), v); err != nil {
		return fmt.Errorf("credit file row: %w", err)
	}
	return nil
}

// FileObjection creates an open objection unless its record has one.
func (s *Store) FileObjection(ctx context.Context, o store.Objection) error {
	if err := store.ValidateObjection(o); err != nil {
		return err
	}
	o.Filed = o.Filed.UTC()
	if o.Attachments == nil {
		o.Attachments = []string{}
	}
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return s.write(ctx, "file objection", func(tx driver.ManagedTransaction) error {
		created, err := runIn(ctx, tx, qObjectionCreate, map[string]any{"id": o.ID, "record_id": o.RecordID,
			"filed": o.Filed, "body": string(body)})
		if err != nil {
			return err
		}
		if !created {
			return fmt.Errorf("%w: record %s has an open objection; decide it first", store.ErrConflict, o.RecordID)
		}
		return bumpGeneration(ctx, tx)
	})
}

// DecideObjection records the decision of an open objection.
func (s *Store) DecideObjection(ctx context.Context, id string, d store.ObjectionDecision) (store.Objection, error) {
	var out store.Objection
	err := s.write(ctx, "decide objection", func(tx driver.ManagedTransaction) error {
		res, err := tx.Run(ctx, stmt(qObjectionLock), map[string]any{"id": id})
		if err != nil {
			return err
		}
		if !res.Next(ctx) {
			if err := res.Err(); err != nil {
				return err
			}
			return fmt.Errorf("objection %q: %w", id, store.ErrNotFound)
		}
		var cur store.Objection
		if err := bodyOf(res.Record(), &cur); err != nil {
			return err
		}
		if _, err := res.Consume(ctx); err != nil {
			return err
		}
		if out, err = cur.Decide(d); err != nil {
			return err
		}
		body, err := json.Marshal(out)
		if err != nil {
			return err
		}
		if _, err := runIn(ctx, tx, qObjectionDecide, map[string]any{"id": id, "status": out.Status, "body": string(body)}); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	return out, err
}

// SaveRepair records a repair unless its record was repaired.
func (s *Store) SaveRepair(ctx context.Context, r store.Repair) error {
	if err := store.ValidateRepair(r); err != nil {
		return err
	}
	r.Created = r.Created.UTC()
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.write(ctx, "save repair", func(tx driver.ManagedTransaction) error {
		created, err := runIn(ctx, tx, qRepairCreate, map[string]any{"id": r.ID, "record_id": r.RecordID, "body": string(body)})
		if err != nil {
			return err
		}
		if !created {
			return fmt.Errorf("%w: record %s was repaired already", store.ErrConflict, r.RecordID)
		}
		return bumpGeneration(ctx, tx)
	})
}

// RecordFiles returns the objections and repairs of the given records.
func (s *Store) RecordFiles(ctx context.Context, ids []string) ([]store.Objection, []store.Repair, error) {
	var p any
	if ids != nil {
		p = ids
	}
	os, rs := []store.Objection{}, []store.Repair{}
	err := s.collect(ctx, "read objections", qRecordFileObjections, map[string]any{"ids": p},
		func() { os = os[:0] },
		func(rec *driver.Record) error {
			var o store.Objection
			if err := bodyOf(rec, &o); err != nil {
				return err
			}
			os = append(os, o)
			return nil
		})
	if err != nil {
		return nil, nil, err
	}
	err = s.collect(ctx, "read repairs", qRecordFileRepairs, map[string]any{"ids": p},
		func() { rs = rs[:0] },
		func(rec *driver.Record) error {
			var r store.Repair
			if err := bodyOf(rec, &r); err != nil {
				return err
			}
			rs = append(rs, r)
			return nil
		})
	if err != nil {
		return nil, nil, err
	}
	store.SortObjections(os)
	store.SortRepairs(rs)
	return os, rs, nil
}
