package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// healthcheckTimeout bounds the whole probe: connect, request and response.
const healthcheckTimeout = 2 * time.Second

// healthcheck is the image's exec-form HEALTHCHECK: scratch has no curl or
// shell, so the binary probes itself. Every failure exits 1, including bad
// configuration, because Docker reserves exit code 2 for health checks.
func healthcheck(ctx context.Context, getenv func(string) string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return withCode(exitFailure, fmt.Errorf("healthcheck: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()

	url := "http://127.0.0.1:" + strconv.Itoa(cfg.Port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return withCode(exitFailure, fmt.Errorf("healthcheck: %w", err))
	}
	client := &http.Client{
		Timeout: healthcheckTimeout,
		// No proxy (the probe is always local) and no pooled connections.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	resp, err := client.Do(req)
	if err != nil {
		return withCode(exitFailure, fmt.Errorf("healthcheck: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return withCode(exitFailure, fmt.Errorf("healthcheck: GET %s: status %d, want 200", url, resp.StatusCode))
	}
	return nil
}
