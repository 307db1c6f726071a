// Package durable writes files so that a crash leaves either the old
// version or the complete new one, never a part: the stores' compaction,
// repairs and the audit log's compressed segments go through it.
// ReplaceChecked is the cheaper form for caches whose reader checks every
// byte and rebuilds what it refuses (the engine's projection snapshot).
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
	return replace(path, write, true)
}

// ReplaceChecked is Replace without the fsyncs: readers never see a part
// (the rename is atomic), but after a crash of the machine (not of the
// process) path may hold the old file, the new one or a damaged one. Only
// for files that can be lost: every reader must check the whole file
// (checksums, lengths) and rebuild it when damaged, so that what a crash
// costs is the rebuild. It saves the wait for the disk (seconds for the
// hundreds of MiB of a projection snapshot) on the writer's path.
func ReplaceChecked(path string, write func(io.Writer) error) error {
	return replace(path, write, false)
}

func replace(path string, write func(io.Writer) error, sync bool) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil && sync {
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
	if !sync {
		return nil
	}
	return SyncDir(filepath.Dir(path))
}
