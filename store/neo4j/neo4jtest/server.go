package neo4jtest

import (
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// scriptsDir is the repository's scripts/ directory, found from this
// source file.
func scriptsDir(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("neo4jtest: cannot locate the repository's scripts")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts")
}

// runScript runs one of the project's service scripts and fails the test
// with its output when it fails.
func runScript(t testing.TB, name string) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(scriptsDir(t), name))
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	t.Logf("%s: %s", name, out)
}

// boltAddr returns host:port of the test server.
func boltAddr(t testing.TB) string {
	u, err := url.Parse(Options(t).URI)
	if err != nil || u.Host == "" {
		t.Fatalf("neo4jtest: NEO4J_URI %q has no host", Options(t).URI)
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "7687")
	}
	return u.Host
}

func answers(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// StopServer stops the test server with scripts/neo4j-down.sh (a clean
// shutdown) and checks that Bolt no longer answers. A server the scripts
// did not start cannot be stopped: the test is skipped, or fails when
// CI=true. The server is started again when the test ends.
func StopServer(t testing.TB) {
	t.Helper()
	addr := boltAddr(t)
	t.Cleanup(func() {
		if !answers(addr) {
			StartServer(t)
		}
	})
	runScript(t, "neo4j-down.sh")
	if answers(addr) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Neo4j server at %s was not started by scripts/neo4j-up.sh and cannot be restarted by the test", addr)
		}
		t.Skipf("the Neo4j server at %s was not started by this repository's scripts/neo4j-up.sh; cannot restart it", addr)
	}
}

// StartServer starts the test server with scripts/neo4j-up.sh, which
// returns once the server answers.
func StartServer(t testing.TB) {
	t.Helper()
	runScript(t, "neo4j-up.sh")
}
