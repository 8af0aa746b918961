package registryaccess

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestPlainHTTPOnlyForLoopbackHosts(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "localhost:5000": true, "127.0.0.1": true, "127.0.0.1:5000": true, "127.1.2.3:80": true, "127.1.2.3": true,
		"[::1]:5000": true, "::1": true,
		"registry.example.com": false, "registry.example.com:5000": false, "ghcr.io": false, "10.0.0.1:5000": false,
		"192.168.1.2:5000": false, "localhost.example.com": false, "[::2]:5000": false,
	} {
		if got := PlainHTTP(host); got != want {
			t.Errorf("PlainHTTP(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestConnectDialsTheGivenAddressKeepingTheHost(t *testing.T) {
	var host string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host = r.Host
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	client := &http.Client{Transport: NewTransport("registry.invalid:5000", strings.TrimPrefix(srv.URL, "http://"), TransportOptions{})}
	res, err := client.Get("http://registry.invalid:5000/v2/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if host != "registry.invalid:5000" {
		t.Errorf("Host %q, want registry.invalid:5000", host)
	}
}

// TestConnectTakesNoProxy: with -connect every connection goes to it, unless ProxyWithConnect
// keeps the environment's proxy; without -connect the environment's proxy is kept.
func TestConnectTakesNoProxy(t *testing.T) {
	proxy := func(rt http.RoundTripper) bool { return rt.(*guard).base.(*http.Transport).Proxy != nil }
	if proxy(NewTransport("r.example", "registry:5000", TransportOptions{})) {
		t.Error("a transport dialling -connect takes a proxy")
	}
	if !proxy(NewTransport("r.example", "registry:5000", TransportOptions{ProxyWithConnect: true})) {
		t.Error("ProxyWithConnect dropped the environment's proxy")
	}
	if !proxy(NewTransport("r.example", "", TransportOptions{})) {
		t.Error("a transport without -connect dropped the environment's proxy")
	}
}

func TestGuardKeepsAuthorizationToTheRegistryAndItsRealm(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Host+r.URL.RequestURI()] = r.Header.Get("Authorization")
		mu.Unlock()
		if r.URL.Path == "/v2/" && r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="http://auth.invalid:81/token",service="r",scope="repository:x:pull,push"`)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	client := &http.Client{Transport: NewTransport("registry.invalid:80", strings.TrimPrefix(srv.URL, "http://"), TransportOptions{})}
	get := func(u string) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Basic c2VjcmV0")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	get("http://other.invalid:80/v2/x")    // before any challenge: not the registry
	get("http://auth.invalid:81/token")    // the realm, not yet named by the registry
	get("http://registry.invalid:80/v2/x") // the registry
	req, _ := http.NewRequest(http.MethodGet, "http://registry.invalid:80/v2/", nil)
	res, err := client.Do(req) // challenged: names the realm
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	get("http://auth.invalid:81/token?again") // now the realm may have credentials
	mu.Lock()
	defer mu.Unlock()
	if seen["other.invalid:80/v2/x"] != "" {
		t.Error("another host received the Authorization header")
	}
	if seen["registry.invalid:80/v2/x"] == "" {
		t.Error("the registry did not receive the Authorization header")
	}
	if seen["auth.invalid:81/token"] != "" {
		t.Error("a token service the registry had not named received the Authorization header")
	}
	if seen["auth.invalid:81/token?again"] == "" {
		t.Error("the realm the registry named did not receive the Authorization header")
	}
}

// TestStrictScheme: with StrictScheme the registry's scheme follows PlainHTTP (go-containerregistry
// would also try HTTP on RFC 1918 addresses and HTTPS on loopback), and Authorization goes to the
// registry's host only; without it any scheme goes through.
func TestStrictScheme(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Host+" "+r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	strict := TransportOptions{StrictScheme: true}

	private := NewTransport("10.1.2.3:5000", addr, strict)
	req, _ := http.NewRequest("GET", "http://10.1.2.3:5000/v2/", nil)
	var se *SchemeError
	if _, err := private.RoundTrip(req); !errors.As(err, &se) || !strings.Contains(err.Error(), "refusing plain HTTP to 10.1.2.3:5000") {
		t.Fatalf("plain HTTP to 10.1.2.3: %v", err)
	}
	loop := NewTransport("127.0.0.1:5000", addr, strict)
	req, _ = http.NewRequest("GET", "https://127.0.0.1:5000/v2/", nil)
	if _, err := loop.RoundTrip(req); !errors.As(err, &se) || !strings.Contains(err.Error(), "refusing HTTPS to 127.0.0.1:5000") {
		t.Fatalf("HTTPS to 127.0.0.1: %v", err)
	}
	for _, u := range []string{"http://127.0.0.1:5000/v2/", "http://elsewhere.example/blob"} {
		req, _ = http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Basic c2VjcmV0")
		resp, err := loop.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(seen) != 2 || seen[0] != "127.0.0.1:5000 Basic c2VjcmV0" || seen[1] != "elsewhere.example " {
		t.Fatalf("seen %q", seen)
	}

	lax := NewTransport("10.1.2.3:5000", addr, TransportOptions{})
	req, _ = http.NewRequest("GET", "http://10.1.2.3:5000/v2/", nil)
	resp, err := lax.RoundTrip(req)
	if err != nil {
		t.Fatalf("plain HTTP to 10.1.2.3 without StrictScheme: %v", err)
	}
	resp.Body.Close()
}

func TestChallengeRealm(t *testing.T) {
	for h, want := range map[string]string{
		`Bearer realm="https://auth.example.com/token",service="r"`:  "https://auth.example.com/token",
		`bearer service="r", realm="https://auth.example.com/token"`: "https://auth.example.com/token",
		`Basic realm="registry"`:                                     "",
		``:                                                           "",
	} {
		if got := challengeRealm(h); got != want {
			t.Errorf("challengeRealm(%q) = %q, want %q", h, got, want)
		}
	}
}
