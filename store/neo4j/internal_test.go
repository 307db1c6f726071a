package neo4j

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"riskgraph/models"
	"riskgraph/store"
)

func TestLucenePhrase(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"星河", `"星河"`, true},
		{`星河" OR *:* AND (`, `"星河\" OR *:* AND ("`, true},
		{`a\b`, `"a\\b"`, true},
		{"*:*", "", false},
		{"（）", "", false},
	} {
		got, ok := lucenePhrase(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("lucenePhrase(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestTranslate(t *testing.T) {
	conn := &driver.ConnectivityError{Inner: errors.New("connection refused")}
	for _, tc := range []struct {
		err  error
		want error
	}{
		{conn, store.ErrUnavailable},
		{fmt.Errorf("wrapped: %w", conn), store.ErrUnavailable},
		{&driver.TransactionExecutionLimit{Cause: "timeout", Errors: []error{conn}}, store.ErrUnavailable},
		{&driver.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}, store.ErrUnavailable},
		{&driver.Neo4jError{Code: "Neo.ClientError.Schema.ConstraintValidationFailed"}, store.ErrInvalid},
		{context.Canceled, context.Canceled},
	} {
		got := translate("op", tc.err)
		if !errors.Is(got, tc.want) {
			t.Errorf("translate(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if translate("op", nil) != nil {
		t.Error("translate(nil) must be nil")
	}
	if err := translate("op", &driver.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError"}); errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrInvalid) {
		t.Errorf("a syntax error is neither unavailable nor invalid input: %v", err)
	}
}

func TestRefsByID(t *testing.T) {
	var m refsByID
	m.put(3, models.KindEnterprise, "e3")
	m.put(0, models.KindPerson, "p0")
	far := m.denseLimit() + 5
	m.put(far, models.KindPerson, "far")
	m.put(7, missing, "")
	for _, tc := range []struct {
		id   int64
		want models.Ref
		ok   bool
	}{
		{3, models.EnterpriseRef("e3"), true},
		{0, models.PersonRef("p0"), true},
		{far, models.PersonRef("far"), true},
		{1, models.Ref{}, false},
		{7, models.Ref{}, false},
		{-1, models.Ref{}, false},
		{far + 1, models.Ref{}, false},
	} {
		got, ok := m.get(tc.id)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("get(%d) = %v, %v; want %v, %v", tc.id, got, ok, tc.want, tc.ok)
		}
	}
	if m.lookup(7).Kind != missing || m.lookup(1).Kind != "" {
		t.Error("lookup must tell ids known to be missing from ids never seen")
	}
}

func TestPageFiller(t *testing.T) {
	var sizes []int
	p := pageFiller{ctx: context.Background(), size: 4, page: &store.Batch{}, fn: func(b *store.Batch) error {
		sizes = append(sizes, b.Len())
		return nil
	}}
	es := make([]models.Enterprise, 6)
	ps := make([]models.Person, 3)
	if err := fill(&p, es, func(b *store.Batch) *[]models.Enterprise { return &b.Enterprises }); err != nil {
		t.Fatal(err)
	}
	if err := fill(&p, ps, func(b *store.Batch) *[]models.Person { return &b.Persons }); err != nil {
		t.Fatal(err)
	}
	if err := p.flush(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sizes) != "[4 4 1]" {
		t.Errorf("page sizes %v, want [4 4 1]", sizes)
	}
	stop := errors.New("stop")
	p = pageFiller{ctx: context.Background(), size: 2, page: &store.Batch{}, fn: func(*store.Batch) error { return stop }}
	if err := fill(&p, es, func(b *store.Batch) *[]models.Enterprise { return &b.Enterprises }); !errors.Is(err, stop) {
		t.Errorf("an error from fn must stop fill: %v", err)
	}
}

func TestSortRuns(t *testing.T) {
	br := func(b, p string) models.Branch { return models.Branch{Branch: b, Parent: p} }
	rows := []models.Branch{br("b", "z"), br("b", "a"), br("a", "y"), br("a", "x"), br("c", "q")}
	sortRuns(rows, func(x models.Branch) string { return x.Branch }, func(a, b models.Branch) int { return strings.Compare(a.Parent, b.Parent) })
	want := []models.Branch{br("b", "a"), br("b", "z"), br("a", "x"), br("a", "y"), br("c", "q")}
	if !slices.Equal(rows, want) {
		t.Errorf("sortRuns: %v, want %v (each run sorted, runs kept in place)", rows, want)
	}
}
