package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	got, err := loadConfig(fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		Port:              8080,
		LogLevel:          slog.LevelInfo,
		ShutdownTimeout:   10 * time.Second,
		AdminAddr:         "127.0.0.1:9090",
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16384,
	}
	if got != want {
		t.Errorf("loadConfig(empty env)\n got %+v\nwant %+v", got, want)
	}
}

func TestConfigReadsEveryVariable(t *testing.T) {
	got, err := loadConfig(fakeEnv(map[string]string{
		"PORT": "9000", "LOG_LEVEL": "WARN", "SHUTDOWN_TIMEOUT": "3s", "ADMIN_ADDR": "off",
		"READ_HEADER_TIMEOUT": "1s", "READ_TIMEOUT": "2s", "WRITE_TIMEOUT": "4s",
		"IDLE_TIMEOUT": "5m", "MAX_HEADER_BYTES": "1024",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		Port: 9000, LogLevel: slog.LevelWarn, ShutdownTimeout: 3 * time.Second, AdminAddr: "",
		ReadHeaderTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 4 * time.Second,
		IdleTimeout: 5 * time.Minute, MaxHeaderBytes: 1024,
	}
	if got != want {
		t.Errorf("loadConfig\n got %+v\nwant %+v", got, want)
	}
}

func TestInvalidEnvExitsWithCode2(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, value string }{
		{"PORT", "abc"},
		{"PORT", "70000"},
		{"PORT", "-1"},
		{"LOG_LEVEL", "loud"},
		{"SHUTDOWN_TIMEOUT", "forever"},
		{"SHUTDOWN_TIMEOUT", "-5s"},
		{"MAX_HEADER_BYTES", "-1"},
		{"MAX_HEADER_BYTES", "512"},
		{"MAX_HEADER_BYTES", "16KiB"},
		{"READ_TIMEOUT", "0s"},
		{"READ_HEADER_TIMEOUT", "5"},
		{"WRITE_TIMEOUT", "soon"},
		{"IDLE_TIMEOUT", "0"},
		{"ADMIN_ADDR", "9090"},
		{"ADMIN_ADDR", "localhost:http"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			var stderr strings.Builder
			env := map[string]string{"PORT": "0", tt.name: tt.value}
			err := run(context.Background(), []string{"service"}, fakeEnv(env), io.Discard, &stderr)
			if got := exitCode(err); got != 2 {
				t.Fatalf("exit code %d (err %v), want 2", got, err)
			}
			want := "invalid " + tt.name + ` "` + tt.value + `": `
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q, want it to start with %q", err, want)
			}
			if got := stderr.String(); got != err.Error()+"\n" {
				t.Errorf("stderr %q, want exactly one line %q", got, err.Error()+"\n")
			}
		})
	}
}

func TestInvalidEnvReportsEveryProblemOnOneLine(t *testing.T) {
	_, err := loadConfig(fakeEnv(map[string]string{"PORT": "abc", "LOG_LEVEL": "loud"}))
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "PORT") || !strings.Contains(msg, "LOG_LEVEL") || strings.Contains(msg, "\n") {
		t.Errorf("error %q, want one line naming PORT and LOG_LEVEL", msg)
	}
}

// The built binary, not just run(), must exit 2 with one line on stderr.
func TestBuiltBinaryExitsWithCode2OnInvalidEnv(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "service")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin)
	cmd.Env = []string{"PORT=abc"}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	exitErr, ok := errors.AsType[*exec.ExitError](err)
	if !ok || exitErr.ExitCode() != 2 {
		t.Fatalf("binary with PORT=abc: %v, want exit status 2", err)
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "PORT") {
		t.Errorf("stderr %q, want a single line naming PORT", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}
