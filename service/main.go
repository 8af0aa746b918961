// Command service is the reference HTTP service that the go-scratch Dagger
// module builds into a FROM-scratch image.
//
// Usage:
//
//	service              serve HTTP (configured from the environment, see config.go)
//	service healthcheck  GET http://127.0.0.1:$PORT/healthz; exit 0 if 200, else 1
//	service version      print {"version":...,"commit":...,"go":...} and exit 0
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Stamped at build time:
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc123"
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, restore the default behaviour so that a second
	// Ctrl-C ends a shutdown that is taking too long.
	go func() { <-ctx.Done(); stop() }()

	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}
