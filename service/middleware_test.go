package main

import (
	"encoding/json"
	"expvar"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// newTestServer uses unpublished counters, so counts are exact.
func newTestServer(t *testing.T, extra func(*http.ServeMux)) (http.Handler, *metrics, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	logger, _ := newLogger(logs, slog.LevelInfo)
	m := &metrics{requests: new(expvar.Map), inFlight: new(expvar.Int)}
	return NewServer(logger, m, &state{}, extra), m, logs
}

func serveOnce(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestMetricsCountByRouteAndStatus(t *testing.T) {
	var m *metrics
	h, m, _ := newTestServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /test/inflight", func(w http.ResponseWriter, r *http.Request) {
			if got := m.inFlight.Value(); got != 1 {
				t.Errorf("in_flight inside a handler = %d, want 1", got)
			}
		})
	})
	serveOnce(h, "GET", "/healthz")
	serveOnce(h, "GET", "/healthz")
	serveOnce(h, "GET", "/?name=Ada")
	serveOnce(h, "GET", "/?name=%FF")
	serveOnce(h, "GET", "/no/such/path")
	serveOnce(h, "POST", "/healthz")
	serveOnce(h, "GET", "/test/inflight")

	want := map[string]int64{
		"GET /healthz 200":       2,
		"GET /{$} 200":           1,
		"GET /{$} 400":           1,
		"unmatched 404":          1,
		"unmatched 405":          1,
		"GET /test/inflight 200": 1,
	}
	got := map[string]int64{}
	m.requests.Do(func(kv expvar.KeyValue) { got[kv.Key] = kv.Value.(*expvar.Int).Value() })
	if len(got) != len(want) {
		t.Errorf("requests = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("requests[%q] = %d, want %d", k, got[k], v)
		}
	}
	if v := m.inFlight.Value(); v != 0 {
		t.Errorf("in_flight after all requests = %d, want 0", v)
	}
}

func TestAccessLogHasOneLinePerRequest(t *testing.T) {
	h, _, logs := newTestServer(t, nil)
	serveOnce(h, "GET", "/healthz")
	serveOnce(h, "GET", "/missing")

	lines := logLines(logs.String(), `"msg":"request"`)
	if len(lines) != 2 {
		t.Fatalf("got %d access log lines, want 2:\n%s", len(lines), logs)
	}
	type entry struct {
		Method     string   `json:"method"`
		Route      string   `json:"route"`
		Status     int      `json:"status"`
		DurationMS *float64 `json:"duration_ms"`
		Bytes      *int64   `json:"bytes"`
	}
	var first, second entry
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if first.Method != "GET" || first.Route != "GET /healthz" || first.Status != 200 || first.DurationMS == nil || first.Bytes == nil || *first.Bytes != 2 {
		t.Errorf("access log line %s, want GET, route GET /healthz, 200, duration_ms, bytes 2", lines[0])
	}
	if second.Route != "unmatched" || second.Status != 404 {
		t.Errorf("access log line %s, want route unmatched, status 404", lines[1])
	}
}

func TestPanicAfterResponseStartedAbortsTheResponse(t *testing.T) {
	h, m, logs := newTestServer(t, func(mux *http.ServeMux) {
		mux.HandleFunc("GET /test/half", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("partial"))
			panic("late boom")
		})
	})
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler so net/http drops the connection", v)
		}
		if !strings.Contains(logs.String(), `"panic":"late boom"`) {
			t.Errorf("panic not logged:\n%s", logs)
		}
		if lines := logLines(logs.String(), `"msg":"request"`, `"aborted":true`); len(lines) != 1 {
			t.Errorf("got %d aborted access log lines, want 1", len(lines))
		}
		if got := m.requests.Get("GET /test/half aborted"); got == nil {
			t.Errorf("requests has no \"GET /test/half aborted\" entry")
		}
		if v := m.inFlight.Value(); v != 0 {
			t.Errorf("in_flight = %d after an aborted request, want 0", v)
		}
	}()
	serveOnce(h, "GET", "/test/half")
}
