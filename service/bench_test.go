package main

import (
	"expvar"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is the cheapest http.ResponseWriter: it keeps one header map
// for the whole benchmark, so only the service's own work is measured.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// WriteString is there because net/http's response writer has one.
func (d *discardWriter) WriteString(s string) (int, error) { return len(s), nil }

// BenchmarkServe is the public handler (middleware, mux, handler) per request
// on the two paths the load bench drives, with the access log off (warn) and
// on (info, to io.Discard). Run with -benchmem to see allocations.
func BenchmarkServe(b *testing.B) {
	for _, level := range []slog.Level{slog.LevelWarn, slog.LevelInfo} {
		for _, target := range []string{"/healthz", "/?name=bench"} {
			b.Run(levelName(level)+target, func(b *testing.B) {
				logger, _ := newLogger(io.Discard, level)
				m := &metrics{requests: new(expvar.Map), inFlight: new(expvar.Int)}
				h := NewServer(logger, m, &state{})
				r := httptest.NewRequest("GET", target, nil)
				w := &discardWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					h.ServeHTTP(w, r)
				}
			})
		}
	}
}
