package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

const usage = "usage: service [healthcheck|version]"

// hooks are test-only seams into the serve path. The zero value is what
// production uses; main never sets any of them.
type hooks struct {
	// onListen is called once both listeners are bound, with their real
	// addresses (admin is nil when ADMIN_ADDR=off). Tests use it to find the
	// ports picked for PORT=0 without parsing logs.
	onListen func(public, admin net.Addr)
	// routes registers extra handlers on the public mux, behind the same
	// middleware as the real routes (for slow and panicking handlers).
	routes func(mux *http.ServeMux)
	// beforeShutdown runs after readiness has flipped to 503 and before
	// srv.Shutdown closes the listeners, making the drain window observable.
	beforeShutdown func()
}

// run is the whole program: main only supplies the process's context,
// arguments, environment and standard streams, and exits with exitCode(err).
// A non-nil error has already been written to stderr as one line.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runWith(ctx, args, getenv, stdout, stderr, hooks{})
}

func runWith(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, h hooks) error {
	err := dispatch(ctx, args, getenv, stdout, h)
	if err != nil {
		fmt.Fprintln(stderr, err)
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, h hooks) error {
	var cmd []string
	if len(args) > 1 {
		cmd = args[1:]
	}
	switch {
	case len(cmd) == 0:
		cfg, err := loadConfig(getenv)
		if err != nil {
			return withCode(exitUsage, err)
		}
		return serve(ctx, cfg, stdout, h)
	case len(cmd) == 1 && cmd[0] == "healthcheck":
		return healthcheck(ctx, getenv)
	case len(cmd) == 1 && cmd[0] == "version":
		return json.NewEncoder(stdout).Encode(currentVersion())
	default:
		return withCode(exitUsage, fmt.Errorf("unknown command %q; %s", strings.Join(cmd, " "), usage))
	}
}
