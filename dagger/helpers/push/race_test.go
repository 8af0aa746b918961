//go:build race

package main

// Under `go test -race` the helper the tests run is built with the race detector too.
func init() { raceEnabled = true }
