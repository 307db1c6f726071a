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
	"riskgraph/store"
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

// TestIngestEndpointMatches: POST /ingest/records?match=true resolves
// subjects given by name with the server's match index, as riskgraph ingest
// --match does: a name written another way is attached (its score kept on
// the record), a name two enterprises share goes to the review queue, a
// name like nothing is rejected with the candidates named; without
// match=true the name-only row is refused; bad thresholds are a 400.
func TestIngestEndpointMatches(t *testing.T) {
	h, s, _ := newIngestAPI(t, 1<<20, true)
	ents := "uscc,name,status\n914403001922038216,深圳市汇骏实业有限公司,active\n911101050WTCDKQQ0L,北京市华信科技有限公司,active\n91330106WA000LH0YG,杭州市华信科技有限公司,active\n"
	if code, body := post(t, h, "/api/v1/ingest/enterprises?source=samr", "text/csv", ents); code != 200 {
		t.Fatalf("enterprises: %d %v", code, body)
	}
	recs := "record_id,subject_kind,subject,subject_name,kind,decided\n" +
		"R1,enterprise,,深圳汇骏实业有限责任公司,administrative_penalty,2024-01-05\n" +
		"R2,enterprise,,华信科技有限公司,administrative_penalty,2024-01-07\n" +
		"R3,enterprise,,星河国际贸易集团,administrative_penalty,2024-01-09\n"
	if code, body := post(t, h, "/api/v1/ingest/records?source=court", "text/csv", recs); code != 422 {
		t.Errorf("name-only subjects without match=true: %d %v, want 422", code, body)
	}
	code, body := post(t, h, "/api/v1/ingest/records?source=court&match=true", "text/csv", recs)
	if code != 200 {
		t.Fatalf("records with match=true: %d %v", code, body)
	}
	total := body["total"].(map[string]any)
	if total["matched"] != 1.0 || total["queued"] != 1.0 || total["rejected"] != 1.0 {
		t.Errorf("total %v: want 1 matched, 1 queued, 1 rejected", total)
	}
	ctx := context.Background()
	got, err := s.Records(ctx, models.EnterpriseRef("914403001922038216"))
	if err != nil || len(got) != 1 || got[0].MatchScore < 0.9 {
		t.Errorf("汇骏's records: %+v, %v; want R1 attached with its score", got, err)
	}
	pending, err := s.Reviews(ctx, store.ReviewFilter{Status: store.ReviewPending, Limit: 10})
	if err != nil || len(pending) != 1 || len(pending[0].Candidates) < 2 {
		t.Errorf("review queue: %+v, %v; want the 华信科技 entry with both namesakes", pending, err)
	}
	if rej, _ := body["rejects"].([]any); len(rej) != 1 || rej[0].(map[string]any)["line"] != 4.0 ||
		rej[0].(map[string]any)["field"] != "subject" || !strings.Contains(rej[0].(map[string]any)["reason"].(string), "matches no stored enterprise") {
		t.Errorf("rejects %v: want line 4's subject, matching no stored enterprise", body["rejects"])
	}
	// The same body again: nothing queued twice.
	if code, body := post(t, h, "/api/v1/ingest/records?source=court&match=true", "text/csv", recs); code != 200 {
		t.Fatalf("again: %d %v", code, body)
	}
	if again, _ := s.Reviews(ctx, store.ReviewFilter{Limit: 10}); len(again) != 1 {
		t.Errorf("after the same load again: %d review entries, want 1", len(again))
	}
	for _, q := range []string{"match=perhaps", "match_accept=2", "match_review=x", "match_accept=0.6&match_review=0.8"} {
		code, body := post(t, h, "/api/v1/ingest/records?"+q, "text/csv", recs)
		if code != 400 {
			t.Errorf("%s: %d %v, want 400", q, code, body)
		}
	}
}

// TestIngestEndpointLicences: POST /ingest/licences loads canonical
// licences.csv rows (a validity after today accepted), refuses a bad row
// naming its field and fix, and the licence is read back by the store;
// a body of only bad rows is 422.
func TestIngestEndpointLicences(t *testing.T) {
	h, s, _ := newIngestAPI(t, 1<<20, true)
	body := "licence_id,enterprise,name,number,authority,decided,valid_from,valid_to\n" +
		"L1,91440305MA5F000189,食品经营许可证,JY14403050012345,深圳市市场监督管理局,2024-03-05,2024-03-05,2099-03-04\n" +
		"L2,91440305MA5F000189,排污许可证,,,2024/3/5,,\n"
	code, out := post(t, h, "/api/v1/ingest/licences?source=sgs", "text/csv", body)
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, out)
	}
	if c := out["by_kind"].(map[string]any)["licences"].(map[string]any); c["accepted"] != 1.0 || c["rejected"] != 1.0 {
		t.Errorf("licences %v", c)
	}
	rej := out["rejects"].([]any)[0].(map[string]any)
	if rej["line"] != 3.0 || rej["field"] != "decided" || !strings.Contains(rej["fix"].(string), "2024-03-05") {
		t.Errorf("reject %v", rej)
	}
	ls, err := s.Licences(context.Background(), "91440305MA5F000189")
	if err != nil || len(ls) != 1 || ls[0].ID != "src:sgs:L1" || ls[0].ValidTo.String() != "2099-03-04" {
		t.Errorf("stored licences %+v, %v", ls, err)
	}
	if code, out := post(t, h, "/api/v1/ingest/licences", "text/csv", "licence_id,enterprise,decided\nL3,91440305MA5F000189,2024-03-05\n"); code != 422 ||
		!strings.Contains(errMessage(out), "name") {
		t.Errorf("a header without name: %d %v, want 422 naming the column", code, out)
	}
}
