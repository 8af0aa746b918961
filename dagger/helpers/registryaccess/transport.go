package registryaccess

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// PlainHTTP is the rule for the scheme: registries on localhost, 127.* or ::1 are spoken to over
// plain HTTP, as container engines do; any other over HTTPS. It looks at the repository's host,
// also when -connect dials another address.
func PlainHTTP(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	return h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.")
}

// TransportOptions are where the helpers' transports differ.
type TransportOptions struct {
	// StrictScheme refuses, with a *SchemeError, a request to the registry's host in the scheme
	// PlainHTTP does not give it (for a client that tries both schemes, as go-containerregistry
	// does for a registry it deems local: the other try fails, the right one wins).
	StrictScheme bool
	// ProxyWithConnect keeps the environment's HTTP proxy (http.ProxyFromEnvironment) when
	// connect is set, as the pusher always has; without it a transport that dials connect uses no
	// proxy, every connection going to connect.
	ProxyWithConnect bool
}

// NewTransport is the HTTP stack under a registry client (which adds its own auth, user agent
// and, in its way, retries above it): a guard that keeps Authorization headers to registryHost
// and the token service its Bearer challenges name, over a transport that dials connect
// (host:port), when set, for every connection while URLs keep the registry's host. Connections
// and TLS handshakes time out after 30 s, an answer's headers after 5 minutes.
func NewTransport(registryHost, connect string, o TransportOptions) http.RoundTripper {
	base := http.DefaultTransport.(*http.Transport).Clone()
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if connect != "" {
		if !o.ProxyWithConnect {
			base.Proxy = nil
		}
		base.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, connect)
		}
	} else {
		base.DialContext = dialer.DialContext
	}
	base.TLSHandshakeTimeout = 30 * time.Second
	base.ResponseHeaderTimeout = 5 * time.Minute
	return &guard{base: base, registry: registryHost, strict: o.StrictScheme, plain: PlainHTTP(registryHost), realms: map[string]bool{}}
}

// SchemeError is a request to the registry refused for its scheme (TransportOptions.StrictScheme).
type SchemeError struct{ Scheme, Host string }

func (e *SchemeError) Error() string {
	if e.Scheme == "http" {
		return "refusing plain HTTP to " + e.Host + ": only localhost, 127.* and ::1 are spoken to over HTTP"
	}
	return "refusing HTTPS to " + e.Host + ": a registry on localhost, 127.* or ::1 is spoken to over plain HTTP"
}

// guard is a last line of defence under the registry client (which already keeps credentials to
// the registry's origin): an Authorization header goes only to the registry's host and to the
// token service its Bearer challenges name; from a request to any other host it is removed. With
// strict, requests to the registry in the wrong scheme are refused.
type guard struct {
	base     http.RoundTripper
	registry string
	strict   bool
	plain    bool
	mu       sync.Mutex
	realms   map[string]bool
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Host
	if g.strict && SameHost(g.registry, host) && (req.URL.Scheme == "http") != g.plain {
		return nil, &SchemeError{req.URL.Scheme, host}
	}
	if req.Header.Get("Authorization") != "" && !g.allowed(host) {
		req = req.Clone(req.Context())
		req.Header.Del("Authorization")
	}
	resp, err := g.base.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && SameHost(g.registry, host) {
		if realm := challengeRealm(resp.Header.Get("WWW-Authenticate")); realm != "" {
			if u, perr := url.Parse(realm); perr == nil && u.Host != "" {
				g.mu.Lock()
				g.realms[strings.ToLower(u.Host)] = true
				g.mu.Unlock()
			}
		}
	}
	return resp, err
}

func (g *guard) allowed(host string) bool {
	if SameHost(g.registry, host) {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.realms[strings.ToLower(host)]
}

// challengeRealm is the realm of a `Bearer realm="…",…` challenge, or "".
func challengeRealm(h string) string {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "realm") {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}
