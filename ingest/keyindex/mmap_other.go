//go:build !unix

package keyindex

import "os"

// mapFile does not map files on this system: lookups read the spill file
// with ReadAt.
func mapFile(*os.File, int64) []byte { return nil }

func unmapFile([]byte) error { return nil }

// mmapSupported says whether mapFile maps files on this system.
const mmapSupported = false
