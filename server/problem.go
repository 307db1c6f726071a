package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"

	"github.com/labstack/echo/v4"
)

// Every error response is one shape, an RFC 9457 problem details object
// sent as application/problem+json (docs/api.md, "Errors"):
//
//	{"type": "about:blank", "title": "Bad Request", "status": 400,
//	 "detail": "limit=\"0\": use a whole number from 1 to 200",
//	 "errors": [{"in": "query", "field": "limit", "message": "…"}],
//	 "error": {"status": 400, "message": "limit=\"0\": use a whole number from 1 to 200"}}
//
// detail is the message for people; errors names the fields at fault when
// the request's fields are (query and path parameters, body members);
// error repeats status and detail in the shape API v1 answered before
// problem details, for clients written against it.

// mimeProblem is the media type of every error response.
const mimeProblem = "application/problem+json"

// errorBody is every error response (problem details, RFC 9457).
type errorBody struct {
	// Type is "about:blank": the status says what kind of problem it is.
	Type string `json:"type" jsonschema:"example=about:blank"`
	// Title is the HTTP status text.
	Title string `json:"title" jsonschema:"example=Bad Request"`
	// Status is the HTTP status code.
	Status int `json:"status" jsonschema:"minimum=400,maximum=599,example=400"`
	// Detail says what went wrong and what to change, for people.
	Detail string `json:"detail" jsonschema:"example=limit=\"0\": use a whole number from 1 to 200"`
	// Errors names the fields at fault, when the request's fields are.
	Errors []fieldProblem `json:"errors,omitempty"`
	// Error is status and detail as API v1 answered them before problem
	// details (kept for clients written against it).
	Error legacyError `json:"error"`
}

// legacyError is errorBody.Error.
type legacyError struct {
	// Status is the HTTP status code (as errorBody.Status).
	Status int `json:"status"`
	// Message is errorBody.Detail.
	Message string `json:"message"`
}

// fieldProblem names one field of the request at fault.
type fieldProblem struct {
	// In is where the field is.
	In string `json:"in" jsonschema:"enum=query,enum=path,enum=body,enum=header"`
	// Field is the parameter's name, or the body member's path (keys[3], subject.name).
	Field string `json:"field" jsonschema:"example=limit"`
	// Message says what is wrong with it.
	Message string `json:"message"`
}

// problemOf is the error body of status with detail, naming fields.
func problemOf(status int, detail string, fields ...fieldProblem) errorBody {
	title := http.StatusText(status)
	if title == "" {
		title = "Error"
	}
	return errorBody{Type: "about:blank", Title: title, Status: status, Detail: detail, Errors: fields,
		Error: legacyError{Status: status, Message: detail}}
}

// problemJSON is the encoded error body of status with detail.
func problemJSON(status int, detail string) []byte {
	b, _ := json.Marshal(problemOf(status, detail))
	return b
}

// sendProblem answers the error body.
func sendProblem(c echo.Context, body errorBody) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.Blob(body.Status, mimeProblem, b)
}

// fieldErr is the cause of an *echo.HTTPError about one field: handleError
// names it in the body's errors.
type fieldErr struct{ in, field string }

func (f fieldErr) Error() string { return f.in + " " + f.field }

// badField is a 400 about one field: in is query, path, body or header,
// field the parameter's name or the member's path.
func badField(in, field, format string, args ...any) error {
	he := echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(format, args...))
	he.Internal = fieldErr{in, field}
	return he
}

// fieldsOf lists the fields err names: the one badField gave, else the
// one the message starts with ("limit=…", "keys[3]: …", "format \"x\": …")
// when the matched route declares it as a parameter or a member of its
// request body (routes.go). Messages name their field first by the
// package's convention, so every route's errors name fields without each
// handler saying so twice.
func (a *API) fieldsOf(c echo.Context, err error, msg string) []fieldProblem {
	var fe fieldErr
	if errors.As(err, &fe) {
		return []fieldProblem{{In: fe.in, Field: fe.field, Message: msg}}
	}
	m := leadingField.FindStringSubmatch(msg)
	rt := a.routeOf(c)
	if m == nil || rt == nil {
		return nil
	}
	name, path := m[1], m[1]+m[2]
	switch {
	case rt.declared("query", name) != nil:
		return []fieldProblem{{In: "query", Field: name, Message: msg}}
	case rt.declared("path", name) != nil:
		return []fieldProblem{{In: "path", Field: name, Message: msg}}
	case rt.Request != nil:
		if t := reflect.TypeOf(rt.Request); t.Kind() == reflect.Struct {
			if _, ok := jsonField(t, name); ok {
				return []fieldProblem{{In: "body", Field: path, Message: msg}}
			}
		}
	}
	return nil
}

// leadingField matches a message's leading field: a name, then indexes
// and members (keys[3], subject.name), then "=", ":" or " ".
var leadingField = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*)*)[=: ]`)
