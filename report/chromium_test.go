package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium returns the path of the Debian chromium binary (CHROMIUM_PATH,
// else chromium or chromium-browser on PATH). Without one the test skips,
// except under CI=true, where it fails: make test installs chromium
// (scripts/chromium-install.sh) before the Go tests.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "chromium is not installed (scripts/chromium-install.sh or apt-get install -y chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; under CI the HTML console check is required")
	}
	t.Skip(msg + "; the HTML console check is skipped")
	return ""
}

// TestHTMLInChromium opens a planted report's HTML page in headless
// Chromium with the network disabled and fails on any console message of
// level warning or error, or when the page does not render its charts.
// With RISKGRAPH_REPORT_SCREENSHOT=path it also writes a screenshot there
// (docs/report-example.png is made so).
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	f := newFixture(t, 3000)
	before := f.snap
	f.plant(t)
	f.score(t)
	d, err := Build(context.Background(), f.input(before))
	if err != nil {
		t.Fatal(err)
	}
	page, err := RenderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page, 0o600); err != nil {
		t.Fatal(err)
	}
	args := func(extra ...string) []string {
		return append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir(),
			"--proxy-server=127.0.0.1:9", "--enable-logging=stderr", "--v=0", "--window-size=1280,2000"}, append(extra, "file://"+file)...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args("--dump-dom")...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") || strings.Contains(line, "Refused to") {
			t.Errorf("console: %s", line)
		}
	}
	if n := strings.Count(string(dom), "<svg"); n != 3 || !strings.Contains(string(dom), "Early-warning report") {
		t.Errorf("rendered DOM has %d charts (want 3) or lacks the title", n)
	}
	if shot := os.Getenv("RISKGRAPH_REPORT_SCREENSHOT"); shot != "" {
		abs, _ := filepath.Abs(shot)
		out, err := exec.CommandContext(ctx, bin, args("--screenshot="+abs, "--hide-scrollbars")...).CombinedOutput()
		if err != nil {
			t.Fatalf("screenshot: %v %s", err, out)
		}
		t.Logf("screenshot written to %s", abs)
	}
}
