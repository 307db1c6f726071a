// Package cypher holds every Cypher statement riskgraph runs, one named
// .cypher file each, embedded in the binary. A statement's name is its file
// name without the extension. Statements take their inputs as parameters
// only; no code builds Cypher from user input.
//
// Callers refer to statements through named constants; the Neo4j store's
// tests check that every file here is referenced and that every statement
// passes EXPLAIN on a real server.
package cypher

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

//go:embed *.cypher
var files embed.FS

// Ext is the extension of statement files.
const Ext = ".cypher"

var load = sync.OnceValue(func() map[string]string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err) // the embedded directory is always readable
	}
	m := make(map[string]string, len(entries))
	for _, e := range entries {
		b, err := files.ReadFile(e.Name())
		if err != nil {
			panic(err)
		}
		m[strings.TrimSuffix(e.Name(), Ext)] = strings.TrimSpace(string(b))
	}
	return m
})

// Get returns the statement with the given name.
func Get(name string) (string, error) {
	if q, ok := load()[name]; ok {
		return q, nil
	}
	return "", fmt.Errorf("cypher: no statement %q (no file %s)", name, path.Join("cypher", name+Ext))
}

// MustGet returns the statement with the given name and panics when there is
// none. Use it only with constant names that a test checks against Names.
func MustGet(name string) string {
	q, err := Get(name)
	if err != nil {
		panic(err)
	}
	return q
}

// Names lists every statement name in sorted order.
func Names() []string {
	m := load()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
