package registryaccess

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseDockerConfig(t *testing.T) {
	auths, err := parseDockerConfig([]byte(`{
		"auths": {
			"registry.example.com": {"auth": "` + b64("alice:pa:ss") + `"},
			"https://index.docker.io/v1/": {"username": "bob", "password": "hub-pass"},
			"ghcr.io": {"username": "<token>", "identitytoken": "refresh-1"},
			"quay.io": {"registrytoken": "access-1"}
		},
		"credsStore": "desktop",
		"HttpHeaders": {"User-Agent": "x"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]Credential{
		"registry.example.com":        {Username: "alice", Password: "pa:ss"},
		"https://index.docker.io/v1/": {Username: "bob", Password: "hub-pass"},
		"ghcr.io":                     {IdentityToken: "refresh-1"},
		"quay.io":                     {RegistryToken: "access-1"},
	} {
		got, err := auths[key].credential()
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if got != want {
			t.Errorf("%s: credential %+v, want %+v", key, got, want)
		}
	}
	if _, err := (dockerAuth{Auth: "%%%"}).credential(); err == nil {
		t.Error("an auth field that is not base64 was accepted")
	}
	if _, err := (dockerAuth{Auth: b64("no-colon")}).credential(); err == nil {
		t.Error("an auth field without user:password was accepted")
	}
	if got, err := (dockerAuth{Auth: base64.RawStdEncoding.EncodeToString([]byte("u:p1"))}).credential(); err != nil || got.Password != "p1" {
		t.Errorf("unpadded base64: %+v, %v", got, err)
	}
	if _, err := parseDockerConfig([]byte(`{"auths": [}`)); err == nil {
		t.Error("a broken config.json was accepted")
	}
}

func TestLookupDockerAuthMatchesTheHostAsDockerDoes(t *testing.T) {
	auths := map[string]dockerAuth{
		"registry.example.com":              {Username: "exact"},
		"https://registry.example.com":      {Username: "legacy-https"},
		"http://legacy.example.com/v2/":     {Username: "legacy-path"},
		"https://ports.example.com:5000":    {Username: "with-port"},
		"https://index.docker.io/v1/":       {Username: "hub"},
		"localhost:5000":                    {Username: "local"},
		"https://registry.example.com.evil": {Username: "evil"},
	}
	for host, want := range map[string]string{
		"registry.example.com":      "exact", // the exact key wins over the legacy form
		"legacy.example.com":        "legacy-path",
		"ports.example.com:5000":    "with-port",
		"ports.example.com":         "",
		"registry-1.docker.io":      "hub",
		"docker.io":                 "hub",
		"index.docker.io":           "hub",
		"localhost:5000":            "local",
		"localhost:5001":            "",
		"example.com":               "",
		"evil.registry.example.com": "",
	} {
		a, _, ok := lookupDockerAuth(auths, host)
		if ok != (want != "") || a.Username != want {
			t.Errorf("%s: got %q (found %v), want %q", host, a.Username, ok, want)
		}
	}
	// Docker Hub's credentials under a bare hostname key still serve Docker Hub.
	if a, _, ok := lookupDockerAuth(map[string]dockerAuth{"docker.io": {Username: "bare"}}, "registry-1.docker.io"); !ok || a.Username != "bare" {
		t.Errorf("docker.io key for registry-1.docker.io: %+v %v", a, ok)
	}
	// Legacy keys are tried in sorted order, not map order.
	two := map[string]dockerAuth{"https://r.example.com/": {Username: "a"}, "http://r.example.com/v1/": {Username: "b"}}
	for range 20 {
		if a, _, _ := lookupDockerAuth(two, "r.example.com"); a.Username != "b" {
			t.Fatalf("legacy lookup gave %q, want the first key in sorted order", a.Username)
		}
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestCredentialsPrecedence(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	if err := os.WriteFile(config, []byte(`{"auths":{"r.example.com":{"auth":"`+b64("cfg:cfg-pass")+`"},"empty.example.com":{}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	both := env(map[string]string{"REGISTRY_USERNAME": "env", "REGISTRY_PASSWORD": "env-pass"})

	if c, src, err := Credentials("r.example.com", both, config); err != nil || c.Username != "env" || src != "REGISTRY_USERNAME/REGISTRY_PASSWORD" {
		t.Errorf("environment and config: %+v %q %v, want the environment's", c, src, err)
	}
	if c, src, err := Credentials("r.example.com", env(nil), config); err != nil || c.Username != "cfg" || c.Password != "cfg-pass" || src != `-docker-config entry "r.example.com"` {
		t.Errorf("config only: %+v %q %v", c, src, err)
	}
	if c, src, err := Credentials("other.example.com", env(nil), config); err != nil || !c.IsZero() || src != "" {
		t.Errorf("config without an entry for the host: %+v %q %v, want none", c, src, err)
	}
	// An entry without credentials (a credsStore's) is still named as the source.
	if c, src, err := Credentials("empty.example.com", env(nil), config); err != nil || !c.IsZero() || src != `-docker-config entry "empty.example.com"` {
		t.Errorf("an empty entry: %+v %q %v", c, src, err)
	}
	if c, src, err := Credentials("r.example.com", env(nil), ""); err != nil || !c.IsZero() || src != "" {
		t.Errorf("nothing: %+v %q %v", c, src, err)
	}
	for name, tc := range map[string]struct {
		getenv func(string) string
		config string
		want   string
	}{
		"a username without a password": {env(map[string]string{"REGISTRY_USERNAME": "only"}), "", "REGISTRY_USERNAME and REGISTRY_PASSWORD must be set together"},
		"a password without a username": {env(map[string]string{"REGISTRY_PASSWORD": "only"}), "", "REGISTRY_USERNAME and REGISTRY_PASSWORD must be set together"},
		"a missing -docker-config":      {env(nil), filepath.Join(dir, "missing.json"), "-docker-config: "},
		"a broken -docker-config":       {env(nil), writeConfig(t, `{"auths": [}`), "not a Docker config.json"},
		"a broken entry":                {env(nil), writeConfig(t, `{"auths":{"r.example.com":{"auth":"%%%"}}}`), `the entry "r.example.com": its auth field is not base64`},
	} {
		if _, _, err := Credentials("r.example.com", tc.getenv, tc.config); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
}

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSecrets(t *testing.T) {
	c := Credential{Username: "alice", Password: "hunter22", IdentityToken: "refresh-1", RegistryToken: "ab"}
	got := strings.Join(c.Secrets(), " ")
	if got != "hunter22 refresh-1 "+b64("alice:hunter22") {
		t.Errorf("secrets %q: want the password, the token of 3 characters or more and the Basic header's base64", got)
	}
	if s := (Credential{}).Secrets(); len(s) != 0 {
		t.Errorf("no credential has secrets %q", s)
	}
}

func TestSameHost(t *testing.T) {
	for host, want := range map[string]bool{
		"registry.example.com:5000": true,
		"REGISTRY.example.com:5000": true,
		"registry.example.com":      false,
		"registry.example.com:5001": false,
		"auth.example.com":          false,
	} {
		if got := SameHost("registry.example.com:5000", host); got != want {
			t.Errorf("SameHost(registry.example.com:5000, %s) = %v, want %v", host, got, want)
		}
	}
}
