package neo4j

import (
	"context"
	"fmt"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/store"
)

var (
	_ store.KeyStore = (*Store)(nil)
	_ store.AuditLog = (*Store)(nil)
)

// Statements for API keys (:ApiKey) and the audit trail (:AuditEntry).
const (
	qAPIKeyCreate = "apikey_create"
	qAPIKeyByHash = "apikey_by_hash"
	qAPIKeysList  = "apikeys_list"
	qAPIKeyRevoke = "apikey_revoke"
	qAuditAppend  = "audit_append"
	qAuditQuery   = "audit_query"
)

// SaveKey inserts a new API key; an existing id or hash is ErrInvalid.
func (s *Store) SaveKey(ctx context.Context, k store.APIKey) error {
	if k.ID == "" || k.Hash == "" || k.Role == "" {
		return fmt.Errorf("%w: an API key needs an id, a hash and a role", store.ErrInvalid)
	}
	params := map[string]any{"id": k.ID, "name": k.Name, "role": k.Role, "hash": k.Hash, "created": k.Created.UTC()}
	_, err := s.writeOne(ctx, "save API key", qAPIKeyCreate, params)
	return err
}

// KeyByHash returns the key with the given hash.
func (s *Store) KeyByHash(ctx context.Context, hash string) (store.APIKey, error) {
	keys, err := s.keys(ctx, qAPIKeyByHash, map[string]any{"hash": hash})
	if err != nil {
		return store.APIKey{}, err
	}
	if len(keys) == 0 {
		return store.APIKey{}, fmt.Errorf("API key: %w", store.ErrNotFound)
	}
	return keys[0], nil
}

// Keys lists every key, oldest first.
func (s *Store) Keys(ctx context.Context) ([]store.APIKey, error) {
	return s.keys(ctx, qAPIKeysList, nil)
}

func (s *Store) keys(ctx context.Context, name string, params map[string]any) ([]store.APIKey, error) {
	out := []store.APIKey{}
	err := s.collect(ctx, "read API keys", name, params,
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			out = append(out, store.APIKey{ID: str(p, "id"), Name: str(p, "name"), Role: str(p, "role"),
				Hash: str(p, "hash"), Created: timeOf(p["created"]), Revoked: timeOf(p["revoked"])})
			return nil
		})
	return out, err
}

// RevokeKey marks a key revoked; the first revocation time stays.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) error {
	found, err := s.writeOne(ctx, "revoke API key", qAPIKeyRevoke, map[string]any{"id": id, "at": at.UTC()})
	if err == nil && !found {
		return fmt.Errorf("API key %q: %w", id, store.ErrNotFound)
	}
	return err
}

// AppendAudit stores audit entries in one transaction.
func (s *Store) AppendAudit(ctx context.Context, entries []store.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]any, len(entries))
	for i, e := range entries {
		if e.ID == "" {
			return fmt.Errorf("%w: audit entry without an id", store.ErrInvalid)
		}
		rows[i] = map[string]any{"id": e.ID, "time": e.Time.UTC(), "key_id": e.KeyID, "role": e.Role,
			"method": e.Method, "route": e.Route, "entity": optString(e.Entity), "status": int64(e.Status)}
	}
	_, err := s.writeOne(ctx, "append audit", qAuditAppend, map[string]any{"rows": rows})
	return err
}

// Audit returns matching entries, newest first.
func (s *Store) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	out := []store.AuditEntry{}
	if q.Limit < 1 {
		return out, nil
	}
	params := map[string]any{"key_id": optString(q.KeyID), "entity": optString(q.Entity), "route": optString(q.Route),
		"since": optTime(q.Since), "until": optTime(q.Until), "before": optString(q.Before), "limit": int64(q.Limit)}
	err := s.collect(ctx, "read audit", qAuditQuery, params,
		func() { out = out[:0] },
		func(rec *driver.Record) error {
			p, _ := rec.Values[0].(map[string]any)
			st, _ := p["status"].(int64)
			out = append(out, store.AuditEntry{ID: str(p, "id"), Time: timeOf(p["time"]), KeyID: str(p, "key_id"),
				Role: str(p, "role"), Method: str(p, "method"), Route: str(p, "route"), Entity: str(p, "entity"), Status: int(st)})
			return nil
		})
	return out, err
}
