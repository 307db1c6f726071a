// Package durable writes files so that a crash leaves either the old
// version or the complete new one, never a part: the stores' compaction,
// repairs and the audit log's compressed segments go through it.
package durable

import (
	"io"
	"os"
	"path/filepath"
)

// SyncDir fsyncs a directory, making the renames and creations in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Replace writes path through write: into path+".tmp" (mode 0600), fsynced,
// then renamed over path and the directory fsynced. On any error the
// temporary file is removed and path is as it was.
func Replace(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(path))
}
