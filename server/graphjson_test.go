package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rs/zerolog"

	"riskgraph/cache"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// TestNetworkBody: the network answer, written by store.Graph.AppendJSON,
// is byte for byte what c.JSON (encoding/json's Encoder) wrote, on a
// network with every shown property, on the miss and from the cache.
func TestNetworkBody(t *testing.T) {
	s, err := memory.Open(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.LoadNetworkProperties(t, s)
	h := New(Options{Store: s, Cache: cache.NewLocal(10, nil), Logger: zerolog.Nop(), Version: "test", InsecureDev: true})
	g, err := store.Neighbourhood(context.Background(), s, storetest.NetworkPropertiesRoots[0], 2, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.NewEncoder(&want).Encode(g); err != nil {
		t.Fatal(err)
	}
	url := "/api/v1/enterprises/" + storetest.NetworkPropertiesRoots[0].Key + "/network?depth=2&limit=100"
	for _, u := range []string{url, url} { // the miss, then the cached answer
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
		if rec.Code != 200 || rec.Body.String() != want.String() || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("GET %s: %d %q\n body %s\n want %s", u, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), want.String())
		}
	}
}
