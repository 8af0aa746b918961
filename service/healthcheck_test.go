package main

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHealthcheckExits0AgainstRunningInstance(t *testing.T) {
	t.Parallel()
	in := start(t, nil, hooks{})
	_, port, _ := net.SplitHostPort(in.publicAddr)
	var stderr strings.Builder
	err := run(context.Background(), []string{"service", "healthcheck"}, fakeEnv(map[string]string{"PORT": port}), &strings.Builder{}, &stderr)
	if err != nil || stderr.Len() != 0 {
		t.Errorf("healthcheck: %v (stderr %q), want exit 0 and no output", err, stderr.String())
	}
}

func TestHealthcheckExits1QuicklyWhenNothingListens(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()

	var stderr strings.Builder
	begin := time.Now()
	err = run(context.Background(), []string{"service", "healthcheck"}, fakeEnv(map[string]string{"PORT": port}), &strings.Builder{}, &stderr)
	elapsed := time.Since(begin)
	if got := exitCode(err); got != 1 {
		t.Errorf("exit code %d (err %v), want 1", got, err)
	}
	if elapsed > 2500*time.Millisecond {
		t.Errorf("healthcheck took %s, want under 2.5s", elapsed)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "healthcheck: ") || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr %q, want one line starting \"healthcheck: \"", got)
	}
}

// A listener that accepts but never answers must still fail within 2s.
func TestHealthcheckTimesOutAgainstSilentServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	begin := time.Now()
	err = run(context.Background(), []string{"service", "healthcheck"}, fakeEnv(map[string]string{"PORT": port}), &strings.Builder{}, &strings.Builder{})
	elapsed := time.Since(begin)
	if got := exitCode(err); got != 1 {
		t.Errorf("exit code %d (err %v), want 1", got, err)
	}
	if elapsed < 1500*time.Millisecond || elapsed > 2500*time.Millisecond {
		t.Errorf("healthcheck gave up after %s, want about 2s", elapsed)
	}
}

func TestHealthcheckExits1OnBadConfig(t *testing.T) {
	err := run(context.Background(), []string{"service", "healthcheck"}, fakeEnv(map[string]string{"PORT": "abc"}), &strings.Builder{}, &strings.Builder{})
	if got := exitCode(err); got != 1 {
		t.Errorf("exit code %d (err %v), want 1: Docker reserves 2 for health checks", got, err)
	}
}
