package main

import "errors"

// exitError carries the process exit code chosen by run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Exit codes.
const (
	exitFailure = 1 // runtime failure, failed health check, shutdown deadline exceeded
	exitUsage   = 2 // invalid configuration or command line
)

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// exitCode maps the error returned by run to a process exit status:
// nil is 0, an *exitError its own code, anything else 1.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := errors.AsType[*exitError](err); ok {
		return e.code
	}
	return exitFailure
}
