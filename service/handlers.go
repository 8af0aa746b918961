package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
)

// handleGreeting answers GET /?name=Ada with "Hello, Ada!".
func handleGreeting() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, err := greetingName(nameParam(r.URL.RawQuery))
		if err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		writeText(w, http.StatusOK, "Hello, "+name+"!")
	})
}

// nameParam is url.ParseQuery(rawQuery).Get("name"). The common query, a
// lone name=value with nothing to unescape, is answered without building the
// url.Values map; anything else goes through url.ParseQuery.
func nameParam(rawQuery string) string {
	if v, ok := strings.CutPrefix(rawQuery, "name="); ok && !strings.ContainsAny(v, "&;%+") {
		return v
	}
	q, _ := url.ParseQuery(rawQuery)
	return q.Get("name")
}

// handleHealthz is liveness: the process is up and serving.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
}

// handleReadyz is readiness: 503 once shutdown has begun.
func handleReadyz(st *state) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st.shuttingDown.Load() {
			writeText(w, http.StatusServiceUnavailable, "shutting down")
			return
		}
		writeText(w, http.StatusOK, "ready")
	})
}

// versionInfo is the body of GET /version and of `service version`.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
}

func currentVersion() versionInfo {
	return versionInfo{Version: version, Commit: commit, Go: runtime.Version()}
}

func handleVersion() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, currentVersion())
	})
}

// Header values shared by every response. The keys are in canonical form
// and assigned directly, which skips Header.Set's canonicalisation and its
// one-element slice per call; the slices are never modified in place
// (net/http copies them when it snapshots the header).
var (
	textPlain = []string{"text/plain; charset=utf-8"}
	appJSON   = []string{"application/json"}
	nosniff   = []string{"nosniff"}
)

func writeText(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h["Content-Type"] = textPlain
	h["X-Content-Type-Options"] = nosniff
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h["Content-Type"] = appJSON
	h["X-Content-Type-Options"] = nosniff
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
