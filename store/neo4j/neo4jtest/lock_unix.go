//go:build unix

package neo4jtest

import (
	"os"
	"syscall"
)

// held keeps the lock file open: closing it, or letting the garbage
// collector finalize it, would release the lock.
var held []*os.File

// lockFile takes an exclusive advisory lock on path, blocking until it is
// free. The lock lasts until the process exits.
func lockFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return err
	}
	held = append(held, f)
	return nil
}
