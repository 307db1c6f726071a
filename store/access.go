package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// APIKey is a stored API key. The secret itself is never stored: Hash is
// the hex SHA-256 of the whole key as the client sends it.
type APIKey struct {
	// ID is the public part of the key, shown in listings and the audit log.
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Hash    string    `json:"hash"`
	Created time.Time `json:"created"`
	// Revoked is zero while the key is valid.
	Revoked time.Time `json:"revoked"`
}

// KeyStore keeps API keys; part of Store.
type KeyStore interface {
	// SaveKey inserts a new key; an existing id or hash is ErrInvalid.
	SaveKey(ctx context.Context, k APIKey) error
	// KeyByHash returns the key with the given hash (revoked or not), or ErrNotFound.
	KeyByHash(ctx context.Context, hash string) (APIKey, error)
	// Keys lists every key, oldest first, then by id.
	Keys(ctx context.Context) ([]APIKey, error)
	// RevokeKey marks the key revoked at the given time; revoking twice keeps
	// the first time. An unknown id is ErrNotFound.
	RevokeKey(ctx context.Context, id string, at time.Time) error
}

// AuditEntry records one request: who (key id and role), when, through
// which endpoint (method and route pattern), about which entities, what it
// searched for, and the answer's status. It never holds an identity
// number, an API key or a password: persons are named by pid, and a value
// that failed validation is recorded as "invalid", never as given.
type AuditEntry struct {
	// ID orders entries: unique and increasing with Time (see NewAuditID);
	// letters, digits and '-' only, at most 64 of them.
	ID     string    `json:"id"`
	Time   time.Time `json:"time"`
	KeyID  string    `json:"key_id"`
	Role   string    `json:"role"`
	Method string    `json:"method"`
	Route  string    `json:"route"`
	// Entities are "enterprise:<key>" or "person:<pid>", one per entity the
	// request named (a batch of 1 000 keys is one entry naming 1 000).
	Entities []string `json:"entities,omitempty"`
	// Query is the search text of a search (masked as the caller's role
	// sees names).
	Query  string `json:"query,omitempty"`
	Status int    `json:"status"`
}

// AuditQuery selects audit entries. Empty fields do not filter.
type AuditQuery struct {
	KeyID string
	// Entity matches entries that name it among their Entities.
	Entity string
	Route  string
	Since  time.Time // Time >= Since
	Until  time.Time // Time < Until
	// Before pages: only entries whose ID is less than Before.
	Before string
	Limit  int
}

// AuditLog keeps the audit trail; part of Store. Both backends keep it in
// append-only files (package store/auditlog), never in the graph.
type AuditLog interface {
	// AppendAudit stores entries durably: it returns only once they are on
	// stable storage. When the log cannot take them before ctx ends (its
	// queue is full or its disk fails) the error wraps ErrUnavailable.
	// Entries with an ID already stored are shown once by Audit, so
	// retrying a batch is safe.
	AppendAudit(ctx context.Context, entries []AuditEntry) error
	// Audit returns up to q.Limit entries matching q, newest (highest ID) first.
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}

// MatchAudit reports whether e satisfies q's filters (not Limit).
func MatchAudit(e AuditEntry, q AuditQuery) bool {
	return (q.KeyID == "" || e.KeyID == q.KeyID) &&
		(q.Entity == "" || slices.Contains(e.Entities, q.Entity)) &&
		(q.Route == "" || e.Route == q.Route) &&
		(q.Since.IsZero() || !e.Time.Before(q.Since)) &&
		(q.Until.IsZero() || e.Time.Before(q.Until)) &&
		(q.Before == "" || e.ID < q.Before)
}

// NewAuditID returns an audit entry id that sorts by t: 16 hex digits of
// t's Unix nanoseconds, then 8 random hex digits against collisions.
func NewAuditID(t time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%016x%s", uint64(t.UnixNano()), hex.EncodeToString(b[:]))
}
