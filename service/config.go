package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// config is read only from the environment. Every variable is optional.
//
//	PORT                 public port, 0..65535 (default 8080; 0 picks a free port, for tests).
//	                     The public listener always binds 0.0.0.0 (all interfaces): the image
//	                     is probed from another network namespace.
//	LOG_LEVEL            debug|info|warn|error (default info); changeable at runtime on the
//	                     admin listener (PUT /admin/log-level).
//	SHUTDOWN_TIMEOUT     Go duration > 0 (default 10s): how long in-flight requests get after
//	                     SIGTERM/SIGINT before the process gives up and exits 1.
//	ADMIN_ADDR           host:port of the admin listener (/debug/vars, /admin/log-level),
//	                     default 127.0.0.1:9090 (loopback only); "off" disables it.
//	                     0.0.0.0:9090 exposes it on every interface: only do that behind a
//	                     network you trust, it has no authentication.
//	READ_HEADER_TIMEOUT  Go duration > 0 (default 5s)
//	READ_TIMEOUT         Go duration > 0 (default 10s)
//	WRITE_TIMEOUT        Go duration > 0 (default 10s)
//	IDLE_TIMEOUT         Go duration > 0 (default 60s)
//	MAX_HEADER_BYTES     1024..65536 (default 16384); net/http allows 4096 bytes of slack
//	                     on top before answering 431.
type config struct {
	Port              int
	LogLevel          slog.Level
	ShutdownTimeout   time.Duration
	AdminAddr         string // "" when ADMIN_ADDR=off
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
}

const (
	minHeaderBytes = 1 << 10
	maxHeaderBytes = 64 << 10
)

// loadConfig reads the environment through getenv. An invalid value yields
// one line per problem, joined into a single line, each naming the variable
// and its bad value.
func loadConfig(getenv func(string) string) (config, error) {
	var problems []string
	bad := func(name, value, want string) {
		problems = append(problems, fmt.Sprintf("invalid %s %q: %s", name, value, want))
	}
	str := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	integer := func(name string, def, lo, hi int, want string) int {
		raw := str(name, strconv.Itoa(def))
		n, err := strconv.Atoi(raw)
		if err != nil || n < lo || n > hi {
			bad(name, raw, want)
			return def
		}
		return n
	}
	duration := func(name string, def time.Duration) time.Duration {
		raw := str(name, def.String())
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			bad(name, raw, "must be a positive Go duration such as 500ms or 10s")
			return def
		}
		return d
	}

	cfg := config{
		Port:              integer("PORT", 8080, 0, 65535, "must be an integer from 0 to 65535 (0 picks a free port)"),
		ShutdownTimeout:   duration("SHUTDOWN_TIMEOUT", 10*time.Second),
		ReadHeaderTimeout: duration("READ_HEADER_TIMEOUT", 5*time.Second),
		ReadTimeout:       duration("READ_TIMEOUT", 10*time.Second),
		WriteTimeout:      duration("WRITE_TIMEOUT", 10*time.Second),
		IdleTimeout:       duration("IDLE_TIMEOUT", 60*time.Second),
		MaxHeaderBytes: integer("MAX_HEADER_BYTES", 16<<10, minHeaderBytes, maxHeaderBytes,
			fmt.Sprintf("must be an integer from %d to %d", minHeaderBytes, maxHeaderBytes)),
	}

	rawLevel := str("LOG_LEVEL", "info")
	if lvl, err := parseLevel(rawLevel); err != nil {
		bad("LOG_LEVEL", rawLevel, "must be one of debug, info, warn, error")
	} else {
		cfg.LogLevel = lvl
	}

	rawAdmin := str("ADMIN_ADDR", "127.0.0.1:9090")
	if rawAdmin != "off" {
		if err := checkHostPort(rawAdmin); err != nil {
			bad("ADMIN_ADDR", rawAdmin, `must be host:port (e.g. 127.0.0.1:9090) or "off"`)
		} else {
			cfg.AdminAddr = rawAdmin
		}
	}

	if len(problems) > 0 {
		return config{}, errors.New(strings.Join(problems, "; "))
	}
	return cfg, nil
}

func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("bad port %q", port)
	}
	return nil
}
