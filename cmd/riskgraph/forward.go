package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"riskgraph/ingest"
	"riskgraph/store"
	"riskgraph/store/memory"
)

// A data dir of the embedded store has one writing process (memory.Open
// takes its lock). serve and demo also listen on socketFile in the data
// dir (server.ListenLocal); a command that writes and finds the dir held
// by such a server hands its work to it over that socket. docs/storage.md
// describes the whole arrangement.

// socketFile is the running server's Unix socket inside the data dir.
const socketFile = "riskgraph.sock"

// localServer is a client of the server that holds the data dir.
type localServer struct {
	http   *http.Client
	holder string // "riskgraph serve (pid 4711)"
}

// serverFor returns a client of the server on the data dir's socket, when
// one answers there; otherwise nil. holder names it in messages.
func (a *app) serverFor(ctx context.Context, holder string) *localServer {
	path := filepath.Join(a.cfg.DataDir, socketFile)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConnsPerHost: 16,
	}
	ls := &localServer{http: &http.Client{Transport: tr}, holder: holder}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := ls.call(ctx, http.MethodGet, "/healthz", nil, nil); err != nil {
		a.log.Debug().Err(err).Str("socket", path).Msg("no server answers on the data dir's socket")
		return nil
	}
	a.log.Info().Str("holder", ls.holder).Str("socket", path).Msg("the data dir is held by a running server: sending the work to it")
	return ls
}

// serverError is an error answer of the server.
type serverError struct {
	Status  int
	Message string
}

func (e *serverError) Error() string {
	return fmt.Sprintf("the running server answered %d: %s", e.Status, e.Message)
}

// call sends a JSON request over the socket and decodes a 2xx answer into
// out (when not nil); other answers become a *serverError.
func (ls *localServer) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://riskgraph"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ls.http.Do(req)
	if err != nil {
		return fmt.Errorf("the running server (%s) does not answer on its socket: %w", ls.holder, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("the running server (%s): %w", ls.holder, err)
	}
	if resp.StatusCode/100 != 2 {
		var eb struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := http.StatusText(resp.StatusCode)
		if json.Unmarshal(raw, &eb) == nil && eb.Error.Message != "" {
			msg = eb.Error.Message
		}
		return &serverError{Status: resp.StatusCode, Message: msg}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("the running server's answer to %s %s: %w", method, path, err)
		}
	}
	return nil
}

// notForwarded is the error of a command that writes, cannot be handed to
// the process holding the data dir, and so does not run.
func notForwarded(what string, locked *memory.LockedError, instead string) error {
	return &exitError{code: 1, msg: fmt.Sprintf("%s: the data dir %s is held by %s; %s", what, locked.Dir, locked.Holder(), instead)}
}

// lockedError explains a command that found the dir held by a process
// that is not a server it can talk to.
func lockedError(what string, locked *memory.LockedError) error {
	return &exitError{code: 1, msg: fmt.Sprintf("%s: the data dir %s is held by %s, which does not answer on %s; wait for it to finish (or stop it), then run this again",
		what, locked.Dir, locked.Holder(), socketFile)}
}

// asLocked returns err's *memory.LockedError, if it is one.
func asLocked(err error) *memory.LockedError {
	var le *memory.LockedError
	if errors.As(err, &le) {
		return le
	}
	return nil
}

// batchForwarder is the store.Writer of a load sent to the running server:
// every batch is one POST /api/v1/batches, acknowledged once durable there.
type batchForwarder struct {
	ls  *localServer
	mu  sync.Mutex
	gen uint64
}

var _ ingest.Writer = (*batchForwarder)(nil)

func (f *batchForwarder) WriteBatch(ctx context.Context, b *store.Batch) error {
	var ans struct {
		Rows       int    `json:"rows"`
		Generation uint64 `json:"generation"`
	}
	if err := f.ls.call(ctx, http.MethodPost, "/api/v1/batches", b, &ans); err != nil {
		var se *serverError
		if errors.As(err, &se) && se.Status == http.StatusBadRequest {
			return fmt.Errorf("%w: %s", store.ErrInvalid, se.Message)
		}
		return err
	}
	f.mu.Lock()
	f.gen = max(f.gen, ans.Generation)
	f.mu.Unlock()
	return nil
}

// Generation is the server's data generation after the last batch (for the
// load's summary).
func (f *batchForwarder) Generation(context.Context) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.gen, nil
}
