package server

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/auth"
	"riskgraph/models"
	"riskgraph/ranking"
	"riskgraph/store"
)

// personFields walks a response type and returns every place where a
// person's name could reach a role that must not see it (models/mask.go):
//   - a string field (or list, map or pointer of strings) whose Go or JSON
//     name says "name" or "label", neither tagged mask:"name" or
//     mask:"public" nor in a type with a Masked method;
//   - content the walk cannot see into — any, maps keyed by strings, raw
//     JSON, a struct rendering its own JSON — not declared the same way;
//   - a mask tag on a field it cannot apply to.
//
// A type with a method Masked() T answers for its own fields; the types
// nested in it are walked in their own right.
func personFields(t reflect.Type) []string {
	w := &personWalk{seen: map[reflect.Type]bool{}}
	w.walk(t, t.String(), "", false)
	return w.problems
}

type personWalk struct {
	seen     map[reflect.Type]bool
	problems []string
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	// dates render as date strings.
	dateTypes = map[reflect.Type]bool{reflect.TypeFor[time.Time](): true, reflect.TypeFor[models.Date](): true}
)

func nameLike(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "name") || strings.Contains(s, "label")
}

// walk checks t, reached at path; field is the name of the field holding
// it ("" when none) and trusted says a Masked method answers for it.
func (w *personWalk) walk(t reflect.Type, path, field string, trusted bool) {
	problem := func(format string, args ...any) {
		if !trusted {
			w.problems = append(w.problems, path+": "+fmt.Sprintf(format, args...))
		}
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Array:
		w.walk(t.Elem(), path, field, trusted)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			problem("raw bytes (%s) the walk cannot see into", t)
			return
		}
		w.walk(t.Elem(), path+"[]", field, trusted)
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			problem("keys of %s are strings the walk cannot classify", t)
		}
		w.walk(t.Elem(), path+"{}", field, trusted)
	case reflect.Interface:
		problem("%s: any value, the walk cannot see into it", t)
	case reflect.String:
		if nameLike(field) {
			problem("may hold a person's name")
		}
	case reflect.Struct:
		if dateTypes[t] || w.seen[t] {
			return
		}
		w.seen[t] = true
		_, self := selfMasking(t)
		if !self && (t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler)) {
			w.problems = append(w.problems, path+": "+t.String()+" renders its own JSON; give it a Masked method")
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			jname, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if jname == "-" {
				continue
			}
			fpath := path + "." + f.Name
			switch f.Tag.Get("mask") {
			case "name":
				if !stringsOnly(f.Type) {
					w.problems = append(w.problems, fpath+": mask:\"name\" on "+f.Type.String()+", not a string or a list of strings")
				}
				continue
			case "public":
				if holdsStruct(f.Type) {
					w.problems = append(w.problems, fpath+": mask:\"public\" on "+f.Type.String()+", which has fields of its own to declare")
				}
				continue
			case "":
			default:
				w.problems = append(w.problems, fpath+": unknown mask tag "+f.Tag.Get("mask"))
				continue
			}
			name := f.Name
			if nameLike(jname) {
				name = jname
			}
			// A self-masking type answers for its own fields, not for the
			// struct types nested in them.
			w.walk(f.Type, fpath, name, self && !holdsStruct(f.Type))
		}
	}
}

func stringsOnly(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t.Kind() == reflect.String
}

func holdsStruct(t reflect.Type) bool {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			return !dateTypes[t]
		default:
			return false
		}
	}
}

// TestResponseTypesDeclareTheirPersons walks the declared response type of
// every route a masked role may call: each must declare one (every route
// does, for the OpenAPI document: TestRoutesDeclareTypes), and no field of
// such a type may carry a person's name undeclared. Routes no masked role
// may call are answered unmasked, so their types are not walked.
func TestResponseTypesDeclareTheirPersons(t *testing.T) {
	a := NewAPI(Options{Store: memStore(t)})
	var undeclared []string
	for _, r := range a.routes() {
		masked := false
		for _, role := range r.Roles {
			masked = masked || role.Masked()
		}
		if r.Response == nil {
			if masked {
				t.Errorf("%s %s: a masked role may call it, but its row declares no Response", r.Method, r.fullPath())
			}
		}
		if !masked || r.Response == nil {
			undeclared = append(undeclared, r.Method+" "+r.fullPath())
			continue
		}
		for _, p := range personFields(reflect.TypeOf(r.Response)) {
			t.Errorf("%s %s: %s", r.Method, r.fullPath(), p)
		}
	}
	t.Logf("routes no masked role may call (masking does not apply): %s", strings.Join(undeclared, "; "))
}

// TestPersonFieldsCatchesUndeclaredNames: the walk above fails on the
// fields someone could add without masking.
func TestPersonFieldsCatchesUndeclaredNames(t *testing.T) {
	type owner struct {
		PID  string `json:"pid"`
		Name string `json:"name"`
	}
	for name, v := range map[string]any{
		"name field": struct{ OwnerName string }{},
		"json name": struct {
			Holder string `json:"holder_name"`
		}{},
		"label in a list":       struct{ Rows []struct{ Label []string } }{},
		"name in a nested type": struct{ Owners []owner }{},
		"any":                   struct{ Extra any }{},
		"map of any":            struct{ Props map[string]any }{},
		"raw JSON":              struct{ Body json.RawMessage }{},
		"names as map keys":     struct{ Counts map[string]int }{},
		"own JSON":              struct{ E store.Edge }{}, // declared by its Masked method: ok below
		"mask name on a struct": struct {
			P models.Person `mask:"name"`
		}{},
		"public on a struct": struct {
			P models.Person `mask:"public"`
		}{},
		"misspelt tag": struct {
			Name string `mask:"nmae"`
		}{},
		"self-masking, but a nested type is not": struct{ N selfMaskingParent }{},
	} {
		got := personFields(reflect.TypeOf(v))
		if name == "own JSON" {
			if len(got) != 0 {
				t.Errorf("store.Edge has a Masked method, yet: %v", got)
			}
			continue
		}
		if len(got) == 0 {
			t.Errorf("%s: %T passes the walk", name, v)
		}
	}
	// Declared fields pass.
	for _, v := range []any{
		struct {
			Name  string   `json:"name" mask:"name"`
			Names []string `mask:"name"`
			Label string   `mask:"public"`
			P     models.Person
			N     store.Node
			H     []store.Hit
		}{},
	} {
		if got := personFields(reflect.TypeOf(v)); len(got) != 0 {
			t.Errorf("%T: %v", v, got)
		}
	}
}

type selfMaskingParent struct {
	Label string
	Kids  []struct{ Name string }
}

func (p selfMaskingParent) Masked() selfMaskingParent { return p }

// TestMaskPersons: maskPersons masks persons' names wherever the types put
// them — tagged fields, self-masking nodes, hits, ranking entries, trees,
// controllers — keeps enterprises' names, and leaves the value it was
// given (which caches share) untouched.
func TestMaskPersons(t *testing.T) {
	p := models.Person{PID: strings.Repeat("a", 32), Name: "王小明"}
	e := models.Enterprise{Key: "91110000MA00000000", Name: "星河科技有限公司"}
	entries := []ranking.Entry{{Ref: p.Ref(), Name: p.Name}, {Ref: e.Ref(), Name: e.Name}}
	tree := &store.OwnNode{Ref: e.Ref(), Name: e.Name, Children: []*store.OwnNode{{Ref: p.Ref(), Name: p.Name}}}
	in := struct {
		Person   personView
		Group    groupView
		Hits     []store.Hit
		Ranking  page[ranking.Entry]
		Tree     ownershipView
		Owners   ownersView
		ByPerson map[string]controllerView
	}{
		Person:  personView{Person: p},
		Group:   groupView{Members: []store.Node{store.PersonNode(p), store.EnterpriseNode(e)}},
		Hits:    []store.Hit{{Ref: p.Ref(), Name: p.Name}, {Ref: e.Ref(), Name: e.Name}},
		Ranking: page[ranking.Entry]{Items: entries[:2]},
		Tree:    ownershipView{Root: tree},
		Owners: ownersView{BeneficialOwners: []ownerView{{Person: p.PID, Name: p.Name}},
			ActualController: &controllerView{Ref: p.Ref(), Name: p.Name}},
		ByPerson: map[string]controllerView{"x": {Ref: e.Ref(), Name: e.Name}},
	}
	before, _ := json.Marshal(in)
	out, _ := json.Marshal(maskPersons(in))
	if after, _ := json.Marshal(in); string(after) != string(before) {
		t.Fatalf("maskPersons changed its input:\n%s\n%s", before, after)
	}
	if strings.Contains(string(out), "王小明") {
		t.Errorf("a person's name left: %s", out)
	}
	if n := strings.Count(string(out), `"王*"`); n != 7 {
		t.Errorf("%d masked names, want 7 (person, node, hit, entry, tree node, owner, controller): %s", n, out)
	}
	if n := strings.Count(string(out), e.Name); n != 5 {
		t.Errorf("%d enterprise names, want 5 kept (node, hit, entry, tree root, controller): %s", n, out)
	}
	if entries[0].Name != p.Name || tree.Children[0].Name != p.Name {
		t.Errorf("the shared entries or tree were masked in place")
	}
}

// TestReplyAnswersTheDeclaredType: a handler that answers another type
// than its row declares is an error, not an unchecked answer.
func TestReplyAnswersTheDeclaredType(t *testing.T) {
	a := NewAPI(Options{Store: memStore(t)})
	c := a.echo.NewContext(httptest.NewRequest("GET", "/api/v1/search?q=x", nil), httptest.NewRecorder())
	c.SetPath("/api/v1/search")
	if err := a.reply(c, 200, map[string]any{"hits": []any{}}); err == nil {
		t.Error("reply sent a map where the route declares searchView")
	}
	if err := a.reply(c, 200, searchView{}); err != nil {
		t.Errorf("the declared type: %v", err)
	}
}

// TestMaskedRoleGetsNoUnrepliedAnswer: a handler that writes a masked
// role's answer itself, past reply and its masking, sends nothing: the
// role gets a 500, never the body. Through reply the same request works.
func TestMaskedRoleGetsNoUnrepliedAnswer(t *testing.T) {
	a := NewAPI(Options{Store: memStore(t)})
	for _, tc := range []struct {
		path    string // /runs is not cached, /search is
		handler func(c echo.Context) error
		want    int
	}{
		{"/api/v1/runs", func(c echo.Context) error { return c.JSON(200, map[string]any{"name": "王小明"}) }, 500},
		{"/api/v1/search", func(c echo.Context) error { return c.JSON(200, map[string]any{"name": "王小明"}) }, 500},
		{"/api/v1/runs", func(c echo.Context) error { return a.reply(c, 200, runsView{}) }, 200},
	} {
		for _, role := range []auth.Role{auth.Dashboard, auth.Inspector} {
			rec := httptest.NewRecorder()
			c := a.echo.NewContext(httptest.NewRequest("GET", tc.path, nil), rec)
			c.SetPath(tc.path)
			c.Set(ctxPrincipal, principal{KeyID: "k-" + string(role), Role: role})
			if err := a.respond(tc.handler)(c); err != nil {
				a.handleError(err, c)
			}
			want := tc.want
			if role == auth.Inspector {
				want = 200 // not masked: nothing to refuse
			}
			if rec.Code != want || (role == auth.Dashboard && strings.Contains(rec.Body.String(), "王小明")) {
				t.Errorf("%s as %s: %d %s, want %d", tc.path, role, rec.Code, rec.Body, want)
			}
		}
	}
}
