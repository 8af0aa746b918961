package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestTransientFailures(t *testing.T) {
	status := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	for _, tc := range []struct {
		name string
		resp *http.Response
		err  error
		want bool
	}{
		{"503", status(503), nil, true},
		{"500", status(500), nil, true},
		{"502", status(502), nil, true},
		{"408", status(408), nil, true},
		{"429", status(429), nil, true},
		{"200", status(200), nil, false},
		{"401", status(401), nil, false},
		{"403", status(403), nil, false},
		{"404", status(404), nil, false},
		{"refused", nil, &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"DNS", nil, &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, true},
		{"reset", nil, &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"EOF", nil, io.ErrUnexpectedEOF, true},
		{"cancelled", nil, context.Canceled, false},
		{"other", nil, errors.New("x509: certificate signed by unknown authority"), false},
	} {
		if got := transient(tc.resp, tc.err); got != tc.want {
			t.Errorf("%s: transient = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// fastRetries shortens the backoff for a test.
func fastRetries(t *testing.T) {
	saved := backoff
	backoff = func(int, *http.Response) time.Duration { return time.Millisecond }
	t.Cleanup(func() { backoff = saved })
}

func TestRetryRewindsAStreamedBodyAndCounts(t *testing.T) {
	fastRetries(t)
	data := strings.Repeat("blob bytes ", 10000)
	file := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(file, []byte("header"+data+"trailer"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		if n <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	var retries atomic.Int64
	client := &http.Client{Transport: newTransport(host, "", &retries)}

	body := newSection(f, entry{offset: int64(len("header")), size: int64(len(data))})
	req, err := http.NewRequest(http.MethodPut, srv.URL+"/v2/x/blobs/uploads/u", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(data))
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || retries.Load() != 2 || len(bodies) != 3 {
		t.Fatalf("status %d after %d attempts, %d retries counted; want 201 after 3, 2 counted", res.StatusCode, len(bodies), retries.Load())
	}
	for i, b := range bodies {
		if b != data {
			t.Errorf("attempt %d sent %d bytes, not the blob", i+1, len(b))
		}
	}

	// A body that cannot be rewound is not retried, nor counted.
	bodies = nil
	retries.Store(0)
	req, _ = http.NewRequest(http.MethodPut, srv.URL+"/v2/x/blobs/uploads/u", io.MultiReader(strings.NewReader(data)))
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || retries.Load() != 0 || len(bodies) != 1 {
		t.Fatalf("unrewindable body: status %d after %d attempts, %d retries", res.StatusCode, len(bodies), retries.Load())
	}
}

func TestRetriesAreBounded(t *testing.T) {
	fastRetries(t)
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		attempts.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	var retries atomic.Int64
	client := &http.Client{Transport: newTransport(strings.TrimPrefix(srv.URL, "http://"), "", &retries)}
	res, err := client.Get(srv.URL + "/v2/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadGateway || attempts.Load() != maxAttempts || retries.Load() != maxAttempts-1 {
		t.Fatalf("%d attempts, %d retries, status %d; want %d attempts", attempts.Load(), retries.Load(), res.StatusCode, maxAttempts)
	}
	// No retry starts once the request has run for a minute.
	p := &retryPolicy{start: time.Now().Add(-retryDeadline), rewindable: true, retries: &retries}
	if d, _ := p.Retry(0, &http.Response{StatusCode: 503}, nil); d >= 0 {
		t.Errorf("a retry was granted after the deadline: %s", d)
	}
}
