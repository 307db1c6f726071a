package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"riskgraph/auth"
	"riskgraph/store"
	"riskgraph/store/memory"
	"riskgraph/store/storetest"
)

// from sends GET path from the socket address remote with the headers
// given (name, value pairs) and returns the status.
func from(h http.Handler, remote, path string, hdr ...string) (int, http.Header) {
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header()
}

// TestSpoofedForwardedForDoesNotLiftLimit: limits keyed by client address
// (the per-address limit of insecure dev mode, the limit on requests
// without a valid key) count the socket's address whatever X-Forwarded-For
// says, unless the socket is a trusted proxy; through a trusted proxy they
// count the address the proxy saw, not what the client wrote before it.
func TestSpoofedForwardedForDoesNotLiftLimit(t *testing.T) {
	path := "/api/v1/enterprises/" + storetest.B
	spoof := func(i int) string { return fmt.Sprintf("203.0.113.%d", i+1) }

	t.Run("insecure dev, no trusted proxies", func(t *testing.T) {
		sc := newSecured(t, memStore(t), Options{InsecureDev: true, RateLimit: 3})
		for i := range 3 {
			if code, _ := from(sc.h, "198.51.100.7:4000", path, "X-Forwarded-For", spoof(i), "X-Real-IP", spoof(i+10)); code != 200 {
				t.Fatalf("request %d: %d", i, code)
			}
		}
		code, hdr := from(sc.h, "198.51.100.7:4001", path, "X-Forwarded-For", spoof(9))
		if code != 429 || hdr.Get("Retry-After") == "" {
			t.Errorf("4th request with a new X-Forwarded-For: %d, want 429", code)
		}
		if code, _ := from(sc.h, "198.51.100.8:4000", path); code != 200 {
			t.Errorf("another socket address: %d, want its own count", code)
		}
	})

	t.Run("loopback is not trusted unless named", func(t *testing.T) {
		sc := newSecured(t, memStore(t), Options{InsecureDev: true, RateLimit: 2,
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
		codes := []int{}
		for i := range 3 {
			code, _ := from(sc.h, "127.0.0.1:5000", path, "X-Forwarded-For", spoof(i))
			codes = append(codes, code)
		}
		if codes[2] != 429 {
			t.Errorf("from loopback with changing X-Forwarded-For: %v, want the 3rd refused", codes)
		}
	})

	t.Run("trusted proxy", func(t *testing.T) {
		sc := newSecured(t, memStore(t), Options{InsecureDev: true, RateLimit: 2,
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}})
		// Clients behind the proxy are counted apart.
		for i := range 4 {
			if code, _ := from(sc.h, "10.1.2.3:6000", path, "X-Forwarded-For", spoof(i)); code != 200 {
				t.Errorf("client %s through the proxy: %d", spoof(i), code)
			}
		}
		// A client that writes its own X-Forwarded-For: the proxy appends
		// the address it saw, and that one is counted.
		codes := []int{}
		for i := range 3 {
			code, _ := from(sc.h, "10.1.2.3:6001", path, "X-Forwarded-For", spoof(20+i)+", 198.51.100.50")
			codes = append(codes, code)
		}
		if codes[0] != 200 || codes[2] != 429 {
			t.Errorf("spoofing through the proxy: %v, want the 3rd refused", codes)
		}
		// Chains of trusted proxies are walked; IPv6 clients count per /64.
		codes = codes[:0]
		for i := range 3 {
			code, _ := from(sc.h, "[fd00::1]:6002", path, "X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x, 10.9.9.9", i+1))
			codes = append(codes, code)
		}
		if codes[0] != 200 || codes[2] != 429 {
			t.Errorf("IPv6 clients of one /64 behind two proxies: %v, want the 3rd refused", codes)
		}
	})

	t.Run("requests without a valid key", func(t *testing.T) {
		sc := newSecured(t, memStore(t), Options{AuthFailLimit: 3})
		for i := range 3 {
			if code, _ := from(sc.h, "198.51.100.7:4000", path, "X-Forwarded-For", spoof(i)); code != 401 {
				t.Fatalf("request %d without a key: %d", i, code)
			}
		}
		if code, _ := from(sc.h, "198.51.100.7:4000", path, "X-Forwarded-For", spoof(5)); code != 429 {
			t.Errorf("4th request without a key, new X-Forwarded-For: %d, want 429", code)
		}
	})
}

// countingKeys is the memory store counting the key look-ups that reach it.
type countingKeys struct {
	*memory.Store
	lookups atomic.Int64
}

func (c *countingKeys) KeyByHash(ctx context.Context, hash string) (store.APIKey, error) {
	c.lookups.Add(1)
	return c.Store.KeyByHash(ctx, hash)
}

// TestUnauthenticatedLimitedBeforeStore: an address that sent too many
// requests without a valid key (none, malformed, unknown) gets 429 with
// Retry-After, and from then on its requests are refused before any key
// look-up; other addresses, and keys this server has already verified,
// are not held back.
func TestUnauthenticatedLimitedBeforeStore(t *testing.T) {
	cs := &countingKeys{Store: memStore(t)}
	sc := newSecured(t, cs, Options{AuthFailLimit: 5})
	path := "/api/v1/enterprises/" + storetest.B
	attacker, other := "198.51.100.66:1000", "198.51.100.67:1000"
	if code, _ := from(sc.h, attacker, path, "Authorization", "Bearer "+sc.keys[auth.Inspector]); code != 200 {
		t.Fatalf("valid key: %d", code) // verified now, and cached
	}
	unknown := func(i int) string {
		return "Bearer " + sc.keys[auth.Admin][:21] + fmt.Sprintf("%043d", i)
	}
	for i := range 5 {
		hdr := []string{"Authorization", unknown(i)}
		if i == 3 {
			hdr = nil // no key counts as well
		}
		if code, _ := from(sc.h, attacker, path, hdr...); code != 401 {
			t.Fatalf("failure %d: %d, want 401", i, code)
		}
	}
	before := cs.lookups.Load()
	for i := range 20 {
		code, hdr := from(sc.h, attacker, path, "Authorization", unknown(100+i))
		if code != 429 || hdr.Get("Retry-After") == "" {
			t.Fatalf("unknown key after the limit: %d %v, want 429 with Retry-After", code, hdr)
		}
	}
	if code, _ := from(sc.h, attacker, path, "X-API-Key", "garbage"); code != 429 {
		t.Errorf("malformed key after the limit: %d, want 429", code)
	}
	if n := cs.lookups.Load() - before; n != 0 {
		t.Errorf("%d key look-ups reached the store after the limit, want 0", n)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = attacker
	sc.h.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), "without a valid API key from this address") {
		t.Errorf("429 message: %s", rec.Body)
	}
	if code, _ := from(sc.h, attacker, path, "Authorization", "Bearer "+sc.keys[auth.Inspector]); code != 200 {
		t.Errorf("a key verified before, from the limited address: %d, want 200", code)
	}
	if code, _ := from(sc.h, other, path, "Authorization", unknown(999)); code != 401 {
		t.Errorf("another address: %d, want 401", code)
	}
	if code, _ := from(sc.h, other, path, "Authorization", "Bearer "+sc.keys[auth.Dashboard]); code != 200 {
		t.Errorf("another address with a valid key: %d", code)
	}
}
