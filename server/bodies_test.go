package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"riskgraph/auth"
	"riskgraph/store/storetest"
)

// chunked sends a body without a Content-Length, so only reading it can
// find out that it is too large.
func chunked(s string) io.Reader { return io.MultiReader(strings.NewReader(s)) }

// TestBodyLimitsNameTheirEndpoint: a 413 names the limit of the endpoint
// the request came to — the general one for a batch, the ingest one for
// ingest — whether the body says its length or not.
func TestBodyLimitsNameTheirEndpoint(t *testing.T) {
	const general, ingestLimit = 64 << 10, 96 << 10
	h, _, _ := newIngestAPI(t, ingestLimit, true)
	sc := newSecured(t, memStore(t), Options{BodyLimit: general, IngestBodyLimit: ingestLimit, Hasher: nil})
	big := `{"keys":["` + strings.Repeat("9", 70<<10) + `"]}`
	for _, declared := range []bool{true, false} {
		var body io.Reader = strings.NewReader(big)
		if !declared {
			body = chunked(big)
		}
		req := httptest.NewRequest("POST", "/api/v1/enterprises:batch", body)
		if !declared {
			req.ContentLength = -1
		}
		req.Header.Set("Authorization", "Bearer "+sc.keys[auth.Inspector])
		rec := httptest.NewRecorder()
		sc.h.ServeHTTP(rec, req)
		want := fmt.Sprintf("POST /api/v1/enterprises:batch takes at most %d bytes (64 KiB)", general)
		if rec.Code != 413 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("batch, length declared %v: %d %s; want 413 %q", declared, rec.Code, rec.Body, want)
		}
	}
	rows := "uscc,name\n" + strings.Repeat("91440305MA5F000189,很长的名字\n", 4000) // > 96 KiB
	for _, declared := range []bool{true, false} {
		var body io.Reader = strings.NewReader(rows)
		if !declared {
			body = chunked(rows)
		}
		req := httptest.NewRequest("POST", "/api/v1/ingest/enterprises", body)
		if !declared {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", "text/csv")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 413 || !strings.Contains(rec.Body.String(), fmt.Sprint(ingestLimit)) || strings.Contains(rec.Body.String(), fmt.Sprint(1<<20)) {
			t.Errorf("ingest, length declared %v: %d %s; want 413 naming %d", declared, rec.Code, rec.Body, ingestLimit)
		}
	}
}

// TestIngestThatLoadsNothingIs422: an empty body, a header without rows
// and rows that are all rejected answer 422 saying why, with the summary;
// a body with one good row still answers 200.
func TestIngestThatLoadsNothingIs422(t *testing.T) {
	h, _, _ := newIngestAPI(t, 1<<20, true)
	for _, tc := range []struct{ name, url, ctype, body, msg string }{
		{"empty", "/api/v1/ingest/enterprises", "text/csv", "", "nothing was loaded"},
		{"header only", "/api/v1/ingest/enterprises", "text/csv", "uscc,name,capital,established\n", "nothing was loaded"},
		{"all rejected", "/api/v1/ingest/enterprises", "text/csv", "uscc,name,capital,established\n91440305MA5F000188,错码,1,2016-03-01\n", "all 1 rows were rejected; the first, line 2, field uscc"},
		{"dry run rejected", "/api/v1/ingest/enterprises?dry_run=true", "text/csv", "uscc,name,capital,established\n91440305MA5F000188,错码,1,2016-03-01\n", "nothing would be loaded"},
		{"ndjson garbage", "/api/v1/ingest/persons", "application/x-ndjson", "not json\n", "nothing was loaded"},
	} {
		code, body := post(t, h, tc.url, tc.ctype, tc.body)
		if code != http.StatusUnprocessableEntity || !strings.Contains(errMessage(body), tc.msg) || body["total"] == nil {
			t.Errorf("%s: %d %v; want 422 …%s… with the summary", tc.name, code, body, tc.msg)
		}
	}
	ok := "uscc,name,capital,established\n91440305MA5F000189,深圳市华信科技有限公司,1000000,2016-03-01\n91440305MA5F000188,错码,1,2016-03-01\n"
	if code, body := post(t, h, "/api/v1/ingest/enterprises", "text/csv", ok); code != 200 {
		t.Errorf("one good row of two: %d %v", code, body)
	}
}

// TestBatchTrailingBytes: anything but white space after the JSON body of
// a batch is a 400.
func TestBatchTrailingBytes(t *testing.T) {
	sc := newSecured(t, memStore(t), Options{})
	good := `{"keys":["` + storetest.B + `"]}`
	for _, body := range []string{good + `{"keys":[]}`, good + "garbage", good + `]`, good + " 1", good + "\n{}"} {
		code, resp, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/enterprises:batch", body)
		if code != 400 || !strings.Contains(errMessage(resp), "nothing after it") {
			t.Errorf("%q: %d %v, want 400", body, code, resp)
		}
	}
	for _, body := range []string{good, good + " \n\t", "\n" + good + "\n"} {
		if code, resp, _ := sc.do(t, auth.Inspector, "POST", "/api/v1/enterprises:batch", body); code != 200 {
			t.Errorf("%q: %d %v, want 200", body, code, resp)
		}
	}
}
