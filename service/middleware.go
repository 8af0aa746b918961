package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// observe is the whole middleware stack in one wrapper, so a request pays for
// one response recorder and one deferred function:
//   - panics in handlers are recovered as a 500 (recoverPanic) and the process
//     keeps serving;
//   - m, when not nil, keeps the in_flight gauge and the per route and status
//     request counts;
//   - logger writes one JSON access-log line per request, also when a handler
//     aborted with a panic (then "aborted":true).
//
// Route and status are read after the request has been served, so they are
// the pattern the mux matched and the status actually sent.
//
// Whether a request is logged is decided once, when it arrives: below info
// (LOG_LEVEL=warn or error) a request reads no clock and builds no record. A
// level change at runtime applies to the requests that arrive after it.
func observe(logger *slog.Logger, m *metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var start time.Time
			logged := logger.Enabled(r.Context(), slog.LevelInfo)
			if logged {
				start = time.Now()
			}
			rec := &statusRecorder{ResponseWriter: w}
			if m != nil {
				m.inFlight.Add(1)
			}
			aborted := true // still true in the deferred func only if the request panicked out
			defer func() {
				rt, status := route(r), rec.statusCode()
				if m != nil {
					m.inFlight.Add(-1)
					m.count(rt, status, aborted)
				}
				if logged {
					logRequest(logger, r, rt, status, rec.bytes, start, aborted)
				}
			}()
			serveRecovering(logger, rec, r, next)
			aborted = false
		})
	}
}

// logRequest writes the access-log line. The record goes straight to the
// handler, the way log/slog documents for wrappers: Logger.LogAttrs would
// also read the clock again and capture the caller's PC (runtime.Callers) for
// a source the handler does not print (no AddSource). The line is the same:
// time (the end of the request), level, msg, then the attributes in order.
func logRequest(logger *slog.Logger, r *http.Request, route string, status int, bytes int64, start time.Time, aborted bool) {
	end := time.Now()
	rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
	rec.AddAttrs(
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(end.Sub(start).Microseconds())/1000),
		slog.Int64("bytes", bytes),
	)
	if aborted {
		rec.AddAttrs(slog.Bool("aborted", true))
	}
	_ = logger.Handler().Handle(r.Context(), rec)
}

// serveRecovering serves r, turning a panic into a 500. http.ErrAbortHandler
// is net/http's way to abort a response on purpose, so it is passed on. If the
// handler had already started its response, the connection is aborted rather
// than ending a half-written response as if it were complete.
func serveRecovering(logger *slog.Logger, rec *statusRecorder, r *http.Request, next http.Handler) {
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

// WriteString lets io.WriteString reach the wrapped writer's WriteString
// (net/http's copies the string into its buffer), so handlers that write a
// string do not convert it to a []byte first.
func (s *statusRecorder) WriteString(str string) (int, error) {
	if !s.wroteHeader {
		s.WriteHeader(http.StatusOK)
	}
	n, err := io.WriteString(s.ResponseWriter, str)
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
