package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"riskgraph/auth"
	"riskgraph/ratelimit"
)

// ipExtractor decides the client address of a request. X-Forwarded-For is
// believed only when the connection comes from one of the trusted proxies
// (Options.TrustedProxies), and then only up to the nearest address that
// is not a trusted proxy; with none configured (the default) the address
// is the socket's, whatever the headers say. Echo's own fallback, which
// believes the first X-Forwarded-For entry from anyone, is never used.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// clientID is what limits key a client address on: the address, or its
// /64 for IPv6 (one host usually holds a whole /64).
func clientID(c echo.Context) string {
	a, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return "ip:" + c.RealIP()
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + a.String()
}

// newAuthFailures counts requests without a valid API key per client
// address (nil when disabled or in insecure dev mode, where no key is asked).
func (a *API) newAuthFailures() *ratelimit.Strikes {
	if a.opts.AuthFailLimit < 0 || a.opts.InsecureDev {
		return nil
	}
	return ratelimit.NewStrikes(a.opts.AuthFailLimit, a.opts.AuthFailWindow, a.opts.Now)
}

// authGate refuses (429) a client address that has sent too many requests
// without a valid key in this window — before its key is looked up, so
// such requests never reach the store or Redis. A key verified within
// KeyTTL passes without a look-up and is not held back. digest is raw's
// (auth.Digest), computed once per request by authenticate.
func (a *API) authGate(c echo.Context, raw string, digest auth.KeyDigest) error {
	if a.authFails == nil || (raw != "" && auth.WellFormed(raw) && a.keys.verified(digest)) {
		return nil
	}
	d := a.authFails.Check(clientID(c))
	if d.Allowed {
		return nil
	}
	secs := int((d.RetryAfter + time.Second - 1) / time.Second)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	a.m.RateLimited.WithLabelValues("unauthenticated").Inc()
	return echo.NewHTTPError(http.StatusTooManyRequests,
		fmt.Sprintf("too many requests without a valid API key from this address (%d per %v); retry in %d s", d.Limit, a.opts.AuthFailWindow, secs))
}

// authFailed counts a request refused with 401 against its address.
func (a *API) authFailed(c echo.Context) {
	if a.authFails != nil {
		a.authFails.Add(clientID(c))
	}
}

// verified reports whether the key of digest d is one the cache holds as
// valid (looked up within the TTL, found, not revoked), without asking the
// store.
func (kc *keyCache) verified(d auth.KeyDigest) bool {
	kc.mu.Lock()
	e, ok := kc.m[d]
	kc.mu.Unlock()
	return ok && e.err == nil && e.k.Revoked.IsZero() && kc.now().Sub(e.at) < kc.ttl
}
