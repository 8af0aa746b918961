package main

import (
	"expvar"
	"strconv"
	"sync"
)

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

	// counters caches the *expvar.Int behind each requests entry, keyed by
	// requestKey, so that counting a request neither builds the key string
	// nor looks it up in the expvar.Map.
	counters sync.Map
}

// requestKey is one entry of requests, "<route> <status>" or "<route> aborted".
type requestKey struct {
	route   string
	status  int
	aborted bool
}

func publishedMetrics() *metrics {
	return &metrics{requests: requestCounts, inFlight: inFlight}
}

// count adds one to requests["<route> <status>"], or to
// requests["<route> aborted"] for a request whose handler panicked out.
func (m *metrics) count(route string, status int, aborted bool) {
	k := requestKey{route, status, aborted}
	if c, ok := m.counters.Load(k); ok {
		c.(*expvar.Int).Add(1)
		return
	}
	// First time for this entry (or a concurrent first time: both add to the
	// same expvar.Int, and either may be cached).
	name := route + " " + strconv.Itoa(status)
	if aborted {
		name = route + " aborted"
	}
	m.requests.Add(name, 1)
	m.counters.Store(k, m.requests.Get(name))
}
