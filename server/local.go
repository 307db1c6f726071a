package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/rs/zerolog"
)

// The local channel: a server on the embedded store also listens on a Unix
// socket inside its data directory, so that CLI commands that write (keys,
// ingest, score) hand their work to the process that holds the directory
// instead of writing beside it. Whoever can connect to the socket is the
// data dir's owner: the socket is created mode 0600 inside the 0700 data
// dir, and on Linux each connection's peer uid (SO_PEERCRED) must also be
// the server's own uid. Such requests run as the admin principal
// LocalKeyID through the same router — audited, rate-limited and checked
// like any other request; they need no API key because whoever can reach
// the socket can read the data dir (journal, pid key) anyway.

// LocalKeyID is the principal of requests made over the local socket.
const LocalKeyID = "local-cli"

type localRequest struct{}

// isLocal reports whether the request came over the local socket.
func isLocal(ctx context.Context) bool {
	v, _ := ctx.Value(localRequest{}).(bool)
	return v
}

// LocalHandler is the router for the local socket: every request is made as
// the admin principal LocalKeyID. Serve it only on ListenLocal's listener:
// it trusts whoever connects.
func (a *API) LocalHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.echo.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localRequest{}, true)))
	})
}

// ListenLocal listens on a Unix socket at path, mode 0600. A file already
// there is removed first: the caller holds the data dir's lock, so it is
// the leftover of a process that ended without cleaning up. On Linux a
// connection from another uid than this process's is closed unanswered.
func ListenLocal(path string, log zerolog.Logger) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("local socket %s: a file that is not a socket is in the way; remove it", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("local socket %s: remove the stale socket: %w", path, err)
		}
		log.Info().Str("socket", path).Msg("removed the socket left by an earlier server")
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("local socket %s: %w", path, err)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("local socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("local socket %s: %w", path, err)
	}
	return &ownerListener{UnixListener: l, uid: os.Getuid(), log: log}, nil
}

// ownerListener accepts connections from this process's uid only (where
// the system reports peer credentials).
type ownerListener struct {
	*net.UnixListener
	uid int
	log zerolog.Logger
}

func (l *ownerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			return nil, err
		}
		uid, ok := peerUID(c)
		if !ok || uid == l.uid {
			return c, nil
		}
		l.log.Warn().Int("peer_uid", uid).Msg("local socket: refused a connection from another user")
		c.Close()
	}
}
