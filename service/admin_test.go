package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAdminRoutesAbsentFromPublicListener(t *testing.T) {
	t.Parallel()
	in := start(t, nil, hooks{})
	get(t, in.url("/healthz"))
	get(t, in.url("/nope"))

	for _, path := range []string{"/debug/vars", "/admin/log-level"} {
		if status, _, _ := get(t, in.url(path)); status != http.StatusNotFound {
			t.Errorf("public GET %s = %d, want 404", path, status)
		}
	}
	if status, _, _ := do(t, "PUT", in.url("/admin/log-level"), strings.NewReader("debug"), nil); status != http.StatusNotFound {
		t.Errorf("public PUT /admin/log-level = %d, want 404", status)
	}

	status, h, body := get(t, in.adminURL("/debug/vars"))
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("admin GET /debug/vars = %d %q, want 200 JSON", status, h.Get("Content-Type"))
	}
	var vars struct {
		Requests map[string]int64 `json:"requests"`
		InFlight *int64           `json:"in_flight"`
	}
	if err := json.Unmarshal([]byte(body), &vars); err != nil {
		t.Fatalf("/debug/vars body is not JSON: %v", err)
	}
	// The counters are process-wide and other tests share them: check
	// presence, not exact values.
	for _, key := range []string{"GET /healthz 200", "unmatched 404"} {
		if vars.Requests[key] < 1 {
			t.Errorf("requests[%q] = %d, want at least 1; requests: %v", key, vars.Requests[key], vars.Requests)
		}
	}
	if vars.InFlight == nil {
		t.Error("/debug/vars has no in_flight")
	}
}

func TestAdminLogLevelChangesAtRuntime(t *testing.T) {
	t.Parallel()
	in := start(t, map[string]string{"LOG_LEVEL": "info"}, hooks{})

	level := func() string {
		t.Helper()
		status, _, body := get(t, in.adminURL("/admin/log-level"))
		var got logLevelBody
		if err := json.Unmarshal([]byte(body), &got); status != http.StatusOK || err != nil {
			t.Fatalf("GET /admin/log-level = %d %q", status, body)
		}
		return got.Level
	}
	if got := level(); got != "info" {
		t.Fatalf("level %q, want info", got)
	}
	get(t, in.url("/healthz"))
	if lines := logLines(in.logs.String(), `"level":"DEBUG"`); len(lines) != 0 {
		t.Fatalf("debug lines logged at level info: %q", lines)
	}

	status, _, body := do(t, "PUT", in.adminURL("/admin/log-level"), strings.NewReader("debug\n"), nil)
	if status != http.StatusOK || body != `{"level":"debug"}`+"\n" {
		t.Errorf("PUT debug = %d %q, want 200 {\"level\":\"debug\"}", status, body)
	}
	if got := level(); got != "debug" {
		t.Errorf("level %q after PUT debug, want debug", got)
	}
	get(t, in.url("/healthz")) // a new connection logs a debug "conn" line
	waitFor(t, 2*time.Second, func() bool { return len(logLines(in.logs.String(), `"level":"DEBUG"`, `"msg":"conn"`)) > 0 })

	if status, _, _ := do(t, "PUT", in.adminURL("/admin/log-level"), strings.NewReader(`{"level":"warn"}`), nil); status != http.StatusOK {
		t.Errorf("PUT {\"level\":\"warn\"} = %d, want 200", status)
	}
	if got := level(); got != "warn" {
		t.Errorf("level %q after PUT warn, want warn", got)
	}
	for _, bad := range []string{"loud", `{"level":"loud"}`, `{"level":`, ""} {
		if status, _, _ := do(t, "PUT", in.adminURL("/admin/log-level"), strings.NewReader(bad), nil); status != http.StatusBadRequest {
			t.Errorf("PUT %q = %d, want 400", bad, status)
		}
	}
	if got := level(); got != "warn" {
		t.Errorf("level %q after bad PUTs, want warn unchanged", got)
	}
}

func TestAdminListenerOff(t *testing.T) {
	t.Parallel()
	in := start(t, map[string]string{"ADMIN_ADDR": "off"}, hooks{})
	if in.adminAddr != "" {
		t.Errorf("admin listener bound at %s with ADMIN_ADDR=off", in.adminAddr)
	}
	if got := logLines(in.logs.String(), `"msg":"listening"`, `"admin_addr":"off"`); len(got) != 1 {
		t.Errorf("listening line does not say admin_addr off; logs:\n%s", in.logs)
	}
}
