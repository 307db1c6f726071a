package server

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreOnlyThroughWrapper enforces what storecall.go promises: every
// store call of the server goes through the timedStore wrapper (a.store),
// which bounds it with a timeout, records its latency and maps its errors.
//
// It type-checks the package's own (non-test) files and allows only two
// kinds of reference to the raw store:
//
//   - the field Options.Store, only as the value of timedStore's s in the
//     literal that builds the wrapper (NewAPI);
//   - the field timedStore.s, only inside timedStore's methods and that
//     literal.
//
// Any other use fails, wherever it is: a handler calling a.opts.Store (what
// reports, watch-lists and ingest once did), a copy of the options
// (o := a.opts; o.Store…), a.store.s reached from outside the wrapper, or
// the raw store handed to another package in the constructor. It also
// fails if timedStore embeds anything: an embedded store would forward any
// method the wrapper does not define, untimed, and the compiler would not
// notice.
//
// Why static and not a store that panics unless called through the wrapper:
// such a store catches only the handlers a test drives as far as their
// store call (past parameter checks, auth, the cache), so a new handler
// without that test slips through. This check covers every code path of
// every file, and it works on types, not text, so aliases and renamed
// variables do not hide a use.
func TestStoreOnlyThroughWrapper(t *testing.T) {
	pkg, info, files, fset := typeCheckServer(t)

	optStore := structField(t, pkg, "Options", "Store")
	wrapped := structField(t, pkg, "timedStore", "s")
	wrapper := pkg.Scope().Lookup("timedStore").Type()
	if st, ok := wrapper.Underlying().(*types.Struct); ok {
		for i := range st.NumFields() {
			if f := st.Field(i); f.Embedded() {
				t.Errorf("timedStore embeds %s: an embedded field forwards every method the wrapper does not define, "+
					"bypassing its timeout, metrics and error mapping; keep the store in a named field and wrap each method", f.Name())
			}
		}
	}

	wrapperBuilt := 0
	for _, f := range files {
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			obj := info.Uses[id]
			if obj != optStore && obj != wrapped {
				return true
			}
			inLiteral, asValue := inWrapperLiteral(stack, info, wrapper)
			switch {
			case obj == optStore && inLiteral && asValue:
				wrapperBuilt++
			case obj == wrapped && (inLiteral || inWrapperMethod(stack, info, wrapper)):
			case obj == optStore:
				t.Errorf("%s: Options.Store used directly; call the store through a.store (the timedStore wrapper)", fset.Position(id.Pos()))
			default:
				t.Errorf("%s: timedStore.s used outside the wrapper's methods; call a.store's method instead", fset.Position(id.Pos()))
			}
			return true
		})
	}
	// The check is only as good as its view of the code: if it no longer
	// sees the wrapper being built, it is looking at the wrong thing.
	if wrapperBuilt != 1 {
		t.Errorf("Options.Store builds the timedStore wrapper %d times, want exactly once (in NewAPI)", wrapperBuilt)
	}
}

// typeCheckServer parses and type-checks this package's non-test files
// for this platform, importing its dependencies from the export data that
// `go list -export` leaves in the build cache.
func typeCheckServer(t *testing.T) (*types.Package, *types.Info, []*ast.File, *token.FileSet) {
	t.Helper()
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}}\t{{.Export}}{{end}}", ".").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list -export: %v\n%s", err, stderr)
	}
	exports := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if path, file, ok := strings.Cut(sc.Text(), "\t"); ok {
			exports[path] = file
		}
	}
	bp, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(bp.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, os.ErrNotExist
		}
		return os.Open(file)
	})
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}, Types: map[ast.Expr]types.TypeAndValue{},
		Defs: map[*ast.Ident]types.Object{}}
	pkg, err := (&types.Config{Importer: imp}).Check("riskgraph/server", fset, files, info)
	if err != nil {
		t.Fatalf("type-checking the server package: %v", err)
	}
	return pkg, info, files, fset
}

// structField returns the field of the named struct type in pkg.
func structField(t *testing.T, pkg *types.Package, typeName, field string) *types.Var {
	t.Helper()
	obj := pkg.Scope().Lookup(typeName)
	if obj == nil {
		t.Fatalf("no type %s in package server", typeName)
	}
	st, ok := obj.Type().Underlying().(*types.Struct)
	if !ok {
		t.Fatalf("%s is not a struct", typeName)
	}
	for i := range st.NumFields() {
		if f := st.Field(i); f.Name() == field {
			return f
		}
	}
	t.Fatalf("%s has no field %s", typeName, field)
	return nil
}

// inWrapperLiteral reports whether the innermost node of stack lies in a
// timedStore composite literal, and whether it lies in the value of that
// literal's s: key.
func inWrapperLiteral(stack []ast.Node, info *types.Info, wrapper types.Type) (inLiteral, asValue bool) {
	for i := len(stack) - 1; i >= 0; i-- {
		lit, ok := stack[i].(*ast.CompositeLit)
		if !ok {
			continue
		}
		if !types.Identical(info.Types[lit].Type, wrapper) {
			return false, false
		}
		if i+1 < len(stack) {
			if kv, ok := stack[i+1].(*ast.KeyValueExpr); ok {
				key, _ := kv.Key.(*ast.Ident)
				for _, n := range stack[i+2:] {
					if n == kv.Value {
						return true, key != nil && key.Name == "s"
					}
				}
			}
		}
		return true, false
	}
	return false, false
}

// inWrapperMethod reports whether stack lies in a method of *timedStore
// (or timedStore).
func inWrapperMethod(stack []ast.Node, info *types.Info, wrapper types.Type) bool {
	for _, n := range stack {
		fd, ok := n.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) == 0 {
			continue
		}
		recv := info.Types[fd.Recv.List[0].Type].Type
		if p, ok := recv.(*types.Pointer); ok {
			recv = p.Elem()
		}
		return types.Identical(recv, wrapper)
	}
	return false
}
