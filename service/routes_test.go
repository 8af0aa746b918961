package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

func TestRoutes(t *testing.T) {
	t.Parallel()
	in := start(t, nil, hooks{})
	const text = "text/plain; charset=utf-8"
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantBody           string // exact, unless empty
		wantType           string
		wantAllow          string // for 405s
	}{
		{"greeting default", "GET", "/", 200, "Hello, world!", text, ""},
		{"greeting with name", "GET", "/?name=Ada", 200, "Hello, Ada!", text, ""},
		{"greeting trims name", "GET", "/?name=%20%20Ada%20Lovelace%09", 200, "Hello, Ada Lovelace!", text, ""},
		{"greeting blank name", "GET", "/?name=%20", 200, "Hello, world!", text, ""},
		{"greeting 64 runes", "GET", "/?name=" + url.QueryEscape(strings.Repeat("é", 64)), 200, "Hello, " + strings.Repeat("é", 64) + "!", text, ""},
		{"greeting 65 runes", "GET", "/?name=" + strings.Repeat("a", 65), 400, "", text, ""},
		{"greeting control char", "GET", "/?name=a%01b", 400, "", text, ""},
		{"greeting newline", "GET", "/?name=a%0Ab", 400, "", text, ""},
		{"greeting invalid UTF-8", "GET", "/?name=%FF", 400, "", text, ""},
		{"greeting HEAD", "HEAD", "/", 200, "", text, ""},
		{"healthz", "GET", "/healthz", 200, "ok", text, ""},
		{"readyz", "GET", "/readyz", 200, "ready", text, ""},
		{"version", "GET", "/version", 200, "", "application/json", ""},
		{"unknown route", "GET", "/nope", 404, "404 page not found\n", text, ""},
		{"path below root", "GET", "/healthz/x", 404, "", text, ""},
		{"POST greeting", "POST", "/", 405, "", text, "GET, HEAD"},
		{"DELETE healthz", "DELETE", "/healthz", 405, "", text, "GET, HEAD"},
		{"PUT version", "PUT", "/version", 405, "", text, "GET, HEAD"},
		{"admin vars not public", "GET", "/debug/vars", 404, "", text, ""},
		{"admin log level not public", "GET", "/admin/log-level", 404, "", text, ""},
		{"admin log level PUT not public", "PUT", "/admin/log-level", 404, "", text, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := do(t, tt.method, in.url(tt.path), strings.NewReader(""), nil)
			if status != tt.wantStatus {
				t.Errorf("%s %s: status %d, want %d (body %q)", tt.method, tt.path, status, tt.wantStatus, body)
			}
			if tt.wantBody != "" && body != tt.wantBody {
				t.Errorf("%s %s: body %q, want %q", tt.method, tt.path, body, tt.wantBody)
			}
			if got := h.Get("Content-Type"); got != tt.wantType {
				t.Errorf("%s %s: Content-Type %q, want %q", tt.method, tt.path, got, tt.wantType)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%s %s: X-Content-Type-Options %q, want nosniff", tt.method, tt.path, got)
			}
			if got := h.Get("Allow"); got != tt.wantAllow {
				t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.wantAllow)
			}
		})
	}
}

func TestVersionRouteReportsBuildStamp(t *testing.T) {
	t.Parallel()
	in := start(t, nil, hooks{})
	_, _, body := get(t, in.url("/version"))
	var got versionInfo
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	want := versionInfo{Version: version, Commit: commit, Go: runtime.Version()}
	if got != want {
		t.Errorf("GET /version = %+v, want %+v", got, want)
	}
}

// net/http answers 431 itself once the request line and headers exceed
// MaxHeaderBytes plus its 4096 bytes of slack.
func TestOversizedHeadersGet431(t *testing.T) {
	t.Parallel()
	tests := []struct {
		maxHeaderBytes string
		headerBytes    int
		wantStatus     int
	}{
		{"", 15 << 10, 200},      // default 16 KiB: fits
		{"", 19 << 10, 200},      // within the 4096 bytes of slack
		{"", 24 << 10, 431},      // beyond 16 KiB + 4 KiB
		{"", 64 << 10, 431},      // the black-box suite's probe
		{"1024", 512, 200},       // minimum limit: small headers fit
		{"1024", 8 << 10, 431},   // beyond 1 KiB + 4 KiB
		{"65536", 64 << 10, 200}, // maximum limit
		{"65536", 128 << 10, 431},
	}
	instances := map[string]*instance{}
	for _, tt := range tests {
		in, ok := instances[tt.maxHeaderBytes]
		if !ok {
			env := map[string]string{}
			if tt.maxHeaderBytes != "" {
				env["MAX_HEADER_BYTES"] = tt.maxHeaderBytes
			}
			in = start(t, env, hooks{})
			instances[tt.maxHeaderBytes] = in
		}
		header := http.Header{"X-Big": {strings.Repeat("x", tt.headerBytes)}}
		status, _, body := do(t, "GET", in.url("/healthz"), nil, header)
		if status != tt.wantStatus {
			t.Errorf("MAX_HEADER_BYTES=%q, %d-byte header: status %d (body %q), want %d",
				tt.maxHeaderBytes, tt.headerBytes, status, body, tt.wantStatus)
		}
	}
}
