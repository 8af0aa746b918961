package main

import (
	"expvar"
	"log/slog"
	"net/http"
)

// addRoutes is every public route. Method patterns make ServeMux answer 404
// for unknown paths and 405 (with an Allow header) for wrong methods; GET
// patterns also serve HEAD.
func addRoutes(mux *http.ServeMux, st *state) {
	mux.Handle("GET /{$}", handleGreeting())
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(st))
	mux.Handle("GET /version", handleVersion())
}

// addAdminRoutes is every admin route, served only on ADMIN_ADDR.
func addAdminRoutes(mux *http.ServeMux, logger *slog.Logger, level *slog.LevelVar) {
	mux.Handle("GET /debug/vars", expvar.Handler())
	mux.Handle("GET /admin/log-level", handleGetLogLevel(level))
	mux.Handle("PUT /admin/log-level", handleSetLogLevel(logger, level))
}
