package main

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"
)

// proxy is a loopback reverse proxy in front of a registry. The registry builds its Location
// headers from the Host it is asked for, which the proxy keeps, so every URL the registry hands
// out leads back through the proxy. hook may answer a request itself (returning true); modify may
// change the registry's answers.
type proxy struct {
	host string // 127.0.0.1:port
	url  string

	mu       sync.Mutex
	requests []recorded
}

// recorded is a request the proxy saw.
type recorded struct {
	method, host, path, authorization string
}

func startProxy(t testing.TB, upstream string, hook func(w http.ResponseWriter, r *http.Request, n int) bool, modify func(*http.Response) error) *proxy {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		ModifyResponse: modify,
		ErrorLog:       log.New(io.Discard, "", 0),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.requests = append(p.requests, recorded{r.Method, r.Host, r.URL.Path, r.Header.Get("Authorization")})
		n := len(p.requests)
		p.mu.Unlock()
		if hook != nil && hook(w, r, n) {
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	p.host = l.Addr().String()
	p.url = "http://" + p.host
	return p
}

// seen is every request the proxy received, in order.
func (p *proxy) seen() []recorded {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]recorded(nil), p.requests...)
}

// answer writes a registry-style error answer after reading the request's body, as a registry
// would, so the client is not cut off mid-upload.
func answer(w http.ResponseWriter, r *http.Request, status int, body string) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
