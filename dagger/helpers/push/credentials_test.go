package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"oras.land/oras-go/v2/registry/remote/auth"
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
	for key, want := range map[string]auth.Credential{
		"registry.example.com":        {Username: "alice", Password: "pa:ss"},
		"https://index.docker.io/v1/": {Username: "bob", Password: "hub-pass"},
		"ghcr.io":                     {RefreshToken: "refresh-1"},
		"quay.io":                     {AccessToken: "access-1"},
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

func TestCredentialsPrecedence(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	if err := os.WriteFile(config, []byte(`{"auths":{"r.example.com":{"auth":"`+b64("cfg:cfg-pass")+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	both := env(map[string]string{"REGISTRY_USERNAME": "env", "REGISTRY_PASSWORD": "env-pass"})

	if c, src, err := credentials("r.example.com", both, config); err != nil || c.Username != "env" || src != "REGISTRY_USERNAME/REGISTRY_PASSWORD" {
		t.Errorf("environment and config: %+v %q %v, want the environment's", c, src, err)
	}
	if c, src, err := credentials("r.example.com", env(nil), config); err != nil || c.Username != "cfg" || c.Password != "cfg-pass" || src == "" {
		t.Errorf("config only: %+v %q %v", c, src, err)
	}
	if c, src, err := credentials("other.example.com", env(nil), config); err != nil || c != auth.EmptyCredential || src != "" {
		t.Errorf("config without an entry for the host: %+v %q %v, want none", c, src, err)
	}
	if c, src, err := credentials("r.example.com", env(nil), ""); err != nil || c != auth.EmptyCredential || src != "" {
		t.Errorf("nothing: %+v %q %v", c, src, err)
	}
	if _, _, err := credentials("r.example.com", env(map[string]string{"REGISTRY_USERNAME": "only"}), ""); err == nil {
		t.Error("a username without a password was accepted")
	}
	if _, _, err := credentials("r.example.com", env(nil), filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing -docker-config was accepted")
	}
}

func TestCredentialFuncIsScopedToTheHost(t *testing.T) {
	c := auth.Credential{Username: "u", Password: "p"}
	f := credentialFunc("registry.example.com:5000", c)
	for host, want := range map[string]auth.Credential{
		"registry.example.com:5000": c,
		"REGISTRY.example.com:5000": c,
		"registry.example.com":      auth.EmptyCredential,
		"registry.example.com:5001": auth.EmptyCredential,
		"auth.example.com":          auth.EmptyCredential,
	} {
		got, err := f(context.Background(), host)
		if err != nil || got != want {
			t.Errorf("%s: %+v, want %+v", host, got, want)
		}
	}
}
