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
	for _, reuse := range []bool{false, true} {
		var (
			sizes []int
			pages = map[*store.ProjectionPage]bool{}
			nums  []int32
		)
		p := pageFiller{ctx: context.Background(), size: 4, page: &store.ProjectionPage{}, reuse: reuse, fn: func(b *store.ProjectionPage) error {
			sizes = append(sizes, b.Len())
			pages[b] = true
			nums = append(nums, b.EnterpriseNums...)
			if len(b.PersonNums) != 0 {
				t.Errorf("persons filled without numbers have numbers %v", b.PersonNums)
			}
			return nil
		}}
		es := make([]models.Enterprise, 6)
		ps := make([]models.Person, 3)
		if err := fill(&p, es, []int32{0, 1, 2, 3, 4, 5}, pageEnterprises); err != nil {
			t.Fatal(err)
		}
		if err := fill(&p, ps, nil, pagePersons); err != nil {
			t.Fatal(err)
		}
		if err := p.flush(); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(sizes) != "[4 4 1]" {
			t.Errorf("reuse %v: page sizes %v, want [4 4 1]", reuse, sizes)
		}
		if fmt.Sprint(nums) != "[0 1 2 3 4 5]" {
			t.Errorf("reuse %v: numbers %v, want [0 1 2 3 4 5] beside the rows", reuse, nums)
		}
		if want := map[bool]int{false: 3, true: 1}[reuse]; len(pages) != want {
			t.Errorf("reuse %v: %d distinct pages, want %d", reuse, len(pages), want)
		}
	}
	stop := errors.New("stop")
	p := pageFiller{ctx: context.Background(), size: 2, page: &store.ProjectionPage{}, fn: func(*store.ProjectionPage) error { return stop }}
	if err := fill(&p, make([]models.Enterprise, 6), nil, pageEnterprises); !errors.Is(err, stop) {
		t.Errorf("an error from fn must stop fill: %v", err)
	}
}

func TestNumbers(t *testing.T) {
	var none *numbers
	if none.of([]int64{1, 2}) != nil || none.ends(nil, []relEnds{{row: &relRow{}}}) != nil {
		t.Error("a nil *numbers numbers nothing")
	}
	m := newNumbers(10)
	limit := int64(3*10 + 1<<20)
	if m.limit != limit {
		t.Fatalf("limit %d, want %d", m.limit, limit)
	}
	got := slices.Clone(m.of([]int64{0, 7, -1, limit - 1, limit, 5 * limit, limit}))
	want := []int32{0, 7, store.NoNumber, int32(limit - 1), int32(limit), int32(limit + 1), int32(limit)}
	if !slices.Equal(got, want) {
		t.Errorf("numbers %v, want %v", got, want)
	}
	ends := m.ends(nil, []relEnds{{row: &relRow{from: 5 * limit, to: 3}}})
	if len(ends) != 1 || ends[0] != (store.Ends{From: int32(limit + 1), To: 3}) {
		t.Errorf("ends %v", ends)
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

// TestRetryableRead: readOne tries again in a managed transaction after
// the failures the driver retries (a lost connection, a transient
// database error) and not after any other (a statement error, the
// caller's own error, a cancelled context).
func TestRetryableRead(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&driver.ConnectivityError{Inner: errors.New("connection reset")}, true},
		{&driver.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable", Msg: "database unavailable"}, true},
		{&driver.Neo4jError{Code: "Neo.ClientError.Cluster.NotALeader", Msg: "not a leader"}, true},
		{&driver.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError", Msg: "bad"}, false},
		{errors.New("the caller's own"), false},
		{context.Canceled, false},
	} {
		if got := retryableRead(tc.err); got != tc.want {
			t.Errorf("retryableRead(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
