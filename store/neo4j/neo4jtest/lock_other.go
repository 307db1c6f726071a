//go:build !unix

package neo4jtest

// lockFile is a no-op where flock is unavailable; run such tests with -p 1.
func lockFile(string) error { return nil }
