package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Cached answers are kept as the bytes sent, never as values to encode
// again: the JSON body as the handler wrote it, or, when Redis holds the
// cache, that body gzip-compressed once on the miss that stored it (large
// answers such as depth-2 networks are a fifth of their size in Redis and
// on the wire). A stored value is one of
//
//	JSON bytes                   an answer kept as written (in-process cache, small answers)
//	0x1f 0x8b … (a gzip member)  the compressed answer
//
// A JSON body never starts with 0x1f, so the two cannot be confused. A hit
// is sent as stored to a client that accepts gzip (Content-Encoding: gzip)
// and decompressed for one that does not (the decompressed form is kept in
// the in-process tier beside the stored one, so that is done once per
// replica and tier lifetime); either way the client reads the bytes the
// handler wrote (TestCachedBodyIdentical).

// compressMin: smaller answers are stored as written (gzip's header and
// the extra work are not worth it).
const compressMin = 1024

var gzipWriters = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}

// storedBody is what the cache keeps for body: compressed when compress
// and the body is large enough.
func storedBody(body []byte, compress bool) []byte {
	if !compress || len(body) < compressMin {
		return body
	}
	var buf bytes.Buffer
	buf.Grow(len(body) / 4)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(body)
	_ = zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

func isGzip(v []byte) bool { return len(v) > 2 && v[0] == 0x1f && v[1] == 0x8b }

// acceptsGzip reports whether the request's Accept-Encoding admits gzip.
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get(echo.HeaderAcceptEncoding), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0"
		}
	}
	return false
}

// plainSuffix names, in the in-process tier, the decompressed form of a
// compressed answer, kept for clients that do not accept gzip so that it
// is decompressed once per replica and tier lifetime, not per request.
const plainSuffix = ":plain"

// writeStored sends a stored answer (200, JSON) under cache key key: as
// stored when it is not compressed or the client accepts gzip, else its
// decompressed form (from the in-process tier when there).
func (a *API) writeStored(c echo.Context, key string, v []byte, ttl time.Duration, source string) error {
	h := c.Response().Header()
	setXCache(h, source)
	if !isGzip(v) {
		return sendJSON(c, v)
	}
	h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	if acceptsGzip(c.Request()) {
		h[echo.HeaderContentEncoding] = hdrGzip
		return sendJSON(c, v)
	}
	ctx := c.Request().Context()
	if a.near != nil {
		if body, ok := a.near.View(key + plainSuffix); ok {
			return sendJSON(c, body)
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(v))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	a.keepNear(ctx, key+plainSuffix, body, ttl)
	return sendJSON(c, body)
}
