package report

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Webhook delivers reports by HTTP POST. The body is the report's JSON
// document; the headers say which report it is and sign it:
//
//	X-Riskgraph-Report:    the report id
//	X-Riskgraph-Timestamp: Unix seconds of the attempt
//	X-Riskgraph-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))
//
// A 2xx answer is delivery; anything else is retried with exponential
// backoff (Backoff, 2·Backoff, 4·Backoff, …) up to Attempts times.
type Webhook struct {
	URL      string
	Secret   []byte
	Attempts int           // default 5
	Backoff  time.Duration // default 2 s
	Client   *http.Client  // default: 30 s timeout
	Now      func() time.Time
	// Sleep waits between attempts (tests pass a fake); it returns early
	// with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Delivery is a report's delivery status, stored with the report.
type Delivery struct {
	// Target is the webhook's scheme, host and path (never its query,
	// which may hold a token).
	Target   string    `json:"target"`
	Status   string    `json:"status"` // pending, delivered or failed
	Attempts []Attempt `json:"attempts"`
}

// Attempt is one delivery attempt.
type Attempt struct {
	At     time.Time `json:"at"`
	Status int       `json:"status,omitempty"` // HTTP status, 0 when there was no answer
	Error  string    `json:"error,omitempty"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Validate checks the webhook's settings.
func (w *Webhook) Validate() error {
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("report webhook: URL must be http(s)://host/path")
	}
	if len(w.Secret) < 16 {
		return errors.New("report webhook: the signing secret (RISKGRAPH_REPORT_WEBHOOK_SECRET) needs at least 16 bytes")
	}
	return nil
}

// Sign returns the signature header value for body at timestamp ts.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func target(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// Deliver posts body for report id, calling progress after every attempt
// with the status so far (so that it can be stored), and returns the final status.
func (w *Webhook) Deliver(ctx context.Context, id string, body []byte, progress func(Delivery)) Delivery {
	attempts, backoff := w.Attempts, w.Backoff
	if attempts <= 0 {
		attempts = 5
	}
	if backoff <= 0 {
		backoff = 2 * time.Second
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	now, sleep := w.Now, w.Sleep
	if now == nil {
		now = time.Now
	}
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	d := Delivery{Target: target(w.URL), Status: DeliveryPending, Attempts: []Attempt{}}
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if err := sleep(ctx, backoff<<(i-1)); err != nil {
				break
			}
		}
		at := now().UTC()
		a := Attempt{At: at}
		ts := strconv.FormatInt(at.Unix(), 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			req.Header.Set("X-Riskgraph-Report", id)
			req.Header.Set("X-Riskgraph-Timestamp", ts)
			req.Header.Set("X-Riskgraph-Signature", Sign(w.Secret, ts, body))
			var resp *http.Response
			if resp, err = client.Do(req); err == nil {
				a.Status = resp.StatusCode
				resp.Body.Close()
			}
		}
		if err != nil {
			// The error may name the URL with its query; keep only the kind.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			a.Error = err.Error()
		} else if a.Status < 200 || a.Status > 299 {
			a.Error = "HTTP " + strconv.Itoa(a.Status)
		}
		d.Attempts = append(d.Attempts, a)
		if a.Error == "" {
			d.Status = DeliveryDelivered
			break
		}
		if i == attempts-1 {
			d.Status = DeliveryFailed
		}
		if progress != nil && d.Status == DeliveryPending {
			progress(d)
		}
	}
	if d.Status == DeliveryPending {
		d.Status = DeliveryFailed // cancelled between attempts
	}
	if progress != nil {
		progress(d)
	}
	return d
}

// JSON renders the status for the store.
func (d Delivery) JSON() json.RawMessage {
	b, _ := json.Marshal(d)
	return b
}
