package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
)

func TestPIDKeyGeneratedOnceAndReused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := &config{DataDir: dir}
	h1, err := pidHasher(cfg, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, pidKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want 0600", err, fi.Mode())
	}
	h2, err := pidHasher(cfg, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	const id = "11010519491231002X"
	if h1.FromIDNumber(id) != h2.FromIDNumber(id) {
		t.Error("a second start must reuse the stored key")
	}
	other, err := pidHasher(&config{DataDir: t.TempDir()}, zerolog.Nop())
	if err != nil || other.FromIDNumber(id) == h1.FromIDNumber(id) {
		t.Errorf("a new data dir must get a new random key (%v)", err)
	}
	env, err := pidHasher(&config{DataDir: dir, PIDKey: "configured-key-of-32-bytes......"}, zerolog.Nop())
	if err != nil || env.FromIDNumber(id) == h1.FromIDNumber(id) {
		t.Errorf("RISKGRAPH_PID_KEY must take precedence over the stored key (%v)", err)
	}
	if _, err := pidHasher(&config{DataDir: dir, PIDKey: "short"}, zerolog.Nop()); err == nil {
		t.Error("a short RISKGRAPH_PID_KEY was accepted")
	}
	os.WriteFile(filepath.Join(dir, pidKeyFile), []byte("not hex\n"), 0o600)
	if _, err := pidHasher(cfg, zerolog.Nop()); err == nil {
		t.Error("a damaged key file was accepted")
	}
}
