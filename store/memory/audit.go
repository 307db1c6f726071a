package memory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"riskgraph/store"
	"riskgraph/store/auditlog"
	"riskgraph/store/frame"
)

// The audit trail is not part of the graph: it lives in an audit log
// (package store/auditlog) in <data-dir>/audit, or Options.AuditDir, and
// the journal holds no audit entries. Journals written by earlier versions
// do; Open copies them into the audit log once (see migrateAudit) and
// Compact leaves them out.

// AuditDirName is the audit log's directory inside the data directory.
const AuditDirName = "audit"

// migratedFile, in the audit directory, records which journal audit
// entries were copied, so that reopening the same journal copies nothing.
const migratedFile = "journal-migrated.json"

// AppendAudit writes entries to the audit log and returns once they are durable.
func (s *Store) AppendAudit(ctx context.Context, entries []store.AuditEntry) error {
	if s.readOnly {
		return s.writeRefused()
	}
	return s.audit.AppendAudit(ctx, entries)
}

// Audit returns matching entries, newest first. A read-only store does not
// read the audit log (that would take its lock); ask the running server.
func (s *Store) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	if s.readOnly {
		return nil, s.writeRefused()
	}
	return s.audit.Audit(ctx, q)
}

// auditOptions are the audit log's options for a store.
func auditOptions(o Options) auditlog.Options {
	dir := o.AuditDir
	if dir == "" && o.DataDir != "" {
		dir = filepath.Join(o.DataDir, AuditDirName)
	}
	return auditlog.Options{Dir: dir, Retention: o.AuditRetention, Logger: o.Logger}
}

// legacyAudit is what replay saw of audit entries in the journal.
type legacyAudit struct {
	records int
	sum     hash.Hash
}

func (la *legacyAudit) note(raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	if la.sum == nil {
		la.sum = sha256.New()
	}
	la.records++
	la.sum.Write(raw)
}

type migrationMark struct {
	Records int    `json:"records"`
	SHA256  string `json:"sha256"`
	Entries int    `json:"entries"`
	At      string `json:"at"`
}

// legacyEntry is an audit entry as earlier versions journaled it: one
// entity per entry.
type legacyEntry struct {
	store.AuditEntry
	Entity string `json:"entity,omitempty"`
}

// migrateAudit copies the journal's audit entries into the audit log,
// unless the mark in the audit directory shows that this same set was
// copied before. A crash before the mark is written copies them again on
// the next open; the audit log shows an ID once, so that is harmless.
func (s *Store) migrateAudit(journalPath string, la *legacyAudit) error {
	if la.records == 0 {
		return nil
	}
	mark := migrationMark{Records: la.records, SHA256: hex.EncodeToString(la.sum.Sum(nil))}
	l, err := s.audit.Get()
	if err != nil {
		return fmt.Errorf("journal %s holds audit entries to move into the audit log: %w", journalPath, err)
	}
	markPath := filepath.Join(l.Dir(), migratedFile)
	var old migrationMark
	if raw, err := os.ReadFile(markPath); err == nil && json.Unmarshal(raw, &old) == nil &&
		old.Records == mark.Records && old.SHA256 == mark.SHA256 {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("audit migration mark: %w", err)
	}
	f, err := os.Open(journalPath)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var chunk []store.AuditEntry
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := l.AppendAudit(ctx, chunk)
		mark.Entries += len(chunk)
		chunk = chunk[:0]
		return err
	}
	_, err = frame.Scan(f, st.Size(), func(_ int64, p []byte) error {
		var e struct {
			Audit []legacyEntry `json:"audit"`
		}
		if err := json.Unmarshal(p, &e); err != nil || len(e.Audit) == 0 {
			return err
		}
		for _, x := range e.Audit {
			a := x.AuditEntry
			if x.Entity != "" && len(a.Entities) == 0 {
				a.Entities = []string{x.Entity}
			}
			chunk = append(chunk, a)
			if len(chunk) >= 10_000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("moving the journal's audit entries into the audit log: %w", err)
	}
	mark.At = time.Now().UTC().Format(time.RFC3339)
	raw, _ := json.Marshal(mark)
	if err := os.WriteFile(markPath+".tmp", raw, 0o600); err != nil {
		return err
	}
	if err := os.Rename(markPath+".tmp", markPath); err != nil {
		return err
	}
	s.log.Info().Str("journal", journalPath).Int("entries", mark.Entries).Str("audit_dir", l.Dir()).
		Msg("moved the journal's audit entries into the audit log; `riskgraph compact` drops them from the journal")
	return nil
}
