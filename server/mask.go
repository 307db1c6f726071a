package server

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/labstack/echo/v4"

	"riskgraph/models"
)

// Masking for roles that must not see persons' names (auth.Role.Masked:
// the dashboard's) is declared on the response types, never guessed from
// the JSON: a field tagged `mask:"name"` holds a person's name, a type with
// a method Masked() T masks its own fields (models/mask.go). Every route a
// masked role may call declares its response type on its row (Response),
// handlers answer through reply, and TestResponseTypesDeclareTheirPersons
// walks each declared type to prove that no field which may hold a name is
// left undeclared.

// ctxReplied marks a request answered through reply: respond refuses to
// pass a masked role a success that did not come through it.
const ctxReplied = "riskgraph.replied"

// reply answers v, the value the route's row declares as its Response,
// masked when the caller's role must not see persons' names. A value of
// another type is a programming error (500), so the declared type the
// masking test walks is the one the route sends.
func (a *API) reply(c echo.Context, code int, v any) error {
	if rt := a.routeOf(c); rt == nil || reflect.TypeOf(v) != reflect.TypeOf(rt.Response) {
		return fmt.Errorf("server: %s %s answers a %T, its route declares %T", c.Request().Method, c.Path(), v, routeResponse(rt))
	}
	if principalOf(c).Role.Masked() {
		v = maskPersons(v)
	}
	c.Set(ctxReplied, true)
	if ap, ok := v.(jsonAppender); ok && !prettyJSON(c) {
		// What c.JSON would write (encoding/json's Encoder: the value,
		// then a newline), without reflection.
		body, err := ap.AppendJSON(make([]byte, 0, 8<<10))
		if err != nil {
			return err
		}
		return c.Blob(code, echo.MIMEApplicationJSON, append(body, '\n'))
	}
	return c.JSON(code, v)
}

// jsonAppender is an answer that encodes itself as encoding/json would
// (store.Graph: the networks).
type jsonAppender interface {
	AppendJSON(buf []byte) ([]byte, error)
}

// prettyJSON reports whether c.JSON would indent the answer (?pretty, or
// Echo in debug mode); AppendJSON writes compact JSON only.
func prettyJSON(c echo.Context) bool {
	_, pretty := c.QueryParams()["pretty"]
	return pretty || c.Echo().Debug
}

func routeResponse(rt *route) any {
	if rt == nil {
		return nil
	}
	return rt.Response
}

// maskPersons returns a copy of v with every declared person's name masked.
// v itself, and anything it points to, is left as it was: answers share
// values with caches (the ranking index) that other roles read.
func maskPersons(v any) any {
	if v == nil {
		return nil
	}
	return maskValue(reflect.ValueOf(v)).Interface()
}

// selfMasking reports whether t has a method Masked() t.
func selfMasking(t reflect.Type) (reflect.Method, bool) {
	m, ok := t.MethodByName("Masked")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0) != t {
		return m, false
	}
	return m, true
}

// maskValue returns a masked deep copy of v.
func maskValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(maskValue(v.Elem()))
		return p
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(maskValue(v.Elem()))
		return out
	case reflect.Slice:
		if v.IsNil() || v.Type().Elem().Kind() == reflect.Uint8 {
			return v // raw bytes: their type declares them (json.RawMessage fields are tagged)
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(maskValue(v.Index(i)))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(maskValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), maskValue(it.Value()))
		}
		return out
	case reflect.Struct:
		t := v.Type()
		out := reflect.New(t).Elem()
		if m, ok := selfMasking(t); ok {
			out.Set(m.Func.Call([]reflect.Value{v})[0])
		} else {
			out.Set(v)
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := out.Field(i)
			if f.Tag.Get("mask") == "name" {
				fv.Set(maskNames(fv))
			} else {
				fv.Set(maskValue(fv))
			}
		}
		return out
	}
	return v
}

// maskNames masks a field tagged `mask:"name"`: a string, or a list of or
// pointer to strings. Any other type is emptied (the masking test refuses
// the tag on it).
func maskNames(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(models.MaskName(v.String()))
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(maskNames(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(maskNames(v.Index(i)))
		}
		return out
	}
	return reflect.Zero(v.Type())
}

// unmaskedSuccess is respond's answer to a masked role's successful
// request that did not come through reply: nothing is sent rather than
// something unmasked.
func (a *API) unmaskedSuccess(c echo.Context) captured {
	a.log.Error().Str("route", c.Path()).Msg("a masked role's answer did not come through reply; refused")
	return captured{status: http.StatusInternalServerError, ctype: mimeProblem, body: problemJSON(http.StatusInternalServerError, "internal error")}
}
