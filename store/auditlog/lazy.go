package auditlog

import (
	"context"
	"fmt"
	"os"
	"sync"

	"riskgraph/store"
)

// Lazy opens a Log on first use, so that a process that never audits (a
// CLI command beside a running server) never takes the directory's lock.
// A failed open is retried on the next use. With an empty Dir it keeps the
// log in a temporary directory that Close removes.
type Lazy struct {
	opts   Options
	mu     sync.Mutex
	log    *Log
	temp   string
	closed bool
}

// NewLazy returns a Lazy for opts; nothing is opened yet.
func NewLazy(opts Options) *Lazy { return &Lazy{opts: opts} }

// Get returns the open log, opening it first if needed.
func (z *Lazy) Get() (*Log, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.closed {
		return nil, fmt.Errorf("%w: audit log closed", store.ErrUnavailable)
	}
	if z.log != nil {
		return z.log, nil
	}
	opts := z.opts
	if opts.Dir == "" {
		if z.temp == "" {
			dir, err := os.MkdirTemp("", "riskgraph-audit-")
			if err != nil {
				return nil, fmt.Errorf("%w: audit log: %v", store.ErrUnavailable, err)
			}
			z.temp = dir
		}
		opts.Dir = z.temp
	}
	l, err := Open(opts)
	if err != nil {
		return nil, err
	}
	z.log = l
	return l, nil
}

// AppendAudit opens the log if needed and appends.
func (z *Lazy) AppendAudit(ctx context.Context, entries []store.AuditEntry) error {
	l, err := z.Get()
	if err != nil {
		return err
	}
	return l.AppendAudit(ctx, entries)
}

// Audit opens the log if needed and reads it.
func (z *Lazy) Audit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	l, err := z.Get()
	if err != nil {
		return nil, err
	}
	return l.Audit(ctx, q)
}

// Close closes the log if it was opened.
func (z *Lazy) Close() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.closed {
		return nil
	}
	z.closed = true
	var err error
	if z.log != nil {
		err = z.log.Close()
	}
	if z.temp != "" {
		_ = os.RemoveAll(z.temp)
	}
	return err
}
