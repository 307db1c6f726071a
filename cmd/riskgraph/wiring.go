package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/models"
	"riskgraph/store"
	"riskgraph/store/memory"
	neo4jstore "riskgraph/store/neo4j"
)

// newLogger builds the process logger on stderr.
func newLogger(c *config) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(strings.ToLower(c.LogLevel))
	if err != nil || level == zerolog.NoLevel {
		return zerolog.Logger{}, fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	var out = zerolog.New(os.Stderr)
	switch c.LogFormat {
	case "json":
	case "console":
		out = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.TimeOnly})
	case "auto", "":
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			out = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.TimeOnly})
		}
	default:
		return zerolog.Logger{}, fmt.Errorf("--log-format %q: use json, console or auto", c.LogFormat)
	}
	return out.Level(level).With().Timestamp().Logger(), nil
}

// openStore opens the configured backend.
func openStore(ctx context.Context, c *config, log zerolog.Logger) (store.Store, error) {
	kind, err := c.storeKind()
	if err != nil {
		return nil, err
	}
	retention, err := c.auditRetention()
	if err != nil {
		return nil, err
	}
	if kind == "memory" {
		if c.Neo4jURI == "" {
			log.Info().Str("data_dir", c.DataDir).Msg("no Neo4j configured: using the embedded memory store")
		}
		// A *memory.LockedError when another process holds the data dir
		// (forward.go decides what to do then).
		return memory.Open(memory.Options{DataDir: c.DataDir, AuditDir: c.auditDir(), AuditRetention: retention, Logger: log, Command: c.command})
	}
	opts := neo4jstore.Options{URI: c.Neo4jURI, User: c.Neo4jUser, Password: c.Neo4jPassword, Database: c.Neo4jDatabase,
		AuditDir: c.auditDir(), AuditRetention: retention, ScanSessions: c.Neo4jScanSessions, Logger: log}
	s, err := neo4jstore.Open(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("neo4j at %s: %w", c.Neo4jURI, err)
	}
	log.Info().Str("uri", c.Neo4jURI).Msg("using Neo4j")
	return s, nil
}

// openReadOnly opens the configured backend for a command that only
// reads: the embedded store without its lock and without writing anything
// (memory.Options.ReadOnly), so it runs beside the process that holds the
// data dir and sees the journal as it is when it opens.
func openReadOnly(ctx context.Context, c *config, log zerolog.Logger) (store.Store, error) {
	if kind, err := c.storeKind(); err != nil || kind != "memory" {
		return openStore(ctx, c, log)
	}
	return memory.Open(memory.Options{DataDir: c.DataDir, Logger: log, ReadOnly: true})
}

// openCache opens Redis when configured, the in-process cache otherwise.
// A Redis URL that does not parse is an error; a Redis that does not answer
// is not: the server starts, answers uncached (/readyz says degraded) and
// uses Redis once it answers (the API's cache guard pings it every second).
func openCache(ctx context.Context, c *config, log zerolog.Logger) (cache.Cache, error) {
	if c.RedisURL == "" {
		log.Info().Msg("no Redis configured: using the in-process cache")
		return cache.NewLocal(100_000, nil), nil
	}
	r, err := cache.NewRedis(c.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := r.Ping(ctx); err != nil {
		log.Warn().Err(err).Msg("Redis does not answer: serving without it (readyz says degraded) until it does")
		return r, nil
	}
	log.Info().Msg("using Redis cache")
	return r, nil
}

// pidKeyFile holds the generated HMAC key inside the data dir.
const pidKeyFile = "pid.key"

// pidHasher returns the hasher for identity numbers: the key from
// RISKGRAPH_PID_KEY, else the one stored in the data dir, generated there on
// first use. Losing the key makes pids of new loads differ from old ones.
func pidHasher(c *config, log zerolog.Logger) (*models.PIDHasher, error) {
	if c.PIDKey != "" {
		h, err := models.NewPIDHasher([]byte(c.PIDKey))
		if err != nil {
			return nil, fmt.Errorf("RISKGRAPH_PID_KEY: %w", err)
		}
		return h, nil
	}
	path := filepath.Join(c.DataDir, pidKeyFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		raw, err = createPIDKey(path)
		if err == nil {
			log.Info().Str("path", path).Msg("generated a new pid key; keep it with the data, pids depend on it")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pid key %s: %w", path, err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("pid key %s: not hex: %w", path, err)
	}
	return models.NewPIDHasher(key)
}

func createPIDKey(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	raw := []byte(hex.EncodeToString(key) + "\n")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(raw); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return raw, f.Close()
}
