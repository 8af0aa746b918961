package main

import "sync/atomic"

// state is shared between the serve loop and the handlers.
type state struct {
	// shuttingDown flips to true when shutdown begins; /readyz then answers
	// 503 so load balancers stop sending new traffic.
	shuttingDown atomic.Bool
}
