package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestVersionCommandPrintsVersionJSON(t *testing.T) {
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"service", "version"}, fakeEnv(nil), &stdout, &stderr); err != nil {
		t.Fatalf("run version: %v", err)
	}
	var got versionInfo
	if err := json.Unmarshal([]byte(stdout.String()), &got); err != nil {
		t.Fatalf("stdout %q is not JSON: %v", stdout.String(), err)
	}
	if want := currentVersion(); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr %q, want nothing", stderr.String())
	}
}

func TestUnknownCommandExitsWithCode2AndUsage(t *testing.T) {
	for _, args := range [][]string{{"service", "serve"}, {"service", "version", "extra"}, {"service", "--help"}} {
		var stderr strings.Builder
		err := run(context.Background(), args, fakeEnv(nil), &strings.Builder{}, &stderr)
		if got := exitCode(err); got != 2 {
			t.Errorf("run %q: exit code %d, want 2", args, got)
		}
		if got := stderr.String(); !strings.Contains(got, usage) || strings.Count(got, "\n") != 1 {
			t.Errorf("run %q: stderr %q, want one line with %q", args, got, usage)
		}
	}
}
