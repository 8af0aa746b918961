package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
)

// NewServer builds the public handler: every route in routes.go behind the
// middleware (observe). extra registers test-only routes; production passes none.
func NewServer(logger *slog.Logger, m *metrics, st *state, extra ...func(*http.ServeMux)) http.Handler {
	mux := http.NewServeMux()
	addRoutes(mux, st)
	for _, add := range extra {
		if add != nil {
			add(mux)
		}
	}
	return observe(logger, m)(mux)
}

// newAdminHandler builds the handler for the admin listener only.
func newAdminHandler(logger *slog.Logger, level *slog.LevelVar) http.Handler {
	mux := http.NewServeMux()
	addAdminRoutes(mux, logger, level)
	return observe(logger, nil)(mux)
}

// newHTTPServer applies the configured timeouts and header limit. Errors that
// net/http logs itself go to the JSON log at warn level; connection open and
// close are logged at debug level.
func newHTTPServer(cfg config, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ConnState: func(c net.Conn, s http.ConnState) {
			switch s {
			case http.StateNew, http.StateClosed, http.StateHijacked:
				// Checked first: the remote address is formatted only when
				// the line is written.
				if logger.Enabled(context.Background(), slog.LevelDebug) {
					logger.Debug("conn", "state", s.String(), "remote", c.RemoteAddr().String())
				}
			}
		},
	}
}
