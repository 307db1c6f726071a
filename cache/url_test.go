package cache

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestParseURL: one server, Sentinel and Cluster URLs become the universal
// client's options, with bounded timeouts unless the URL sets them.
func TestParseURL(t *testing.T) {
	type want struct {
		addrs      []string
		master     string
		cluster    bool
		db         int
		user, pass string
		// sentUser, sentPass authenticate to the sentinels (the URL's user
		// info on a Sentinel URL; the master's are username= and password=).
		sentUser, sentPass string
		tls                bool
		dial, read         time.Duration
		pool               int
		retries            int
	}
	bounded := func(w want) want {
		if w.dial == 0 {
			w.dial = DefaultDialTimeout
		}
		if w.read == 0 {
			w.read = DefaultReadTimeout
		}
		if w.retries == 0 {
			w.retries = 1
		}
		return w
	}
	cases := []struct {
		url  string
		want want
	}{
		{"redis://127.0.0.1:6379/0", want{addrs: []string{"127.0.0.1:6379"}}},
		{"redis://cache.internal/3", want{addrs: []string{"cache.internal:6379"}, db: 3}},
		{"rediss://app:s3cret@cache.internal:6380/1", want{addrs: []string{"cache.internal:6380"}, db: 1, user: "app", pass: "s3cret", tls: true}},
		{"redis://:pw@h:6379/0?read_timeout=2s&dial_timeout=3s&pool_size=50&max_retries=4",
			want{addrs: []string{"h:6379"}, pass: "pw", read: 2 * time.Second, dial: 3 * time.Second, pool: 50, retries: 4}},
		// Sentinel: the host and every addr are sentinels; master_name the master.
		{"redis://s1:26379/2?master_name=mymaster&addr=s2:26379&addr=s3:26379",
			want{addrs: []string{"s1:26379", "s2:26379", "s3:26379"}, master: "mymaster", db: 2}},
		{"redis://su:sp@s1:26379/0?master_name=m&username=mu&password=mp",
			want{addrs: []string{"s1:26379"}, master: "m", sentUser: "su", sentPass: "sp", user: "mu", pass: "mp"}},
		// Cluster: cluster=true, or seed addrs without a master name.
		{"redis://n1:7000?cluster=true", want{addrs: []string{"n1:7000"}, cluster: true}},
		{"redis://n1:7000?addr=n2:7001&addr=n3:7002", want{addrs: []string{"n1:7000", "n2:7001", "n3:7002"}, cluster: true}},
		{"rediss://u:p@n1:7000?addr=n2:7001&read_timeout=1s", want{addrs: []string{"n1:7000", "n2:7001"}, cluster: true, user: "u", pass: "p", tls: true, read: time.Second}},
	}
	for _, c := range cases {
		o, err := ParseURL(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		w := bounded(c.want)
		got := want{addrs: o.Addrs, master: o.MasterName, cluster: o.IsClusterMode, db: o.DB, user: o.Username, pass: o.Password,
			sentUser: o.SentinelUsername, sentPass: o.SentinelPassword,
			tls: o.TLSConfig != nil, dial: o.DialTimeout, read: o.ReadTimeout, pool: o.PoolSize, retries: o.MaxRetries}
		if !slices.Equal(got.addrs, w.addrs) || got.master != w.master || got.cluster != w.cluster || got.db != w.db ||
			got.user != w.user || got.pass != w.pass || got.sentUser != w.sentUser || got.sentPass != w.sentPass || got.tls != w.tls || got.dial != w.dial || got.read != w.read ||
			got.pool != w.pool || got.retries != w.retries {
			t.Errorf("%s:\n got  %+v\n want %+v", c.url, got, w)
		}
		if o.WriteTimeout != DefaultWriteTimeout || o.PoolTimeout != DefaultPoolTimeout {
			t.Errorf("%s: write %v pool %v, want the bounded defaults", c.url, o.WriteTimeout, o.PoolTimeout)
		}
		if w.tls && o.TLSConfig.InsecureSkipVerify {
			t.Errorf("%s: TLS without certificate verification", c.url)
		}
	}
}

func TestParseURLErrorsHidePasswords(t *testing.T) {
	for _, u := range []string{
		"http://user:hunter2@h:6379",
		"redis://user:hunter2@h:6379/notadb",
		"redis://user:hunter2@s1:26379/x?master_name=m",
		"redis://user:hunter2@h:6379?read_timeout=soon",
		"redis://user:hunter2@n1:7000?cluster=true&addr=n2:7001&pool_size=many",
	} {
		_, err := ParseURL(u)
		if err == nil {
			t.Errorf("%s accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "redis://") {
			t.Errorf("%s: %v; want a message without the password that shows the expected form", u, err)
		}
	}
}
