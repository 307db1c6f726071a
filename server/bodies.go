package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// ingestPath is the one route whose bodies may be larger than BodyLimit.
const ingestPath = "/api/v1/ingest/:kind"

// bodyLimit bounds request bodies: Options.IngestBodyLimit for ingest,
// Options.BodyLimit for every other route. A body declared larger is
// refused at once; one that grows past the limit while a handler reads it
// ends the read with an *http.MaxBytesError, which handlers turn into the
// same 413 (bodyTooLarge). Either way the message names the limit of the
// endpoint the request came to.
func (a *API) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body == nil || req.Body == http.NoBody {
			return next(c)
		}
		limit := a.opts.BodyLimit
		switch c.Path() {
		case ingestPath:
			limit = a.opts.IngestBodyLimit
		case batchesPath, reviewQueuePath:
			limit = a.opts.BatchBodyLimit
		case checksBatchPath:
			limit = max(limit, checksBatchBodyLimit)
		case casesPath, casePath:
			limit = max(limit, caseBodyLimit)
		}
		if req.ContentLength > limit {
			return tooLarge(c, limit)
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		return next(c)
	}
}

// tooLarge is the 413 of the endpoint c came to.
func tooLarge(c echo.Context, limit int64) error {
	where := "this endpoint"
	if p := c.Path(); p != "" && !strings.HasSuffix(p, "/*") {
		where = c.Request().Method + " " + strings.ReplaceAll(p, `\:`, ":")
	}
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("request body too large: %s takes at most %d bytes (%s)", where, limit, sizeText(limit)))
}

// bodyTooLarge returns the endpoint's 413 when err comes from reading past
// the body limit, else nil.
func bodyTooLarge(c echo.Context, err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(c, mbe.Limit)
	}
	return nil
}

// sizeText renders a byte count for people: "1 MiB", "256 MiB", "1500 bytes".
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// decodeStrict reads one JSON value into v from the request body: unknown
// fields, null where the body's type has no null (anything but a date),
// and anything but white space after the value, are a 400; a body past the
// limit is the endpoint's 413. want describes the body expected.
func decodeStrict(c echo.Context, v any, want string) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		if tl := bodyTooLarge(c, err); tl != nil {
			return tl
		}
		return badRequest("body: %v", err)
	}
	var tree any
	if json.Unmarshal(raw, &tree) == nil {
		if path, ok := nullAt(tree, reflect.TypeOf(v), "body"); ok {
			if path == "body" {
				return badRequest("body: want %s, not null", want)
			}
			field := strings.TrimPrefix(path, "body.")
			return badField("body", field, "%s: null is not a value here; leave the member out or give a value (want %s)", field, want)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			if tl := bodyTooLarge(c, terr); tl != nil {
				return tl
			}
			return badRequest("body: want %s and nothing after it; found more data at byte %d", want, dec.InputOffset())
		}
		return nil
	}
	if tl := bodyTooLarge(c, err); tl != nil {
		return tl
	}
	if f := jsonFieldOf(err); f != "" {
		return badField("body", f, "body: want %s: %v", want, jsonProblem(err))
	}
	return badRequest("body: want %s: %v", want, jsonProblem(err))
}

// jsonFieldOf is the body member a decoding error is about ("" when it
// names none): a value of the wrong type, or a member the body may not have.
func jsonFieldOf(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if f, err := strconv.Unquote(rest); err == nil {
			return f
		}
	}
	return ""
}

// nullAt finds a JSON null in v, the decoded body, where t (the Go type
// it decodes into) takes none: Go would decode it as the zero value, which
// a caller sending null did not mean. Only a date (models.Date) takes null.
// It returns the member's path (body.keys[2], body.subject.name).
func nullAt(v any, t reflect.Type, path string) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case nil:
		return path, t != dateType && t.Kind() != reflect.Interface
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return "", false
		}
		for i, e := range x {
			if p, ok := nullAt(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	case map[string]any:
		if t == reflect.TypeOf(subjectInput{}) {
			t = reflect.TypeOf(subjectObject{})
		}
		switch t.Kind() {
		case reflect.Map:
			for k, e := range x {
				if p, ok := nullAt(e, t.Elem(), path+"."+k); ok {
					return p, true
				}
			}
		case reflect.Struct:
			for k, e := range x {
				if f, ok := jsonField(t, k); ok {
					if p, ok := nullAt(e, f.Type, path+"."+k); ok {
						return p, true
					}
				}
			}
		}
	}
	return "", false
}
