package blackbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

const textPlain = "text/plain; charset=utf-8"

var client = &http.Client{
	Timeout: 10 * time.Second,
	// Never follow redirects: a route that redirects is a finding, not a pass.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// baseURL is SERVICE_URL without a trailing slash, or skips the test.
func baseURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("SERVICE_URL")
	if u == "" {
		t.Skip("SERVICE_URL not set: black-box tests need a running instance, e.g. SERVICE_URL=http://127.0.0.1:8080")
	}
	return strings.TrimSuffix(u, "/")
}

type response struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, method, path string, header http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, baseURL(t)+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func expect(t *testing.T, r response, method, path string, status int, contentType, body string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s %s: status %d, want %d (body %q)", method, path, r.status, status, r.body)
	}
	if got := r.header.Get("Content-Type"); got != contentType {
		t.Errorf("%s %s: Content-Type %q, want %q", method, path, got, contentType)
	}
	if body != "" && r.body != body {
		t.Errorf("%s %s: body %q, want %q", method, path, r.body, body)
	}
}

func TestBlackBoxGreeting(t *testing.T) {
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/", 200, "Hello, world!"},
		{"/?name=Ada", 200, "Hello, Ada!"},
		{"/?name=" + url.QueryEscape("  Zoë  "), 200, "Hello, Zoë!"},
		{"/?name=" + url.QueryEscape(strings.Repeat("n", 64)), 200, "Hello, " + strings.Repeat("n", 64) + "!"},
		{"/?name=" + url.QueryEscape(strings.Repeat("n", 65)), 400, ""},
		{"/?name=a%00b", 400, ""},
		{"/?name=%FF", 400, ""},
	}
	for _, tt := range tests {
		r := send(t, "GET", tt.path, nil)
		expect(t, r, "GET", tt.path, tt.status, textPlain, tt.body)
		if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", tt.path, got)
		}
	}
}

func TestBlackBoxHealthz(t *testing.T) {
	expect(t, send(t, "GET", "/healthz", nil), "GET", "/healthz", 200, textPlain, "ok")
}

func TestBlackBoxReadyz(t *testing.T) {
	expect(t, send(t, "GET", "/readyz", nil), "GET", "/readyz", 200, textPlain, "ready")
}

func TestBlackBoxVersion(t *testing.T) {
	r := send(t, "GET", "/version", nil)
	expect(t, r, "GET", "/version", 200, "application/json", "")
	var v struct {
		Version string `json:"version"`
		Commit  string `json:"commit"`
		Go      string `json:"go"`
	}
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("GET /version: body %q is not JSON: %v", r.body, err)
	}
	if v.Version == "" || v.Commit == "" || !strings.HasPrefix(v.Go, "go") {
		t.Errorf("GET /version = %+v, want non-empty version, commit and go", v)
	}
	if want := os.Getenv("EXPECT_VERSION"); want != "" && v.Version != want {
		t.Errorf("version %q, want EXPECT_VERSION=%q", v.Version, want)
	}
	if want := os.Getenv("EXPECT_COMMIT"); want != "" && v.Commit != want {
		t.Errorf("commit %q, want EXPECT_COMMIT=%q", v.Commit, want)
	}
}

func TestBlackBoxUnknownRouteIs404(t *testing.T) {
	for _, path := range []string{"/nope", "/healthz/extra", "/index.html"} {
		expect(t, send(t, "GET", path, nil), "GET", path, 404, textPlain, "")
	}
}

func TestBlackBoxWrongMethodIs405WithAllow(t *testing.T) {
	for _, tt := range []struct{ method, path string }{
		{"POST", "/"}, {"DELETE", "/healthz"}, {"PUT", "/readyz"}, {"PATCH", "/version"},
	} {
		r := send(t, tt.method, tt.path, nil)
		expect(t, r, tt.method, tt.path, 405, textPlain, "")
		if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") {
			t.Errorf("%s %s: Allow %q, want it to list GET", tt.method, tt.path, allow)
		}
	}
}

// 128 KiB is above the largest MAX_HEADER_BYTES the service accepts (64 KiB)
// plus net/http's 4 KiB of slack, so this holds for any configuration.
func TestBlackBoxOversizedHeaderIs431(t *testing.T) {
	r := send(t, "GET", "/healthz", http.Header{"X-Big": {strings.Repeat("x", 128<<10)}})
	if r.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("GET /healthz with a 128 KiB header: status %d, want 431", r.status)
	}
}

func TestBlackBoxAdminRoutesNotOnPublicURL(t *testing.T) {
	for _, tt := range []struct{ method, path string }{
		{"GET", "/debug/vars"}, {"GET", "/admin/log-level"}, {"PUT", "/admin/log-level"}, {"GET", "/debug/pprof/"},
	} {
		if r := send(t, tt.method, tt.path, nil); r.status != http.StatusNotFound {
			t.Errorf("%s %s on the public URL: status %d, want 404", tt.method, tt.path, r.status)
		}
	}
}
