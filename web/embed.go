// Package web holds the inspector's explorer and the risk dashboard: the
// sources (src/, built by Vite, see docs/ui.md) and the built assets that
// the server embeds.
//
// dist/app/ is the build output (not in git; scripts/web-build.sh makes
// it). dist/not-built.html is committed, so the binary always compiles and
// serves a page that says how to build the UI when dist/app is missing.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Assets returns the built UI and true, or the placeholder directory
// (holding not-built.html) and false when the UI has not been built.
func Assets() (fs.FS, bool) {
	app, err := fs.Sub(dist, "dist/app")
	if err == nil {
		if _, err := fs.Stat(app, "index.html"); err == nil {
			return app, true
		}
	}
	ph, _ := fs.Sub(dist, "dist")
	return ph, false
}
