package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as the service under watch: STARTCHECK_ROLE says how it behaves.
func TestMain(m *testing.M) {
	switch os.Getenv("STARTCHECK_ROLE") {
	case "":
		os.Exit(m.Run())
	case "listen":
		fmt.Println("listening on", os.Getenv("STARTCHECK_ADDR"))
		l, err := net.Listen("tcp", os.Getenv("STARTCHECK_ADDR"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_ = http.Serve(l, http.NotFoundHandler())
	case "exit":
		fmt.Fprintln(os.Stderr, "config: DATABASE_URL is not set")
		os.Exit(3)
	case "silent":
		time.Sleep(time.Hour)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func run(t *testing.T, role, addr string, port int, timeout time.Duration) Report {
	t.Helper()
	t.Setenv("STARTCHECK_ROLE", role)
	t.Setenv("STARTCHECK_ADDR", addr)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return check([]string{self}, port, timeout, readListeners, 50*time.Millisecond)
}

func TestReadyWhenListeningOnAllInterfaces(t *testing.T) {
	port := freePort(t)
	r := run(t, "listen", fmt.Sprintf(":%d", port), port, 20*time.Second)
	if r.Status != "ready" {
		t.Fatalf("status %q, want ready: %+v", r.Status, r)
	}
	if !strings.Contains(r.Output, "listening on") {
		t.Errorf("output %q does not hold what the service printed", r.Output)
	}
}

func TestLoopbackOnlyIsNamedBeforeTheDeadline(t *testing.T) {
	port := freePort(t)
	start := time.Now()
	r := run(t, "listen", fmt.Sprintf("127.0.0.1:%d", port), port, 30*time.Second)
	if r.Status != "loopback" {
		t.Fatalf("status %q, want loopback: %+v", r.Status, r)
	}
	if want := fmt.Sprintf("127.0.0.1:%d", port); len(r.Listening) != 1 || r.Listening[0] != want {
		t.Errorf("listening %v, want [%s]", r.Listening, want)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v: a loopback-only listener should be named within seconds", d)
	}
}

func TestOtherPortAtTheDeadline(t *testing.T) {
	port, other := freePort(t), freePort(t)
	r := run(t, "listen", fmt.Sprintf(":%d", other), port, 2*time.Second)
	if r.Status != "other-ports" {
		t.Fatalf("status %q, want other-ports: %+v", r.Status, r)
	}
	if len(r.Listening) != 1 || !strings.HasSuffix(r.Listening[0], fmt.Sprintf(":%d", other)) {
		t.Errorf("listening %v, want the other port %d", r.Listening, other)
	}
}

func TestExitedWithItsCodeAndOutput(t *testing.T) {
	r := run(t, "exit", "", 8080, 20*time.Second)
	if r.Status != "exited" || r.ExitCode == nil || *r.ExitCode != 3 {
		t.Fatalf("got %+v, want exited with code 3", r)
	}
	if !strings.Contains(r.Output, "DATABASE_URL is not set") {
		t.Errorf("output %q lacks the service's message", r.Output)
	}
}

func TestNotListeningAtTheDeadline(t *testing.T) {
	start := time.Now()
	r := run(t, "silent", "", freePort(t), time.Second)
	if r.Status != "not-listening" {
		t.Fatalf("status %q, want not-listening", r.Status)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v for a 1 s timeout", d)
	}
}

func TestParseProcNetTCP(t *testing.T) {
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 111 1 0000000000000000 100 0 0 10 0
   1: 00000000:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000 65532        0 333 1 0000000000000000 20 4 30 10 -1
   3: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1 0000000000000000 100 0 0 10 0
`
	got, err := parseProcNetTCP(strings.NewReader(table), map[string]bool{"111": true, "222": true, "333": true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.1:8080", "0.0.0.0:9090"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v (LISTEN only, the process's own sockets only)", got, want)
	}
	six := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 555 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 666 1 0000000000000000 100 0 0 10 0
`
	got, err = parseProcNetTCP(strings.NewReader(six), map[string]bool{"555": true, "666": true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"[::1]:8080", "[::]:8080"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
