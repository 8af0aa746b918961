// Command startcheck starts a service the way its image does and watches it, for at most -timeout,
// until it listens on -port on an address other containers can reach; then it stops it. It tells
// why not otherwise: the service exited (its exit code), it listens on a loopback address only (a
// common mistake: nothing outside its container reaches 127.0.0.1), it listens on other ports (the
// wrong --port), or it listens on nothing yet. It prints one JSON report on stdout with the end of
// the service's own output, and exits 0 only when the service became reachable.
//
//	startcheck -port 8080 -timeout 60s -- /usr/local/bin/app [args...]
//
// It reads the service's listening sockets from /proc: the socket inodes among its open files
// (/proc/<pid>/fd), looked up in /proc/net/tcp and /proc/net/tcp6 of its network namespace.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Report is what startcheck prints.
type Report struct {
	// Status is ready, exited, loopback, other-ports or not-listening.
	Status string `json:"status"`
	// AfterMs is how long after the start the status was decided.
	AfterMs int64 `json:"afterMs"`
	// ExitCode of a service that exited (-1 when killed by a signal).
	ExitCode *int `json:"exitCode,omitempty"`
	// Listening lists what the service listened on when the status was decided, host:port.
	Listening []string `json:"listening"`
	// Output is the end of what the service printed, stdout and stderr interleaved.
	Output string `json:"output"`
	// Error is why the service could not be started at all.
	Error string `json:"error,omitempty"`
}

func main() {
	port := flag.Int("port", 8080, "the port the service must listen on")
	timeout := flag.Duration("timeout", 60*time.Second, "how long to wait for it")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: startcheck -port N -timeout D -- command [args...]")
		os.Exit(2)
	}
	r := check(flag.Args(), *port, *timeout, readListeners, 100*time.Millisecond)
	_ = json.NewEncoder(os.Stdout).Encode(r)
	if r.Status != "ready" {
		os.Exit(1)
	}
}

// loopbackGrace is how long the port must stay loopback-only before that is the verdict: a service
// is not expected to move its listener, so this only rides out a socket being set up.
const loopbackGrace = time.Second

// check runs argv and watches its listeners (as `listeners` reports them) every `every`.
func check(argv []string, port int, timeout time.Duration, listeners func(pid int) ([]string, error), every time.Duration) Report {
	out := &tail{max: 8 << 10}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Report{Status: "exited", Error: err.Error(), Listening: []string{}}
	}
	exited := make(chan int, 1)
	go func() {
		err := cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			code = -1
		}
		exited <- code
	}()
	report := func(status string, listening []string) Report {
		if listening == nil {
			listening = []string{}
		}
		return Report{Status: status, AfterMs: time.Since(start).Milliseconds(), Listening: listening, Output: out.String()}
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	deadline := time.After(timeout)
	tick := time.NewTicker(every)
	defer tick.Stop()
	var loopbackSince time.Time
	var last []string
	for {
		select {
		case code := <-exited:
			r := report("exited", last)
			r.ExitCode = &code
			return r
		case <-deadline:
			stop()
			return report(verdictAtDeadline(last, port), last)
		case <-tick.C:
			l, err := listeners(cmd.Process.Pid)
			if err != nil {
				// A service that exited between the tick and the read has no /proc entries left to
				// read: its exit is the verdict then, not the error.
				select {
				case code := <-exited:
					r := report("exited", last)
					r.ExitCode = &code
					return r
				case <-time.After(time.Second):
				}
				stop()
				r := report("not-listening", last)
				r.Error = err.Error()
				return r
			}
			last = l
			switch classify(l, port) {
			case "reachable":
				stop()
				return report("ready", l)
			case "loopback":
				if loopbackSince.IsZero() {
					loopbackSince = time.Now()
				} else if time.Since(loopbackSince) >= loopbackGrace {
					stop()
					return report("loopback", l)
				}
			default:
				loopbackSince = time.Time{}
			}
		}
	}
}

// classify says how `port` is listened on: reachable (an address other than loopback, the
// wildcard included), loopback (loopback addresses only), or absent.
func classify(listening []string, port int) string {
	loopback := false
	for _, hp := range listening {
		host, p, err := net.SplitHostPort(hp)
		if err != nil || p != strconv.Itoa(port) {
			continue
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			loopback = true
			continue
		}
		return "reachable"
	}
	if loopback {
		return "loopback"
	}
	return "absent"
}

// verdictAtDeadline names what the service did with the time it had.
func verdictAtDeadline(listening []string, port int) string {
	switch classify(listening, port) {
	case "loopback":
		return "loopback"
	case "reachable":
		return "ready"
	}
	if len(listening) > 0 {
		return "other-ports"
	}
	return "not-listening"
}

// readListeners lists the TCP sockets process `pid` listens on, host:port.
func readListeners(pid int) ([]string, error) {
	inodes, err := socketInodes(pid)
	if err != nil {
		return nil, err
	}
	var all []string
	found := false
	for _, f := range []string{fmt.Sprintf("/proc/%d/net/tcp", pid), fmt.Sprintf("/proc/%d/net/tcp6", pid)} {
		file, err := os.Open(f)
		if err != nil {
			continue
		}
		found = true
		l, err := parseProcNetTCP(file, inodes)
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		all = append(all, l...)
	}
	if !found {
		return nil, errors.New("no /proc/net/tcp: cannot see what the service listens on")
	}
	sort.Strings(all)
	return all, nil
}

// socketInodes are the inodes of the sockets among process pid's open files.
func socketInodes(pid int) (map[string]bool, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot see the service's open files: %w", err)
	}
	inodes := map[string]bool{}
	for _, e := range entries {
		target, err := os.Readlink(dir + "/" + e.Name())
		if err != nil {
			continue // closed meanwhile
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return inodes, nil
}

// parseProcNetTCP reads /proc/net/tcp{,6}: the local address of every socket in state 0A (LISTEN)
// whose inode is in `inodes`.
func parseProcNetTCP(r io.Reader, inodes map[string]bool) ([]string, error) {
	var out []string
	s := bufio.NewScanner(r)
	first := true
	for s.Scan() {
		if first {
			first = false
			continue
		}
		f := strings.Fields(s.Text())
		if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] {
			continue
		}
		addr, err := parseHexAddr(f[1])
		if err != nil {
			return nil, err
		}
		out = append(out, addr)
	}
	return out, s.Err()
}

// parseHexAddr decodes an address as /proc/net/tcp writes it: the IP in host byte order, 32-bit
// word by word (little-endian here), then the port in hex.
func parseHexAddr(s string) (string, error) {
	ipHex, portHex, ok := strings.Cut(s, ":")
	if !ok {
		return "", fmt.Errorf("bad address %q", s)
	}
	raw, err := hex.DecodeString(ipHex)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return "", fmt.Errorf("bad address %q", s)
	}
	ip := make(net.IP, len(raw))
	for i := 0; i < len(raw); i += 4 {
		ip[i], ip[i+1], ip[i+2], ip[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return "", fmt.Errorf("bad port in %q", s)
	}
	return net.JoinHostPort(ip.String(), strconv.FormatUint(port, 10)), nil
}

// tail keeps the last `max` bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
