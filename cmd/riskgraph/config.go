package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// config is the global configuration: flags, with environment variables as
// their defaults.
type config struct {
	Store         string
	DataDir       string
	Neo4jURI      string
	Neo4jUser     string
	Neo4jPassword string
	Neo4jDatabase string
	// Neo4jScanSessions is how many sessions read each stream of a Neo4j
	// scan at once (0: the store's default).
	Neo4jScanSessions int
	RedisURL          string
	// EngineSnapshot is the engine's projection snapshot file ("" none).
	EngineSnapshot string
	// EngineMemoryLimit is the soft limit, in MiB, on the process's Go
	// memory while the engine runs (engine.Options.MemoryLimit; 0 none).
	EngineMemoryLimit int
	Addr              string
	PIDKey            string
	LogLevel          string
	LogFormat         string
	// command is the subcommand running ("serve", "keys create" …), written
	// into the data dir's lock so that others can name its holder.
	command string
	// AuditDir holds the audit log (default <DataDir>/audit);
	// AuditRetention is how long it keeps entries ("365d" or a Go duration).
	AuditDir       string
	AuditRetention string
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// envInt is envOr for an integer; a value that does not parse is left for
// the flag's validation to name (it becomes -1, which no setting admits).
func envInt(name string, def int) int {
	v := envOr(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// bind registers the global flags.
func (c *config) bind(fs *pflag.FlagSet) {
	fs.StringVar(&c.Store, "store", envOr("RISKGRAPH_STORE", ""), "graph store: memory or neo4j (default: neo4j when a Neo4j URI is set, else memory) [RISKGRAPH_STORE]")
	fs.StringVar(&c.DataDir, "data-dir", envOr("RISKGRAPH_DATA_DIR", "data"), "directory for the embedded store's journal and the generated pid key [RISKGRAPH_DATA_DIR]")
	fs.StringVar(&c.Neo4jURI, "neo4j-uri", envOr("NEO4J_URI", ""), "Neo4j URI: bolt://host:7687 (one server) or neo4j://host:7687 (cluster routing) [NEO4J_URI]")
	fs.StringVar(&c.Neo4jDatabase, "neo4j-database", envOr("NEO4J_DATABASE", ""), "Neo4j database name (default: the server's default) [NEO4J_DATABASE]")
	fs.IntVar(&c.Neo4jScanSessions, "neo4j-scan-sessions", envInt("RISKGRAPH_NEO4J_SCAN_SESSIONS", 0), "sessions that read each stream of the engine's Neo4j scan at once, over key ranges; 0 = default (2) [RISKGRAPH_NEO4J_SCAN_SESSIONS]")
	fs.StringVar(&c.EngineSnapshot, "engine-snapshot", envOr("RISKGRAPH_ENGINE_SNAPSHOT", ""), "file where scoring runs keep the engine's projection between runs, so that a run reads only what changed since the last one; empty = every run scans the store [RISKGRAPH_ENGINE_SNAPSHOT]")
	fs.IntVar(&c.EngineMemoryLimit, "engine-memory-limit", envInt("RISKGRAPH_ENGINE_MEMORY_LIMIT", 0), "soft limit in MiB on the process's Go memory while a scoring run projects and computes: the garbage collector runs as often as it must to stay under it, at some cost in CPU; 0 = none (the heap may reach twice what is live) [RISKGRAPH_ENGINE_MEMORY_LIMIT]")
	fs.StringVar(&c.RedisURL, "redis-url", envOr("REDIS_URL", ""), "Redis URL, redis://[user:password@]host:6379/0; a cluster: redis://node1:6379?addr=node2:6379&addr=node3:6379; empty = in-process cache [REDIS_URL]")
	fs.StringVar(&c.Addr, "addr", envOr("RISKGRAPH_ADDR", "127.0.0.1:8080"), "HTTP listen address [RISKGRAPH_ADDR]")
	fs.StringVar(&c.AuditDir, "audit-dir", envOr("RISKGRAPH_AUDIT_DIR", ""), "directory of the audit log, written by one process at a time (default <data-dir>/audit) [RISKGRAPH_AUDIT_DIR]")
	fs.StringVar(&c.AuditRetention, "audit-retention", envOr("RISKGRAPH_AUDIT_RETENTION", "365d"), "how long audit entries are kept, e.g. 365d or 4380h; at least 183d (the Cybersecurity Law's six months) [RISKGRAPH_AUDIT_RETENTION]")
	fs.StringVar(&c.LogLevel, "log-level", envOr("RISKGRAPH_LOG_LEVEL", "info"), "log level: debug, info, warn, error [RISKGRAPH_LOG_LEVEL]")
	fs.StringVar(&c.LogFormat, "log-format", envOr("RISKGRAPH_LOG_FORMAT", "auto"), "log format: json, console, or auto (console on a terminal) [RISKGRAPH_LOG_FORMAT]")
	// Secrets come from the environment only, never from flags (which show in ps).
	c.Neo4jUser = os.Getenv("NEO4J_USER")
	c.Neo4jPassword = os.Getenv("NEO4J_PASSWORD")
	c.PIDKey = os.Getenv("RISKGRAPH_PID_KEY")
}

// storeKind resolves the store choice.
func (c *config) storeKind() (string, error) {
	switch strings.ToLower(c.Store) {
	case "":
		if c.Neo4jURI != "" {
			return "neo4j", nil
		}
		return "memory", nil
	case "memory":
		return "memory", nil
	case "neo4j":
		if c.Neo4jURI == "" {
			return "", fmt.Errorf("--store neo4j needs --neo4j-uri or NEO4J_URI (e.g. bolt://127.0.0.1:7687)")
		}
		return "neo4j", nil
	}
	return "", fmt.Errorf("--store %q: use memory or neo4j", c.Store)
}

// auditDir is the audit log's directory.
func (c *config) auditDir() string {
	if c.AuditDir != "" {
		return c.AuditDir
	}
	return filepath.Join(c.DataDir, "audit")
}

// auditRetention parses --audit-retention: whole days ("365d") or a Go
// duration ("8760h"). The audit log refuses less than the legal minimum.
func (c *config) auditRetention() (time.Duration, error) {
	s := strings.TrimSpace(c.AuditRetention)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("--audit-retention %q: give whole days such as 365d, or a duration such as 8760h", c.AuditRetention)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--audit-retention %q: give whole days such as 365d, or a duration such as 8760h", c.AuditRetention)
	}
	return d, nil
}
