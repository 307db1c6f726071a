//go:build unix

package keyindex

import (
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f read-only into memory. The spill
// file is read in place by lookups: no system call and no copy per lookup,
// only the page cache's pages (a lookup into a cached page is a memory
// read). It returns nil when the file cannot be mapped; lookups then read
// it with ReadAt.
func mapFile(f *os.File, size int64) []byte {
	if size <= 0 || int64(int(size)) != size {
		return nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return b
}

// unmapFile releases a mapping made by mapFile.
func unmapFile(b []byte) error { return syscall.Munmap(b) }

// mmapSupported says whether mapFile maps files on this system.
const mmapSupported = true
