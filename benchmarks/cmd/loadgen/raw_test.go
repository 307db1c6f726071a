package main

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRoundTrip: loadgen's own HTTP/1.1 reads whole answers of every shape
// net/http's server sends — by Content-Length, chunked with a trailer,
// without a body, closing the connection — so that the next request on
// the connection starts at its status line.
func TestRoundTrip(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Cache", r.URL.Path[1:])
		switch r.URL.Path {
		case "/small":
			_, _ = w.Write([]byte(`{"a":1}`))
		case "/chunked":
			w.Header().Set("Trailer", "X-Sum")
			_, _ = w.Write([]byte(big))
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte(big))
			w.Header().Set("X-Sum", "2")
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = w.Write([]byte("bye"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 4096)
	for _, tc := range []struct {
		path   string
		status int
		close  bool
	}{{"/small", 200, false}, {"/chunked", 200, false}, {"/empty", 204, false}, {"/nowhere", 404, false}, {"/small", 200, false}, {"/close", 200, true}} {
		a, err := roundTrip(conn, br, []byte("GET "+tc.path+" HTTP/1.1\r\nHost: x\r\n\r\n"))
		if err != nil || a.status != tc.status || a.cache != tc.path[1:] || a.close != tc.close {
			t.Fatalf("%s: %+v %v; want status %d, X-Cache %s, close %v", tc.path, a, err, tc.status, tc.path[1:], tc.close)
		}
	}
	if br.Buffered() != 0 {
		t.Errorf("%d bytes left unread after the last answer", br.Buffered())
	}
}

// TestHTTP10ClosesUnlessKeepAlive: an HTTP/1.0 answer ends its connection
// unless it says keep-alive, so loadgen dials again instead of counting
// the next request on a closed connection as an error.
func TestHTTP10ClosesUnlessKeepAlive(t *testing.T) {
	for _, tc := range []struct {
		answer string
		close  bool
	}{
		{"HTTP/1.0 404 File not found\r\nContent-Length: 3\r\n\r\nabc", true},
		{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false},
		{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", true},
	} {
		client, server := net.Pipe()
		go func() {
			_, _ = bufio.NewReader(server).ReadString('\n') // the request line is enough
			_, _ = server.Write([]byte(tc.answer))
			server.Close()
		}()
		a, err := roundTrip(client, bufio.NewReader(client), []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		client.Close()
		if err != nil || a.close != tc.close {
			t.Errorf("%q: close %v, %v; want close %v", tc.answer, a.close, err, tc.close)
		}
	}
}
