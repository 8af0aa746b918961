package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// serve runs the public listener (always 0.0.0.0:PORT) and, unless
// ADMIN_ADDR=off, the admin listener, until ctx is cancelled. Then it flips
// /readyz to 503, shuts both servers down gracefully within
// SHUTDOWN_TIMEOUT, and returns nil; or an error (exit 1) if a listener
// fails or in-flight requests outlive the deadline.
func serve(ctx context.Context, cfg config, stdout io.Writer, h hooks) error {
	logger, level := newLogger(stdout, cfg.LogLevel)
	st := &state{}

	publicLn, err := net.Listen("tcp", net.JoinHostPort("0.0.0.0", strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	servers := []*http.Server{newHTTPServer(cfg, NewServer(logger, publishedMetrics(), st, h.routes), logger)}
	listeners := []net.Listener{publicLn}

	var adminAddr net.Addr
	adminLog := "off"
	if cfg.AdminAddr != "" {
		adminLn, err := net.Listen("tcp", cfg.AdminAddr)
		if err != nil {
			publicLn.Close()
			return fmt.Errorf("listen on ADMIN_ADDR: %w", err)
		}
		adminAddr, adminLog = adminLn.Addr(), adminLn.Addr().String()
		servers = append(servers, newHTTPServer(cfg, newAdminHandler(logger, level), logger))
		listeners = append(listeners, adminLn)
	}

	logger.Info("listening", "addr", publicLn.Addr().String(), "admin_addr", adminLog,
		"version", version, "commit", commit)
	if h.onListen != nil {
		h.onListen(publicLn.Addr(), adminAddr)
	}

	serveErr := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { serveErr <- srv.Serve(listeners[i]) }()
	}

	var failed error
	select {
	case <-ctx.Done():
		logger.Info("shutdown signal received; readiness now 503", "timeout", cfg.ShutdownTimeout.String())
	case err := <-serveErr:
		// Serve only returns early on a listener failure.
		failed = fmt.Errorf("serve: %w", err)
		logger.Error("server failed; shutting down", "err", err)
	}
	st.shuttingDown.Store(true)
	if h.beforeShutdown != nil {
		h.beforeShutdown()
	}

	// Shutdown closes the listeners (new connections are refused), closes
	// idle connections and waits for in-flight requests to finish.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	shutdownErrs := make([]error, len(servers))
	for i, srv := range servers {
		wg.Go(func() {
			if err := srv.Shutdown(shutdownCtx); err != nil {
				shutdownErrs[i] = err
				srv.Close() // deadline passed: drop the remaining connections
			}
		})
	}
	wg.Wait()

	if err := errors.Join(shutdownErrs...); err != nil {
		logger.Error("graceful shutdown incomplete", "err", err, "timeout", cfg.ShutdownTimeout.String())
		return fmt.Errorf("shutdown: in-flight requests still running after SHUTDOWN_TIMEOUT=%s: %w", cfg.ShutdownTimeout, err)
	}
	if failed != nil {
		return failed
	}
	logger.Info("shutdown complete")
	return nil
}
