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

// Statements for API keys (:ApiKey). The audit trail is not in the
// database: it is an audit log in files (store/auditlog), so that audit
// writes cost the database nothing. :AuditEntry nodes written by earlier
// versions are left as they are (docs/security.md says how to export them).
const (
	qAPIKeyCreate = "apikey_create"
	qAPIKeyByHash = "apikey_by_hash"
	qAPIKeysList  = "apikeys_list"
	qAPIKeyRevoke = "apikey_revoke"
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

// AppendAudit writes entries to the audit log (files in Options.AuditDir,
// not the database) and returns once they are durable.
func (s *Store) AppendAudit(ctx context.Context, entries []store.AuditEntry) error {
	return s.audit.AppendAudit(ctx, entries)
}

// Audit returns matching entries from the audit log, newest first.
func (s *Store) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	return s.audit.Audit(ctx, q)
}
