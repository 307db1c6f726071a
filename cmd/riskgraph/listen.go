package main

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
)

// check validates the HTTP settings against the listen address and
// returns the trusted proxies. serve and demo call it before doing any work.
func (o *serveOptions) check(addr string) ([]netip.Prefix, error) {
	if o.insecureDev {
		if err := loopbackOnly(addr); err != nil {
			return nil, err
		}
	}
	proxies, err := parseTrustedProxies(o.trustedProxies)
	if err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	return proxies, nil
}

// loopbackOnly refuses a listen address other processes or machines could
// reach: --insecure-dev serves every request as admin without a key.
func loopbackOnly(addr string) error {
	refuse := func() error {
		return fmt.Errorf("--insecure-dev serves every request as admin without an API key, so it listens only on a loopback address "+
			"(127.0.0.0/8, ::1 or localhost); --addr %q is not one: use --addr 127.0.0.1:<port>, "+
			"or serve with API keys (riskgraph keys create) and without --insecure-dev", addr)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return refuse()
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.Unmap().IsLoopback() {
		return refuse() // "" and 0.0.0.0 listen everywhere; names may resolve anywhere
	}
	return nil
}

// parseTrustedProxies reads CIDRs (10.0.0.0/8, fd00::/8) or single
// addresses (10.1.2.3, ::1).
func parseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR (10.0.0.0/8) nor an IP address", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// envList splits a comma-separated environment variable (nil when unset).
func envList(name string) []string {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}
