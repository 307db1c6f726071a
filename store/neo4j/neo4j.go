// Package neo4j is riskgraph's Neo4j backend (Neo4j 5.26 LTS, Bolt driver
// v5). It keeps the graph in the shape docs/storage.md names: Enterprise, Person
// and Record nodes joined by HOLDS_SHARES, LEGAL_REP_OF, OFFICER_OF,
// BRANCH_OF and HAS_RECORD. Every statement it runs is a file in cypher/.
//
// Writes go through managed transactions (the driver retries transient
// failures), one transaction per batch, rows sent as UNWIND lists, each
// batch stamped with a data generation allocated just before it (stamp.go). Reads
// return the same values as the memory backend: edges and nodes are built
// with the constructors in package store from reconstructed model values.
//
// Storage conventions: dates are Neo4j date values; empty strings, zero
// dates and zero amounts are absent properties, so an upsert that drops a
// value removes the property. A role's title is part of its identity and is
// stored as the empty string when there is none (MERGE cannot match on
// null). Placeholder nodes carry placeholder: true until a real row replaces
// them. The engine's results live in risk_score, risk_grade, risk_run and
// risk_flags, which registration upserts leave alone.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"github.com/rs/zerolog"

	"riskgraph/store"
	"riskgraph/store/auditlog"
)

var _ store.Store = (*Store)(nil)

// Defaults.
const (
	DefaultURI          = "bolt://127.0.0.1:7687"
	DefaultIndexTimeout = 5 * time.Minute
	// DefaultScanSessions is Options.ScanSessions when it is 0.
	DefaultScanSessions = 2
	// MaxScanSessions bounds Options.ScanSessions.
	MaxScanSessions = 64
)

// Options configure a Store.
type Options struct {
	// URI of the server: bolt:// for one server, neo4j:// for a cluster
	// (routing); +s or +ssc for TLS. Required.
	URI string
	// User and Password for basic authentication; an empty User means no
	// authentication. The password is never logged.
	User     string
	Password string
	// Database to use; empty means the server's default database.
	Database string
	// MaxConnectionPoolSize bounds the connections per server; 0 keeps the
	// driver's default (100).
	MaxConnectionPoolSize int
	// IndexTimeout bounds the wait for indexes to come online at Open;
	// 0 means DefaultIndexTimeout.
	IndexTimeout time.Duration
	// AuditDir holds the audit log: files on this machine, not the
	// database (see store/auditlog). One process writes a directory, so each
	// API replica needs its own. Empty means a temporary directory removed
	// by Close. It is opened on first use, so commands that never audit
	// never take its lock. AuditRetention is passed to it.
	AuditDir       string
	AuditRetention time.Duration
	// ScanSessions is how many sessions read each of a scan's streams
	// (enterprises, persons, records, relationships, relations) at once,
	// each over its own range of keys (scan.go); 0 means
	// DefaultScanSessions, 1 reads each stream serially.
	ScanSessions int
	Logger       zerolog.Logger
}

var schemes = []string{"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}

// Validate checks the options; the error says what to change and wraps
// store.ErrInvalid.
func (o *Options) Validate() error {
	if o.URI == "" {
		return fmt.Errorf("%w: neo4j: URI is empty; give one such as %s", store.ErrInvalid, DefaultURI)
	}
	u, err := url.Parse(o.URI)
	if err != nil {
		return fmt.Errorf("%w: neo4j: URI %q does not parse: %v", store.ErrInvalid, redact(o.URI), err)
	}
	known := false
	for _, s := range schemes {
		known = known || u.Scheme == s
	}
	if !known {
		return fmt.Errorf("%w: neo4j: URI scheme %q: use one of %s", store.ErrInvalid, u.Scheme, strings.Join(schemes, ", "))
	}
	if u.Host == "" {
		return fmt.Errorf("%w: neo4j: URI %q has no host", store.ErrInvalid, redact(o.URI))
	}
	if u.User != nil {
		return fmt.Errorf("%w: neo4j: put credentials in User and Password, not in the URI", store.ErrInvalid)
	}
	if o.User == "" && o.Password != "" {
		return fmt.Errorf("%w: neo4j: a password without a user; set the user too", store.ErrInvalid)
	}
	if o.MaxConnectionPoolSize < 0 {
		return fmt.Errorf("%w: neo4j: MaxConnectionPoolSize %d is negative", store.ErrInvalid, o.MaxConnectionPoolSize)
	}
	if o.ScanSessions < 0 || o.ScanSessions > MaxScanSessions {
		return fmt.Errorf("%w: neo4j: ScanSessions %d: give 1 to %d, or 0 for the default (%d)", store.ErrInvalid, o.ScanSessions, MaxScanSessions, DefaultScanSessions)
	}
	if o.IndexTimeout < 0 {
		return fmt.Errorf("%w: neo4j: IndexTimeout %v is negative", store.ErrInvalid, o.IndexTimeout)
	}
	return nil
}

// redact drops any user information from a URI before it is shown.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparseable URI)"
	}
	u.User = nil
	return u.String()
}

// Store is the Neo4j backend. It is safe for concurrent use.
type Store struct {
	driver    driver.DriverWithContext
	database  string
	bookmarks driver.BookmarkManager
	log       zerolog.Logger
	closed    atomic.Bool
	audit     *auditlog.Lazy
	// scanSessions is Options.ScanSessions with the default applied.
	scanSessions int
	// reaping is set while a background abandon of expired generation
	// stamps runs (stamp.go). Close waits for background work; bgMu
	// orders starting it against Close.
	reaping    atomic.Bool
	bgMu       sync.Mutex
	background sync.WaitGroup
	// retries counts write transactions the driver ran again after a
	// transient failure (a deadlock between batches in flight, mostly).
	retries atomic.Uint64
}

// WriteRetries returns how many times a write transaction of this store
// was run again by the driver after a transient error (deadlocks between
// concurrent batches are the usual cause), since the store was opened.
func (s *Store) WriteRetries() uint64 { return s.retries.Load() }

// Open connects to the server, checks that it answers and applies the
// schema (constraints and indexes, idempotently), waiting until every index
// is online. An unreachable server is an error wrapping store.ErrUnavailable.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.IndexTimeout == 0 {
		opts.IndexTimeout = DefaultIndexTimeout
	}
	if opts.ScanSessions == 0 {
		opts.ScanSessions = DefaultScanSessions
	}
	auth := driver.NoAuth()
	if opts.User != "" {
		auth = driver.BasicAuth(opts.User, opts.Password, "")
	}
	d, err := driver.NewDriverWithContext(opts.URI, auth, func(c *config.Config) {
		if opts.MaxConnectionPoolSize > 0 {
			c.MaxConnectionPoolSize = opts.MaxConnectionPoolSize
		}
		c.UserAgent = "riskgraph"
	})
	if err != nil {
		return nil, fmt.Errorf("%w: neo4j: %v", store.ErrInvalid, err)
	}
	s := &Store{
		driver:    d,
		database:  opts.Database,
		bookmarks: driver.NewBookmarkManager(driver.BookmarkManagerConfig{}),
		log:       opts.Logger,
		audit:     auditlog.NewLazy(auditlog.Options{Dir: opts.AuditDir, Retention: opts.AuditRetention, Logger: opts.Logger}),

		scanSessions: opts.ScanSessions,
	}
	start := time.Now()
	if err := d.VerifyConnectivity(ctx); err != nil {
		_ = d.Close(context.WithoutCancel(ctx))
		return nil, translate("connect to "+redact(opts.URI), err)
	}
	if err := s.applySchema(ctx, opts.IndexTimeout); err != nil {
		_ = d.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	user := opts.User
	if user == "" {
		user = "(no auth)"
	}
	s.log.Info().Str("uri", redact(opts.URI)).Str("database", opts.Database).Str("user", user).
		Dur("took", time.Since(start)).Msg("neo4j store open")
	return s, nil
}

// applySchema creates the constraints and indexes and waits for them.
func (s *Store) applySchema(ctx context.Context, timeout time.Duration) error {
	for _, name := range schema {
		if err := s.autocommit(ctx, name, nil); err != nil {
			return err
		}
	}
	secs := int64(timeout.Round(time.Second) / time.Second)
	if err := s.autocommit(ctx, qSchemaAwaitIndexes, map[string]any{"seconds": max(secs, 1)}); err != nil {
		return fmt.Errorf("waiting for indexes to come online: %w", err)
	}
	var analyzer string
	err := s.read(ctx, "check name index", func(tx driver.ManagedTransaction) error {
		res, err := tx.Run(ctx, stmt(qSchemaNamesAnalyzer), nil)
		if err != nil {
			return err
		}
		if res.Next(ctx) {
			analyzer, _ = res.Record().Values[0].(string)
		}
		return res.Err()
	})
	if err != nil {
		return err
	}
	if analyzer != namesAnalyzer {
		s.log.Warn().Str("index", namesIndex).Str("analyzer", analyzer).Str("want", namesAnalyzer).
			Msg("the name index exists with another analyzer; Chinese name search may miss; drop the index and restart to rebuild it")
	}
	return nil
}

// Ping runs a trivial statement on the database.
func (s *Store) Ping(ctx context.Context) error {
	return s.read(ctx, "ping", func(tx driver.ManagedTransaction) error {
		_, err := runIn(ctx, tx, qPing, nil)
		return err
	})
}

// Close closes the driver and its connections.
func (s *Store) Close() error {
	s.bgMu.Lock()
	already := s.closed.Swap(true)
	s.bgMu.Unlock()
	if already {
		return nil
	}
	s.background.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.audit.Close()
	if derr := s.driver.Close(ctx); derr != nil {
		err = derr
	}
	return err
}

func (s *Store) session(ctx context.Context, mode driver.AccessMode) driver.SessionWithContext {
	return s.driver.NewSession(ctx, driver.SessionConfig{
		AccessMode:      mode,
		DatabaseName:    s.database,
		BookmarkManager: s.bookmarks,
	})
}

// read runs work in a managed read transaction.
func (s *Store) read(ctx context.Context, op string, work func(driver.ManagedTransaction) error) error {
	return s.tx(ctx, op, driver.AccessModeRead, work)
}

// write runs work in a managed write transaction; the driver retries it on
// transient failures, so work must be repeatable.
func (s *Store) write(ctx context.Context, op string, work func(driver.ManagedTransaction) error) error {
	return s.tx(ctx, op, driver.AccessModeWrite, work)
}

// runIn runs the named statement inside tx and consumes its result;
// matched reports whether it returned a row (for statements that MATCH
// what they change).
func runIn(ctx context.Context, tx driver.ManagedTransaction, name string, params map[string]any) (matched bool, err error) {
	res, err := tx.Run(ctx, stmt(name), params)
	if err != nil {
		return false, err
	}
	matched = res.Next(ctx)
	_, err = res.Consume(ctx)
	return matched, err
}

// writeOne runs one statement in its own write transaction and reports
// whether it returned a row.
func (s *Store) writeOne(ctx context.Context, op, name string, params map[string]any) (matched bool, err error) {
	err = s.write(ctx, op, func(tx driver.ManagedTransaction) error {
		var err error
		matched, err = runIn(ctx, tx, name, params)
		return err
	})
	return matched, err
}

func (s *Store) tx(ctx context.Context, op string, mode driver.AccessMode, work func(driver.ManagedTransaction) error) error {
	if s.closed.Load() {
		return fmt.Errorf("neo4j %s: %w: store is closed", op, store.ErrUnavailable)
	}
	sess := s.session(ctx, mode)
	defer sess.Close(context.WithoutCancel(ctx))
	attempts := 0
	var last error // the previous attempt's error, when its work failed
	fn := func(tx driver.ManagedTransaction) (any, error) {
		if attempts++; attempts > 1 && mode == driver.AccessModeWrite {
			s.retries.Add(1)
			s.log.Debug().Str("op", op).Int("attempt", attempts).AnErr("after", last).Msg("neo4j write retried")
		}
		last = work(tx)
		return nil, last
	}
	var err error
	if mode == driver.AccessModeRead {
		_, err = sess.ExecuteRead(ctx, fn)
	} else {
		_, err = sess.ExecuteWrite(ctx, fn)
	}
	return translate(op, err)
}

// autocommit runs one statement in an implicit transaction, as schema
// commands and CALL … IN TRANSACTIONS require.
func (s *Store) autocommit(ctx context.Context, name string, params map[string]any) error {
	if s.closed.Load() {
		return fmt.Errorf("neo4j %s: %w: store is closed", name, store.ErrUnavailable)
	}
	sess := s.session(ctx, driver.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	res, err := sess.Run(ctx, stmt(name), params)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return translate(name, err)
}

// translate maps driver errors to the store's sentinels: an unreachable
// server or database to ErrUnavailable, a violated constraint to
// ErrInvalid. Context errors pass through unchanged.
func translate(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("neo4j %s: %w", op, err)
	case unavailable(err):
		return fmt.Errorf("neo4j %s: %w: %w", op, store.ErrUnavailable, err)
	}
	var ne *driver.Neo4jError
	if errors.As(err, &ne) && ne.Code == "Neo.ClientError.Schema.ConstraintValidationFailed" {
		return fmt.Errorf("neo4j %s: %w: %w", op, store.ErrInvalid, err)
	}
	return fmt.Errorf("neo4j %s: %w", op, err)
}

func unavailable(err error) bool {
	var ce *driver.ConnectivityError
	if errors.As(err, &ce) {
		return true
	}
	var limit *driver.TransactionExecutionLimit
	if errors.As(err, &limit) {
		for _, e := range limit.Errors {
			if unavailable(e) {
				return true
			}
		}
		return false
	}
	var ne *driver.Neo4jError
	if errors.As(err, &ne) {
		switch ne.Code {
		case "Neo.TransientError.General.DatabaseUnavailable",
			"Neo.ClientError.Database.DatabaseNotFound",
			"Neo.ClientError.Cluster.NotALeader",
			"Neo.ClientError.General.ForbiddenOnReadOnlyDatabase":
			return true
		}
	}
	return false
}
