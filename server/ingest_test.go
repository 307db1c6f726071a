package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/models"
	"riskgraph/store/memory"
)

func newIngestAPI(t *testing.T, limit int64, withHasher bool) (http.Handler, *memory.Store, *models.PIDHasher) {
	t.Helper()
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h, err := models.NewPIDHasher([]byte("server-ingest-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Store: s, Cache: cache.NewLocal(10, nil), Logger: zerolog.Nop(), InsecureDev: true, IngestBodyLimit: limit}
	if withHasher {
		opts.Hasher = h
	}
	return New(opts), s, h
}

func post(t *testing.T, h http.Handler, url, ctype, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: %d %q", url, rec.Code, rec.Body.String())
	}
	return rec.Code, out
}

func TestIngestEndpoint(t *testing.T) {
	h, s, hasher := newIngestAPI(t, 1<<20, true)
	csv := "uscc,name,capital,established\n91440305MA5F000189,深圳市华信科技有限公司,1000000,2016-03-01\n91440305MA5F000188,错码,1,2016-03-01\n"
	code, body := post(t, h, "/api/v1/ingest/enterprises?source=samr", "text/csv", csv)
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, body)
	}
	total := body["total"].(map[string]any)
	if total["accepted"].(float64) != 1 || total["rejected"].(float64) != 1 {
		t.Errorf("total %v", total)
	}
	rej := body["rejects"].([]any)[0].(map[string]any)
	if rej["file"] != "body" || rej["line"].(float64) != 3 || rej["field"] != "uscc" || rej["fix"] == "" {
		t.Errorf("reject %v", rej)
	}
	if _, err := s.Enterprise(context.Background(), "91440305MA5F000189"); err != nil {
		t.Errorf("not stored: %v", err)
	}

	nd := `{"person_id":"P1","id_number":"440305198001010013","name":"张伟"}` + "\n" + `{"person_id":"P2","id_number":"440305198001010014","name":"李"}` + "\n"
	code, body = post(t, h, "/api/v1/ingest/persons", "application/x-ndjson", nd)
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, body)
	}
	raw, _ := json.Marshal(body)
	if strings.Contains(string(raw), "440305198001010014") || strings.Contains(string(raw), "440305198001010013") {
		t.Errorf("identity number in the response: %s", raw)
	}
	if _, err := s.Person(context.Background(), hasher.FromIDNumber("440305198001010013")); err != nil {
		t.Errorf("person not stored by pid: %v", err)
	}

	for _, tc := range []struct {
		url, ctype, body string
		status           int
		msg              string
	}{
		{"/api/v1/ingest/people", "text/csv", "a\n", 400, `kind "people": use one of enterprises`},
		{"/api/v1/ingest/enterprises?encoding=latin1", "text/csv", "a\n", 400, "encoding"},
		{"/api/v1/ingest/enterprises?references=maybe", "text/csv", "a\n", 400, "placeholder or reject"},
		{"/api/v1/ingest/enterprises?source=a%20b", "text/csv", "a\n", 400, "source"},
		{"/api/v1/ingest/enterprises", "text/csv", "uscc,name\n" + strings.Repeat("91440305MA5F000189,很长的名字\n", 100_000), 413, "too large"},
	} {
		code, body := post(t, h, tc.url, tc.ctype, tc.body)
		if code != tc.status || !strings.Contains(errMessage(body), tc.msg) {
			t.Errorf("%s: %d %q, want %d …%s…", tc.url, code, errMessage(body), tc.status, tc.msg)
		}
	}
	h2, _, _ := newIngestAPI(t, 1<<20, false)
	if code, body := post(t, h2, "/api/v1/ingest/enterprises", "text/csv", csv); code != http.StatusServiceUnavailable {
		t.Errorf("without a pid key: %d %v", code, body)
	}
}
