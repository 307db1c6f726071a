package neo4j

import (
	"context"
	"errors"
	"fmt"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

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
