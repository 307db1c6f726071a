// Command riskgraph is the one binary: demo, serve, ingest, score, report,
// generate and version.
package main

import (
	"errors"
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	err := newRootCommand().Execute()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, "riskgraph:", ee.msg)
		}
		os.Exit(ee.code)
	}
	fmt.Fprintln(os.Stderr, "riskgraph:", err)
	os.Exit(1)
}

// exitError ends the process with a chosen status.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
