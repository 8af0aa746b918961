package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProbeSucceedsOnTheWantedStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run([]string{"-url", srv.URL + "/healthz"}, &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "GET "+srv.URL+"/healthz: 200 OK\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestProbeFailsOnAnotherStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	err := run([]string{"-url", srv.URL}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "status 503 Service Unavailable, want 200") {
		t.Fatalf("got %v", err)
	}
}

func TestProbeGivesUpWhenNothingListens(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start := time.Now()
	err = run([]string{"-url", "http://" + addr, "-timeout", "1s"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v, want about 1s", d)
	}
}
