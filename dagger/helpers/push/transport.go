package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"time"

	"goscratch.example/registryaccess"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// Retry bounds: at most maxAttempts tries of one request, and none started once a minute has gone
// since its first.
const (
	maxAttempts   = 5
	retryDeadline = time.Minute
)

// newTransport is the HTTP stack under oras-go's auth client: retries (counted in retries) over
// registryaccess's transport, which keeps Authorization headers to the registry's host (and the
// token service it names) and dials connect, when set, for every connection. The environment's
// proxy is kept with connect, as it always was here.
func newTransport(registryHost, connect string, retries *atomic.Int64) http.RoundTripper {
	base := registryaccess.NewTransport(registryHost, connect, registryaccess.TransportOptions{ProxyWithConnect: true})
	return &retrying{base: base, retries: retries}
}

// rewinder is a request body that can start again from its beginning (a blob of the layout).
type rewinder interface {
	Rewind() (io.ReadCloser, error)
}

// retrying retries transient failures with oras-go's retry transport and an exponential backoff,
// bounded in attempts and time, and counts every retry it makes. A streamed blob body is rewound
// for its retry: the layout's blobs are sections of the tarball.
type retrying struct {
	base    http.RoundTripper
	retries *atomic.Int64
}

func (t *retrying) RoundTrip(req *http.Request) (*http.Response, error) {
	if hasBody(req) && req.GetBody == nil {
		if rw, ok := req.Body.(rewinder); ok {
			req = req.Clone(req.Context())
			req.GetBody = rw.Rewind
		}
	}
	rewindable := !hasBody(req) || req.GetBody != nil
	start := time.Now()
	rt := &retry.Transport{Base: t.base, Policy: func() retry.Policy {
		return &retryPolicy{start: start, rewindable: rewindable, retries: t.retries}
	}}
	return rt.RoundTrip(req)
}

func hasBody(req *http.Request) bool { return req.Body != nil && req.Body != http.NoBody }

// retryPolicy is oras-go's exponential backoff (500 ms doubling, 10% jitter, at most 10 s between
// tries) with the predicate below, counting the retries it grants.
type retryPolicy struct {
	start      time.Time
	rewindable bool
	retries    *atomic.Int64
}

var backoff = retry.ExponentialBackoff(500*time.Millisecond, 2, 0.1)

func (p *retryPolicy) Retry(attempt int, resp *http.Response, err error) (time.Duration, error) {
	if attempt >= maxAttempts-1 || !p.rewindable || !transient(resp, err) {
		return -1, nil
	}
	d := min(max(backoff(attempt, resp), 200*time.Millisecond), 10*time.Second)
	if time.Since(p.start)+d > retryDeadline {
		return -1, nil
	}
	p.retries.Add(1)
	return d, nil
}

// transient tells the failures worth another try: 408, 429 and 5xx answers, and connection-level
// errors (refused, reset, DNS, timeouts, a connection closed early). A TLS certificate error or a
// cancelled context is not.
func transient(resp *http.Response, err error) bool {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false
		}
		var op *net.OpError
		var dns *net.DNSError
		var ne net.Error
		switch {
		case errors.As(err, &dns), errors.As(err, &op) && op.Op == "dial":
			// A name a service binding has not registered yet, a registry not listening yet.
			return true
		case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
			errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return true
		case errors.As(err, &ne) && ne.Timeout():
			return true
		}
		return false
	}
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return true
	case resp.StatusCode >= 500:
		return true
	}
	return false
}
