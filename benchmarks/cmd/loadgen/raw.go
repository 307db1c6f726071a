package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// runRaw is the load of main with loadgen's own HTTP/1.1: one keep-alive
// TCP connection per worker, requests prepared once per path, answers
// read whole (the body skipped, not kept). A connection the server closes
// (Connection: close, an error) is dialled again; an error counts unless
// the duration was over when it happened.
func runRaw(base string, paths []string, key string, gz bool, conc int, dur time.Duration, limit int64, rate float64) {
	u, err := url.Parse(base)
	if err != nil {
		fmt.Println("loadgen: -base:", err)
		return
	}
	host := u.Host
	if u.Port() == "" {
		host += ":80"
	}
	prefix := u.Path
	reqs := make([][]byte, len(paths))
	for i, p := range paths {
		var b bytes.Buffer
		fmt.Fprintf(&b, "GET %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: riskgraph-loadgen\r\n", prefix, p, u.Host)
		if key != "" {
			fmt.Fprintf(&b, "Authorization: Bearer %s\r\n", key)
		}
		if gz {
			b.WriteString("Accept-Encoding: gzip\r\n")
		}
		b.WriteString("\r\n")
		reqs[i] = b.Bytes()
	}
	start := time.Now()
	end := start.Add(dur)
	pace := newPacer(start, end, rate)
	// The closed loop cuts the answers outstanding at the end; the open
	// loop waits for those sent before it (their latency is the figure).
	last := end
	if rate > 0 {
		last = end.Add(30 * time.Second)
	}
	var next atomic.Int64
	runWorkers(conc, func(w *tally) {
		var conn net.Conn
		var br *bufio.Reader
		for time.Now().Before(end) {
			n := next.Add(1) - 1
			if limit > 0 && n >= limit {
				break
			}
			if _, ok := pace.due(n); !ok {
				break
			}
			if conn == nil {
				c, err := net.DialTimeout("tcp", host, 5*time.Second)
				if err != nil {
					w.errs++
					time.Sleep(10 * time.Millisecond)
					continue
				}
				conn, br = c, bufio.NewReaderSize(c, 64<<10)
			}
			t, _ := pace.wait(n)
			_ = conn.SetDeadline(time.Now().Add(min(time.Until(last), 30*time.Second)))
			a, err := roundTrip(conn, br, reqs[n%int64(len(reqs))])
			if err != nil {
				if time.Now().Before(last) {
					w.errs++
				}
				conn.Close()
				conn = nil
				continue
			}
			w.lat = append(w.lat, time.Since(t))
			w.statuses[strconv.Itoa(a.status)]++
			if a.cache != "" {
				w.cache[a.cache]++
			}
			if a.close {
				conn.Close()
				conn = nil
			}
		}
		if conn != nil {
			conn.Close()
		}
	})
}

// answer is what loadgen keeps of a response.
type answer struct {
	status int
	cache  string // X-Cache
	close  bool   // the server closes the connection after it
}

var errMalformed = errors.New("malformed response")

// roundTrip writes req and reads its response whole from br.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (answer, error) {
	var a answer
	if _, err := conn.Write(req); err != nil {
		return a, err
	}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return a, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return a, errMalformed
	}
	if a.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return a, errMalformed
	}
	// An HTTP/1.0 server closes the connection after each answer unless
	// it says keep-alive.
	a.close = line[7] == '0'
	length, chunked := int64(-1), false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return a, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return a, errMalformed
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return a, errMalformed
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			a.close = bytes.EqualFold(value, []byte("close")) || a.close && !bytes.EqualFold(value, []byte("keep-alive"))
		case bytes.EqualFold(name, []byte("X-Cache")):
			a.cache = string(value)
		}
	}
	switch {
	case chunked:
		return a, skipChunks(br)
	case length >= 0:
		_, err = br.Discard(int(length))
		return a, err
	case a.status == 204 || a.status == 304 || a.status/100 == 1:
		return a, nil
	default: // the body runs to the connection's end
		a.close = true
		for {
			if _, err := br.Discard(br.Buffered() + 1); err != nil {
				return a, nil
			}
		}
	}
}

// skipChunks reads a chunked body and its trailer.
func skipChunks(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return errMalformed
		}
		if n == 0 {
			for { // trailer fields, then the empty line
				line, err := br.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if _, err := br.Discard(int(n)); err != nil {
			return err
		}
		line, err = br.ReadSlice('\n')
		if err != nil || len(bytes.TrimRight(line, "\r\n")) != 0 {
			return errMalformed
		}
	}
}
