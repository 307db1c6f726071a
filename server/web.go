package server

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"riskgraph/web"
)

// The web UI (docs/ui.md) is served at / from the assets embedded in the
// binary, outside /api/v1: the page itself needs no key; it asks for one
// (kept in the browser's session storage) and sends it with every API call.
// Its routes are the catch-all "/*", so they take no entry in routes() and
// do not appear in the OpenAPI document. Two small JSON answers help the
// page choose what to show:
//
//	GET /ui/session  {"authenticated", "role", "key_id", "insecure_dev"} for the
//	                 key sent (Authorization or X-API-Key); without a key
//	                 authenticated is false (200, so the page's first load
//	                 logs no error). A wrong or revoked key is 401.
//
//	GET /api/docs    the OpenAPI document (/api/v1/openapi.json) rendered for
//	                 people by Swagger UI: api-docs.html, a page of its own in
//	                 the same build, no outside network.
//
// Text assets are gzipped once and kept in memory; hashed files under
// /assets/ are cached by browsers for a year, index.html is revalidated.

// apiDocsPage is the API reference page of the build (web/api-docs.html).
const apiDocsPage = "api-docs.html"

type webUI struct {
	fsys  fs.FS
	built bool
	mu    sync.Mutex
	gz    map[string][]byte
}

// webHandler serves the UI. Registered in router() for GET and HEAD "/*".
func (a *API) webHandler() echo.HandlerFunc {
	fsys, built := web.Assets()
	w := &webUI{fsys: fsys, built: built, gz: map[string][]byte{}}
	session := a.authenticate(a.uiSession)
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		switch {
		case p == "/ui/session":
			if !a.opts.InsecureDev && apiKey(c.Request()) == "" {
				return c.JSON(http.StatusOK, map[string]any{"authenticated": false, "insecure_dev": false})
			}
			return session(c)
		case p == "/api/docs" || p == "/api/docs/":
			return w.serve(c, "/"+apiDocsPage)
		case strings.HasPrefix(p, "/api/"):
			return echo.ErrNotFound
		}
		return w.serve(c, p)
	}
}

func (a *API) uiSession(c echo.Context) error {
	p := principalOf(c)
	return c.JSON(http.StatusOK, map[string]any{"authenticated": true, "role": string(p.Role), "key_id": p.KeyID, "insecure_dev": a.opts.InsecureDev})
}

func (w *webUI) serve(c echo.Context, p string) error {
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if !w.built {
		if p != "/" && p != "/index.html" && p != "/"+apiDocsPage {
			return echo.ErrNotFound
		}
		b, err := fs.ReadFile(w.fsys, "not-built.html")
		if err != nil {
			return err
		}
		h.Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, b)
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name == "" {
		name = "index.html"
	}
	b, err := fs.ReadFile(w.fsys, name)
	if err != nil {
		return echo.ErrNotFound
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	if strings.HasPrefix(name, "assets/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if name == "index.html" || name == apiDocsPage {
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "+
			"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
	}
	h.Add("Vary", "Accept-Encoding")
	if compressible(ctype) && strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, ctype, w.gzipped(name, b))
	}
	return c.Blob(http.StatusOK, ctype, b)
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/javascript", "text/javascript", "application/json", "image/svg"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

// gzipped compresses an asset once; the embedded files never change.
func (w *webUI) gzipped(name string, b []byte) []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	if z, ok := w.gz[name]; ok {
		return z
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	w.gz[name] = buf.Bytes()
	return w.gz[name]
}
