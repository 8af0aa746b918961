// Command httpprobe asks a running service for one URL and succeeds only on the expected status:
// the module's health probe, run in the client container that has the service bound. It is Go, so
// it works in any golang image (no wget or curl needed; Debian's busybox wget, for one, crashes).
//
//	httpprobe -url http://app:8080/healthz [-status 200] [-timeout 30s]
//
// Connection errors are retried until the timeout (a service can take a moment to accept); a wrong
// status is final.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "httpprobe:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("httpprobe", flag.ContinueOnError)
	url := flags.String("url", "", "the URL to GET")
	want := flags.Int("status", http.StatusOK, "the status that counts as healthy")
	timeout := flags.Duration("timeout", 30*time.Second, "how long to keep trying to connect")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("usage: httpprobe -url URL [-status 200] [-timeout 30s]")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	status, err := probe(ctx, *url, 500*time.Millisecond)
	if err != nil {
		return err
	}
	if status != *want {
		return fmt.Errorf("GET %s: status %d %s, want %d", *url, status, http.StatusText(status), *want)
	}
	fmt.Fprintf(stdout, "GET %s: %d %s\n", *url, status, http.StatusText(status))
	return nil
}

// probe GETs url until it answers or ctx ends, waiting every between attempts; it returns the
// status of the first answer.
func probe(ctx context.Context, url string, every time.Duration) (int, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		res, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
			res.Body.Close()
			return res.StatusCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("GET %s: no answer: %w (a service in a container must listen on all interfaces, e.g. :8080 or 0.0.0.0:8080, not 127.0.0.1)", url, err)
		case <-time.After(every):
		}
	}
}
