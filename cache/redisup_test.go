package cache

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRedisUpScriptBoundsMemory starts a Redis with scripts/redis-up.sh on
// a free port and a services dir of its own (the shared one stays as it
// is) and checks that it runs with a memory bound and an eviction policy,
// and that the bound can be changed from the environment.
func TestRedisUpScriptBoundsMemory(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("redis-server is required under CI: %v", err)
		}
		t.Skip("no redis-server binary (make services-up installs it)")
	}
	for _, c := range []struct{ env, want string }{{"", "268435456"}, {"64mb", "67108864"}} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		env := append(os.Environ(), fmt.Sprintf("RISKGRAPH_REDIS_PORT=%d", port), "RISKGRAPH_SERVICES_DIR="+t.TempDir())
		if c.env != "" {
			env = append(env, "RISKGRAPH_REDIS_MAXMEMORY="+c.env)
		}
		script := func(name string) {
			cmd := exec.Command(filepath.Join("..", "scripts", name))
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", name, err, out)
			}
		}
		script("redis-up.sh")
		r, err := OpenRedis(context.Background(), fmt.Sprintf("redis://127.0.0.1:%d/0", port))
		if err != nil {
			script("redis-down.sh")
			t.Fatal(err)
		}
		conf, err := r.Client().ConfigGet(context.Background(), "maxmemory*").Result()
		r.Close()
		script("redis-down.sh")
		if err != nil {
			t.Fatal(err)
		}
		if conf["maxmemory"] != c.want || conf["maxmemory-policy"] != "allkeys-lru" {
			t.Errorf("RISKGRAPH_REDIS_MAXMEMORY=%q: maxmemory %q policy %q, want %s and allkeys-lru", c.env, conf["maxmemory"], conf["maxmemory-policy"], c.want)
		}
	}
}
