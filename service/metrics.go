package main

import "expvar"

// Process-wide counters, published once at init (expvar.Publish panics on a
// duplicate name, so they are never created per server). They are served as
// JSON by the admin listener at GET /debug/vars, never on the public port.
var (
	requestCounts = expvar.NewMap("requests")  // keyed "<route> <status>", e.g. "GET /healthz 200", "unmatched 404"
	inFlight      = expvar.NewInt("in_flight") // public requests being served right now
)

// metrics is what the middleware updates. Production uses the published
// vars above; tests may pass unpublished ones to count exactly.
type metrics struct {
	requests *expvar.Map
	inFlight *expvar.Int
}

func publishedMetrics() *metrics {
	return &metrics{requests: requestCounts, inFlight: inFlight}
}
