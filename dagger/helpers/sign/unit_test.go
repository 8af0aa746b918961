package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"goscratch.example/registryaccess"
)

// TestTransportKeepsTheSchemeToPlainHTTP: go-containerregistry would also try HTTP on RFC 1918
// addresses and HTTPS on loopback; the signer's transport refuses the scheme
// registryaccess.PlainHTTP does not give (registryaccess's tests cover the rest of the transport).
func TestTransportKeepsTheSchemeToPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	for _, tc := range []struct {
		registry, url string
		refused       bool
	}{
		{"10.1.2.3:5000", "http://10.1.2.3:5000/v2/", true},
		{"127.0.0.1:5000", "https://127.0.0.1:5000/v2/", true},
		{"127.0.0.1:5000", "http://127.0.0.1:5000/v2/", false},
	} {
		req, _ := http.NewRequest("GET", tc.url, nil)
		resp, err := newTransport(tc.registry, strings.TrimPrefix(srv.URL, "http://")).RoundTrip(req)
		var se *registryaccess.SchemeError
		if refused := errors.As(err, &se); refused != tc.refused {
			t.Errorf("%s to the registry %s: %v, want refused %v", tc.url, tc.registry, err, tc.refused)
		}
		if err == nil {
			resp.Body.Close()
		}
	}
}

func TestExplicitHost(t *testing.T) {
	for s, ok := range map[string]bool{
		"localhost:5000/app": true, "registry.example.com/team/app": true, "127.0.0.1:5000/a/b:v1": true,
		"app": false, "team/app": false, "localhost/app": false, "registry.example.com": false,
	} {
		if err := explicitHost("-repository", s); (err == nil) != ok {
			t.Errorf("explicitHost(%q) = %v", s, err)
		}
	}
}

func TestReadPredicate(t *testing.T) {
	bare := writeFile(t, "bare.json", testPredicate)
	if b, err := readPredicate(bare); err != nil || string(b) != testPredicate {
		t.Fatalf("bare predicate: %v", err)
	}
	st := writeFile(t, "statement.json", `{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","subject":[],"predicate":{"a":1}}`)
	if b, err := readPredicate(st); err != nil || string(b) != `{"a":1}` {
		t.Fatalf("statement: %q %v", b, err)
	}
	for _, bad := range []string{`[1]`, `not json`, `{"predicateType":"https://slsa.dev/provenance/v0.2","predicate":{}}`, `{"predicateType":"https://slsa.dev/provenance/v1"}`} {
		if _, err := readPredicate(writeFile(t, "bad.json", bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		} else if kind, _ := classify(err, registryaccess.Target{}); kind != kindInvalidInput {
			t.Errorf("%s: kind %s", bad, kind)
		}
	}
}

func TestCredentials(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, src, err := credentials("r.example", env(map[string]string{"REGISTRY_USERNAME": "u", "REGISTRY_PASSWORD": "p"}), "")
	if err != nil || c.Username != "u" || c.Password != "p" || src != "REGISTRY_USERNAME/REGISTRY_PASSWORD" {
		t.Fatalf("env: %+v %q %v", c, src, err)
	}
	if _, _, err := credentials("r.example", env(map[string]string{"REGISTRY_USERNAME": "u"}), ""); err == nil {
		t.Fatal("username alone accepted")
	}
	config := writeFile(t, "config.json", `{"auths":{"https://r.example/v2/":{"username":"a","password":"b"},"other.example":{"auth":"eDp5"},"https://index.docker.io/v1/":{"identitytoken":"tok","username":"<token>"},"quay.io":{"registrytoken":"access"},"empty.example":{}}}`)
	c, src, err = credentials("r.example", env(nil), config)
	if err != nil || authConfig(c) != (authn.AuthConfig{Username: "a", Password: "b"}) || !strings.Contains(src, "https://r.example/v2/") {
		t.Fatalf("legacy key: %+v %q %v", c, src, err)
	}
	c, _, err = credentials("other.example", env(nil), config)
	if err != nil || c.Username != "x" || c.Password != "y" {
		t.Fatalf("auth field: %+v %v", c, err)
	}
	c, _, err = credentials("index.docker.io", env(nil), config)
	if err != nil || authConfig(c) != (authn.AuthConfig{IdentityToken: "tok"}) {
		t.Fatalf("docker hub: %+v %v", c, err)
	}
	c, _, err = credentials("quay.io", env(nil), config)
	if err != nil || authConfig(c) != (authn.AuthConfig{RegistryToken: "access"}) {
		t.Fatalf("registry token: %+v %v", c, err)
	}
	c, src, err = credentials("none.example", env(nil), config)
	if err != nil || authConfig(c) != (authn.AuthConfig{}) || src != "" || authenticator(c) != authn.Anonymous {
		t.Fatalf("no entry: %+v %q %v", c, src, err)
	}
	// An entry without credentials (a credsStore's) is none given.
	c, src, err = credentials("empty.example", env(nil), config)
	if err != nil || !c.IsZero() || src != "" || authenticator(c) != authn.Anonymous {
		t.Fatalf("empty entry: %+v %q %v", c, src, err)
	}
	if _, _, err := credentials("r.example", env(nil), writeFile(t, "broken.json", "{")); err == nil {
		t.Fatal("a broken -docker-config accepted")
	} else if kind, _ := classify(err, registryaccess.Target{}); kind != kindInvalidInput {
		t.Fatalf("a broken -docker-config: kind %s", kind)
	}
}

func TestCommandErrors(t *testing.T) {
	k := "testdata/cosign-cli.key"
	for _, tc := range []struct {
		args []string
		kind string
		want string
	}{
		{nil, kindInvalidInput, "usage"},
		{[]string{"nope"}, kindInvalidInput, "unknown subcommand"},
		{[]string{"sign", "-repository", "localhost:5000/app"}, kindInvalidInput, "usage: sign sign"},
		{[]string{"sign", "-repository", "localhost:5000/app", "-digest", "sha256:abc", "-key", k, "-predicate", "x"}, kindInvalidInput, "-digest"},
		{[]string{"sign", "-repository", "app", "-digest", "sha256:" + strings.Repeat("a", 64), "-key", k, "-predicate", "x"}, kindInvalidInput, "host[:port]/path"},
		{[]string{"sign", "-repository", "localhost:5000/app:v1", "-digest", "sha256:" + strings.Repeat("a", 64), "-key", k, "-predicate", "x"}, kindInvalidInput, "-repository"},
		{[]string{"sign", "-repository", "localhost:5000/app", "-digest", "sha256:" + strings.Repeat("a", 64), "-key", k, "-predicate", "/nonexistent"}, kindInvalidInput, "-predicate"},
		{[]string{"sign", "-repository", "localhost:5000/app", "-digest", "sha256:" + strings.Repeat("a", 64), "-key", "testdata/cosign-cli.pub", "-predicate", "testdata/cosign-cli.pub"}, kindInvalidInput, "-predicate"},
		{[]string{"verify", "-reference", "localhost:5000/app"}, kindInvalidInput, "usage: sign verify"},
		{[]string{"verify", "-reference", "localhost:5000/app", "-public-key", "testdata/cosign-cli.pub"}, kindInvalidInput, "-reference"},
		{[]string{"verify", "-reference", "localhost:5000/app:v1", "-public-key", "testdata/cosign-cli.key"}, kindKey, "-public-key"},
		{[]string{"verify", "-reference", "localhost:5000/app:v1", "-public-key", "testdata/cosign-cli.pub", "-connect", "nope"}, kindInvalidInput, "-connect"},
		{[]string{"verify", "-reference", "127.0.0.1:1/app:v1", "-public-key", "testdata/cosign-cli.pub"}, registryaccess.KindUnreachable, "cannot reach 127.0.0.1:1"},
	} {
		r := runCmd(t, nil, tc.args...)
		r.failure(t, tc.kind, tc.want)
		r.noSecrets(t, pemSecrets(mustRead(t, k))...)
	}
}

// TestKeyErrors: files that are no cosign private key fail with kind key, without their content.
func TestKeyErrors(t *testing.T) {
	for name, content := range map[string]string{
		"not pem":  "hello",
		"pub":      string(mustRead(t, "testdata/cosign-cli.pub")),
		"damaged":  "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nZm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
		"ec plain": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIDtYZm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4\n-----END EC PRIVATE KEY-----\n",
	} {
		p := writeFile(t, "k.pem", content)
		_, _, err := loadSigner(p, []byte("pw"))
		kind, msg := classify(err, registryaccess.Target{})
		if kind != kindKey || strings.Contains(msg, "Zm9vYmFy") {
			t.Errorf("%s: %s %s", name, kind, msg)
		}
	}
	if err := sameKey(memorySigner(t), mustPublic(t, memorySigner(t))); err == nil {
		t.Error("sameKey accepted another key")
	}
	sv := memorySigner(t)
	if err := sameKey(sv, mustPublic(t, sv)); err != nil {
		t.Error(err)
	}
}
