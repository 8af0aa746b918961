package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// logRequests writes one JSON access-log line per request. It runs outside
// the mux, so it reads the matched pattern (r.Pattern) after the request has
// been served; it logs even when an inner handler aborts with a panic.
func logRequests(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w}
			aborted := true // still true in the deferred func only if next panicked
			defer func() {
				attrs := []any{
					"method", r.Method,
					"path", r.URL.Path,
					"route", route(r),
					"status", rec.statusCode(),
					"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
					"bytes", rec.bytes,
				}
				if aborted {
					attrs = append(attrs, "aborted", true)
				}
				logger.Info("request", attrs...)
			}()
			next.ServeHTTP(rec, r)
			aborted = false
		})
	}
}

// countRequests maintains the in_flight gauge and the per route and status
// request counts.
func countRequests(m *metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.inFlight.Add(1)
			rec := &statusRecorder{ResponseWriter: w}
			aborted := true
			defer func() {
				m.inFlight.Add(-1)
				status := strconv.Itoa(rec.statusCode())
				if aborted {
					status = "aborted"
				}
				m.requests.Add(route(r)+" "+status, 1)
			}()
			next.ServeHTTP(rec, r)
			aborted = false
		})
	}
}

// recoverPanics turns a panicking handler into a 500 and keeps the process
// serving. http.ErrAbortHandler is net/http's way to abort a response on
// purpose, so it is passed on. If the handler had already started its
// response, the connection is aborted rather than ending a half-written
// response as if it were complete.
func recoverPanics(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &statusRecorder{ResponseWriter: w}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.Error("panic serving request",
					"method", r.Method,
					"route", route(r),
					"panic", fmt.Sprint(v),
					"stack", string(debug.Stack()),
				)
				if rec.wroteHeader {
					panic(http.ErrAbortHandler)
				}
				http.Error(rec, "internal server error", http.StatusInternalServerError)
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// route is the pattern the mux matched, or "unmatched" (404s, 405s and
// redirects), so logs and metrics never carry unbounded raw paths.
func route(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

// statusRecorder remembers the status code and body size written through it.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader && code >= 200 {
		s.status = code
		s.wroteHeader = true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wroteHeader {
		s.WriteHeader(http.StatusOK)
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) statusCode() int {
	if !s.wroteHeader {
		// Nothing written: net/http sends 200 when the handler returns.
		return http.StatusOK
	}
	return s.status
}
