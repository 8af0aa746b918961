package main

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestShutdownUnderKeepAliveLoadAnswersEveryHandledRequest is the race the
// shutdown bench looks for: many keep-alive clients sending back to back,
// the context cancelled (SIGTERM) in the middle, and every request the server
// took on (one access-log line each) must have reached its client as a
// complete response. Requests the server never read (refused once the
// listener closed, or written onto an idle connection as Shutdown closed it)
// fail on the client and are not logged; a request that is logged but not
// answered is one lost in flight. Go's Transport retries a GET whose reused
// connection broke before any response byte, so a lost response shows up as
// one more logged request than answered ones.
func TestShutdownUnderKeepAliveLoadAnswersEveryHandledRequest(t *testing.T) {
	t.Parallel()
	const clients = 64
	in := start(t, map[string]string{"LOG_LEVEL": "info", "SHUTDOWN_TIMEOUT": "5s"}, hooks{})

	transport := &http.Transport{MaxIdleConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}

	var answered, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(in.url("/?name=load"))
				if err != nil {
					failed.Add(1)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || string(body) != "Hello, load!" {
					t.Errorf("response %d %q (err %v), want a complete 200 \"Hello, load!\"", resp.StatusCode, body, err)
					continue
				}
				answered.Add(1)
			}
		})
	}

	// Cancel mid-load: once every client has had time to open its
	// connection and the server is answering on all of them.
	waitFor(t, 5*time.Second, func() bool { return answered.Load() >= 4*clients })
	if err := in.stop(t); err != nil {
		t.Fatalf("run returned %v, want a clean exit", err)
	}
	// Run has returned: the listener is closed, so every client now fails
	// fast; let them notice, then stop them.
	waitFor(t, 5*time.Second, func() bool { return failed.Load() >= clients })
	close(stop)
	wg.Wait()

	handled := int64(len(logLines(in.logs.String(), `"msg":"request"`, `"path":"/"`)))
	if handled != answered.Load() {
		t.Errorf("server handled %d requests, clients got %d complete responses: %d lost in flight",
			handled, answered.Load(), handled-answered.Load())
	}
	if handled == 0 || !strings.Contains(in.logs.String(), `"msg":"shutdown complete"`) {
		t.Errorf("want requests handled and a complete shutdown; logs:\n%s", in.logs)
	}
}
