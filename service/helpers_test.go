package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClient opens a fresh connection per request, so no test depends on
// which pooled connection a request happens to reuse.
var testClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// syncBuffer is an io.Writer that tests can read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fakeEnv is a getenv backed by a map.
func fakeEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// instance is one run() serving on free ports.
type instance struct {
	publicAddr string // 127.0.0.1:port
	adminAddr  string // 127.0.0.1:port, "" when ADMIN_ADDR=off
	logs       *syncBuffer
	stderr     *syncBuffer

	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once
	stopErr  error
}

func (in *instance) url(path string) string      { return "http://" + in.publicAddr + path }
func (in *instance) adminURL(path string) string { return "http://" + in.adminAddr + path }

// start runs the server with PORT=0 and ADMIN_ADDR=127.0.0.1:0 unless env
// says otherwise, waits until /healthz answers 200, and registers a cleanup
// that cancels the context and requires a clean exit.
func start(t *testing.T, env map[string]string, h hooks) *instance {
	t.Helper()
	full := map[string]string{"PORT": "0", "ADMIN_ADDR": "127.0.0.1:0"}
	for k, v := range env {
		full[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{logs: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}

	type addrs struct{ public, admin net.Addr }
	listening := make(chan addrs, 1)
	h.onListen = func(public, admin net.Addr) { listening <- addrs{public, admin} }
	go func() {
		in.done <- runWith(ctx, []string{"service"}, fakeEnv(full), in.logs, in.stderr, h)
	}()

	select {
	case a := <-listening:
		in.publicAddr = loopback(a.public)
		if a.admin != nil {
			in.adminAddr = loopback(a.admin)
		}
	case err := <-in.done:
		cancel()
		t.Fatalf("run returned before listening: %v (stderr %q)", err, in.stderr.String())
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("run did not start listening within 5s")
	}
	t.Cleanup(func() {
		if err := in.stop(t); err != nil {
			t.Errorf("run returned %v after cancel, want nil (clean exit)", err)
		}
	})
	waitFor(t, 5*time.Second, func() bool {
		resp, err := testClient.Get(in.url("/healthz"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return in
}

// stop cancels run's context and returns what run returned (once).
func (in *instance) stop(t *testing.T) error {
	t.Helper()
	in.stopOnce.Do(func() {
		in.cancel()
		select {
		case in.stopErr = <-in.done:
		case <-time.After(15 * time.Second):
			t.Fatal("run did not return within 15s of cancel")
		}
	})
	return in.stopErr
}

func loopback(a net.Addr) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(a.(*net.TCPAddr).Port))
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// do sends a request with a fresh connection and returns status, headers and body.
func do(t *testing.T, method, url string, body io.Reader, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	return do(t, http.MethodGet, url, nil, nil)
}

// logLines returns the JSON log lines containing all of the substrings.
func logLines(logs string, subs ...string) []string {
	var out []string
	for line := range strings.Lines(logs) {
		ok := true
		for _, s := range subs {
			if !strings.Contains(line, s) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}
