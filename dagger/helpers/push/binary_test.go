package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperBin is the push binary the tests run, built once by TestMain.
var helperBin string

// raceEnabled is set under -race (race_test.go).
var raceEnabled bool

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "go-scratch-push-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	helperBin = filepath.Join(dir, "push")
	args := []string{"build", "-o", helperBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// pushRun is one run of the helper.
type pushRun struct {
	code           int
	out            Output
	fail           failure
	stdout, stderr string
	maxRSS         int64 // bytes, the process's peak resident set
	elapsed        time.Duration
}

// runPush runs the helper with only PATH and env in its environment, and checks the shape of what
// it prints: on success one JSON document on stdout and nothing on stderr; on failure exit 1,
// nothing on stdout and one JSON line on stderr.
func runPush(t testing.TB, env []string, args ...string) pushRun {
	t.Helper()
	cmd := exec.Command(helperBin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := pushRun{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if cmd.ProcessState == nil {
		t.Fatalf("running push: %v", err)
	}
	r.code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	switch r.code {
	case 0:
		if r.stderr != "" {
			t.Errorf("push succeeded but wrote to stderr: %q", r.stderr)
		}
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r.out); err != nil {
			t.Fatalf("stdout is not the JSON document: %v\n%s", err, r.stdout)
		}
		if dec.More() {
			t.Fatalf("stdout holds more than one JSON document:\n%s", r.stdout)
		}
	case 1:
		if r.stdout != "" {
			t.Errorf("push failed but wrote to stdout: %q", r.stdout)
		}
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if len(lines) != 1 || !strings.HasSuffix(r.stderr, "\n") {
			t.Fatalf("stderr is not one line: %q", r.stderr)
		}
		dec := json.NewDecoder(strings.NewReader(lines[0]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r.fail); err != nil || r.fail.Error == "" || r.fail.Kind == "" {
			t.Fatalf("stderr is not the JSON error line (%v): %q", err, r.stderr)
		}
	default:
		t.Fatalf("push exited %d: %s%s", r.code, r.stdout, r.stderr)
	}
	return r
}

// mustSucceed fails the test unless the run succeeded.
func (r pushRun) mustSucceed(t testing.TB) Output {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("push failed: %s", r.stderr)
	}
	return r.out
}

// mustFail fails the test unless the run failed with that kind.
func (r pushRun) mustFail(t testing.TB, kind string) failure {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("push succeeded, want a %s failure: %s", kind, r.stdout)
	}
	if r.fail.Kind != kind {
		t.Fatalf("failure kind %q, want %q: %s", r.fail.Kind, kind, r.fail.Error)
	}
	return r.fail
}

// creds is the environment for REGISTRY_USERNAME and REGISTRY_PASSWORD.
func creds(u user) []string {
	return []string{"REGISTRY_USERNAME=" + u.name, "REGISTRY_PASSWORD=" + u.password}
}

// writeFile writes a temp file and returns its path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// sbomJSON is a small CycloneDX document.
func sbomJSON(name string) []byte {
	return []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"metadata":{"component":{"type":"application","name":"` + name + `"}}}`)
}
