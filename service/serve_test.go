package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServeStartsAndExitsCleanlyOnCancel(t *testing.T) {
	t.Parallel()
	in := start(t, nil, hooks{})
	if err := in.stop(t); err != nil {
		t.Fatalf("run returned %v, want nil", err)
	}
	if got := logLines(in.logs.String(), `"msg":"listening"`, `"admin_addr":"127.0.0.1:`); len(got) != 1 {
		t.Errorf("got %d listening log lines naming admin_addr, want 1; logs:\n%s", len(got), in.logs)
	}
	if got := logLines(in.logs.String(), `"msg":"shutdown complete"`); len(got) != 1 {
		t.Errorf("got %d shutdown complete lines, want 1", len(got))
	}
	if _, err := net.DialTimeout("tcp", in.publicAddr, time.Second); err == nil {
		t.Error("public port still accepts connections after run returned")
	}
}

func TestReadHeaderTimeoutDropsSlowClient(t *testing.T) {
	t.Parallel()
	in := start(t, map[string]string{"READ_HEADER_TIMEOUT": "200ms"}, hooks{})

	conn, err := net.Dial("tcp", in.publicAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A slowloris client: a request line, then one header byte every 50ms.
	// Finishing the headers would take 5s.
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	stopWriting := make(chan struct{})
	defer close(stopWriting)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range 100 {
			select {
			case <-stopWriting:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte("a")); err != nil {
				return
			}
		}
	}()

	// The server must end the connection: at most an error reply (net/http
	// sends "400 Bad Request" when the deadline cuts a header line in half),
	// then EOF or a reset. Reading until then measures when it happened.
	begin := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	reply, err := io.ReadAll(conn)
	elapsed := time.Since(begin)

	if netErr, ok := errors.AsType[net.Error](err); ok && netErr.Timeout() {
		t.Fatalf("server kept the slow connection open for %s", elapsed)
	}
	if len(reply) > 0 && !strings.HasPrefix(string(reply), "HTTP/1.1 4") {
		t.Errorf("got reply %q, want nothing or a 4xx before the connection closes", reply)
	}
	if elapsed > time.Second {
		t.Errorf("connection closed after %s, want within 1s (READ_HEADER_TIMEOUT=200ms)", elapsed)
	}
	if elapsed < 150*time.Millisecond {
		t.Errorf("connection closed after %s, before READ_HEADER_TIMEOUT=200ms", elapsed)
	}
}

func TestGracefulShutdownCompletesInFlight(t *testing.T) {
	t.Parallel()
	var (
		entered  = make(chan struct{})
		release  = make(chan struct{})
		draining = make(chan struct{})
		proceed  = make(chan struct{})
	)
	var releaseOnce, proceedOnce sync.Once
	unblock := func() {
		releaseOnce.Do(func() { close(release) })
		proceedOnce.Do(func() { close(proceed) })
	}
	in := start(t, map[string]string{"SHUTDOWN_TIMEOUT": "5s"}, hooks{
		routes: func(mux *http.ServeMux) {
			mux.HandleFunc("GET /test/slow", func(w http.ResponseWriter, r *http.Request) {
				close(entered)
				<-release // held until the test has seen the listener close
				fmt.Fprint(w, "slow done")
			})
		},
		beforeShutdown: func() {
			close(draining)
			<-proceed // held until the test has seen /readyz answer 503
		},
	})
	t.Cleanup(unblock) // never leave run blocked if the test fails early

	type result struct {
		status int
		body   string
		err    error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := testClient.Get(in.url("/test/slow"))
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{resp.StatusCode, string(b), err}
	}()
	waitClosed(t, entered, "slow handler to start")

	cancelled := time.Now()
	in.cancel()
	waitClosed(t, draining, "shutdown to begin")

	// Drain window: readiness fails, liveness still passes.
	if status, _, body := get(t, in.url("/readyz")); status != http.StatusServiceUnavailable || body != "shutting down" {
		t.Errorf("GET /readyz during shutdown = %d %q, want 503 \"shutting down\"", status, body)
	}
	if status, _, _ := get(t, in.url("/healthz")); status != http.StatusOK {
		t.Errorf("GET /healthz during shutdown = %d, want 200", status)
	}

	// Shutdown closes the listener while the slow request is still running.
	proceedOnce.Do(func() { close(proceed) })
	waitFor(t, 2*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", in.publicAddr, 100*time.Millisecond)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	select {
	case err := <-in.done:
		t.Fatalf("run returned %v while a request was still in flight", err)
	default:
	}

	releaseOnce.Do(func() { close(release) })
	select {
	case r := <-slow:
		if r.err != nil || r.status != http.StatusOK || r.body != "slow done" {
			t.Errorf("in-flight request = %d %q (err %v), want 200 \"slow done\"", r.status, r.body, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("in-flight request did not complete")
	}

	if err := in.stop(t); err != nil {
		t.Fatalf("run returned %v, want nil", err)
	}
	if elapsed := time.Since(cancelled); elapsed > 5*time.Second {
		t.Errorf("run returned %s after cancel, want within SHUTDOWN_TIMEOUT=5s", elapsed)
	}
	if _, err := net.DialTimeout("tcp", in.publicAddr, time.Second); err == nil {
		t.Error("new connection accepted after shutdown")
	}
}

func TestShutdownPastDeadlineExitsWithCode1(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	in := start(t, map[string]string{"SHUTDOWN_TIMEOUT": "200ms"}, hooks{
		routes: func(mux *http.ServeMux) {
			mux.HandleFunc("GET /test/stuck", func(w http.ResponseWriter, r *http.Request) {
				close(entered)
				<-release
			})
		},
	})
	go func() {
		if resp, err := testClient.Get(in.url("/test/stuck")); err == nil {
			resp.Body.Close()
		}
	}()
	waitClosed(t, entered, "stuck handler to start")

	begin := time.Now()
	in.cancel()
	var err error
	select {
	case err = <-in.done:
	case <-time.After(5 * time.Second):
		t.Fatal("run did not give up after SHUTDOWN_TIMEOUT")
	}
	in.stopOnce.Do(func() {}) // consumed above; keep the cleanup from waiting
	if got := exitCode(err); got != 1 {
		t.Fatalf("exit code %d (err %v), want 1", got, err)
	}
	if !strings.Contains(err.Error(), "SHUTDOWN_TIMEOUT=200ms") {
		t.Errorf("error %q does not name SHUTDOWN_TIMEOUT", err)
	}
	if elapsed := time.Since(begin); elapsed > 2*time.Second {
		t.Errorf("run returned %s after cancel, want about 200ms", elapsed)
	}
}

func TestPanickingHandlerReturns500AndServerKeepsServing(t *testing.T) {
	t.Parallel()
	in := start(t, nil, hooks{
		routes: func(mux *http.ServeMux) {
			mux.HandleFunc("GET /test/panic", func(w http.ResponseWriter, r *http.Request) {
				panic("boom")
			})
			mux.HandleFunc("GET /test/abort", func(w http.ResponseWriter, r *http.Request) {
				panic(http.ErrAbortHandler)
			})
		},
	})

	status, _, body := get(t, in.url("/test/panic"))
	if status != http.StatusInternalServerError || body != "internal server error\n" {
		t.Errorf("GET /test/panic = %d %q, want 500 \"internal server error\\n\"", status, body)
	}
	if got := logLines(in.logs.String(), `"level":"ERROR"`, `"panic":"boom"`, `"route":"GET /test/panic"`); len(got) != 1 {
		t.Errorf("got %d error log lines for the panic, want 1; logs:\n%s", len(got), in.logs)
	}
	if got := logLines(in.logs.String(), `"msg":"request"`, `"route":"GET /test/panic"`, `"status":500`); len(got) != 1 {
		t.Errorf("got %d access log lines with status 500, want 1", len(got))
	}

	// http.ErrAbortHandler aborts the connection instead of becoming a 500.
	if resp, err := testClient.Get(in.url("/test/abort")); err == nil {
		resp.Body.Close()
		t.Errorf("GET /test/abort = %d, want the connection aborted", resp.StatusCode)
	}

	if status, _, body := get(t, in.url("/healthz")); status != http.StatusOK || body != "ok" {
		t.Errorf("GET /healthz after panics = %d %q, want 200 \"ok\"", status, body)
	}
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
