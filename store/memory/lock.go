package memory

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// A data directory has one writing process at a time. Open takes an
// exclusive, non-blocking advisory lock (flock(2)) on <data-dir>/LOCK
// before it touches the journal and holds it until Close; the operating
// system releases it when the process ends, however it ends, so a crash
// never leaves the directory locked. The holder writes its pid and command
// into the file so that a second opener can say who it is. The content is
// informative only: the lock is the flock, never the file's existence.
// Read-only opens (Options.ReadOnly) take no lock.

// LockFile is the lock's name inside the data directory.
const LockFile = "LOCK"

// ErrLocked: another process holds the data directory.
var ErrLocked = errors.New("data directory in use by another process")

// ErrReadOnly: a write to a store opened with Options.ReadOnly.
var ErrReadOnly = errors.New("the store is open read-only")

// LockedError is Open's error when another process holds the data
// directory. PID and Command are what the holder wrote into the lock file
// (zero and empty when it had not written them yet).
type LockedError struct {
	Dir     string
	PID     int
	Command string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("data dir %s is in use by %s; one process writes a data dir at a time: stop it or wait for it to end, or use another --data-dir",
		e.Dir, e.Holder())
}

// Holder names the process that holds the directory, e.g.
// `riskgraph serve (pid 4711)`.
func (e *LockedError) Holder() string {
	who := "another riskgraph process"
	if e.Command != "" {
		who = "riskgraph " + e.Command
	}
	if e.PID > 0 {
		who += fmt.Sprintf(" (pid %d)", e.PID)
	}
	return who
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// lockOwner is what the holder writes into the lock file.
type lockOwner struct {
	PID     int       `json:"pid"`
	Command string    `json:"command,omitempty"`
	Since   time.Time `json:"since"`
}

// dirLock is a held data-directory lock.
type dirLock struct {
	fl   *flock.Flock
	path string
}

// lockDir takes the exclusive lock of dir for a process running command.
func lockDir(dir, command string) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("data dir %s: lock %s: %w", dir, path, err)
	}
	if !ok {
		le := &LockedError{Dir: dir}
		if raw, err := os.ReadFile(path); err == nil {
			var o lockOwner
			if json.Unmarshal(raw, &o) == nil {
				le.PID, le.Command = o.PID, o.Command
			}
		}
		return nil, le
	}
	l := &dirLock{fl: fl, path: path}
	owner, _ := json.Marshal(lockOwner{PID: os.Getpid(), Command: strings.TrimSpace(command), Since: time.Now().UTC()})
	// A second descriptor: flock(2) locks belong to the first one's open
	// file description, which this write neither needs nor releases.
	if err := os.WriteFile(path, append(owner, '\n'), 0o600); err != nil {
		l.unlock()
		return nil, fmt.Errorf("data dir %s: write %s: %w", dir, path, err)
	}
	return l, nil
}

// unlock empties the owner record and releases the lock.
func (l *dirLock) unlock() error {
	if l == nil {
		return nil
	}
	_ = os.Truncate(l.path, 0) // still held: nobody else writes it now
	return l.fl.Unlock()
}
