package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"oras.land/oras-go/v2/registry/remote/auth"
)

// dockerHubServer is the key Docker keeps Docker Hub's credentials under in config.json.
const dockerHubServer = "https://index.docker.io/v1/"

// dockerAuth is one `auths` entry of a Docker config.json.
type dockerAuth struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

// parseDockerConfig reads the `auths` of a Docker config.json.
func parseDockerConfig(b []byte) (map[string]dockerAuth, error) {
	var cfg struct {
		Auths map[string]dockerAuth `json:"auths"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("not a Docker config.json: %v", err)
	}
	return cfg.Auths, nil
}

// serverAddress is the key Docker looks a registry host up under: Docker Hub's hosts all map to
// https://index.docker.io/v1/, any other host is itself (host[:port]).
func serverAddress(host string) string {
	switch strings.ToLower(host) {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return dockerHubServer
	}
	return host
}

// hostnameOfKey is Docker's ConvertToHostname: a key with a scheme and a path (the legacy form,
// e.g. https://registry.example.com/v2/) reduced to its host[:port].
func hostnameOfKey(key string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(key, "http://"), "https://")
	h, _, _ := strings.Cut(s, "/")
	return h
}

// lookupDockerAuth finds the entry for host as Docker does: the exact key first (Docker Hub's is
// https://index.docker.io/v1/), then any key whose hostname is the host, in sorted order so the
// answer does not depend on map order.
func lookupDockerAuth(auths map[string]dockerAuth, host string) (dockerAuth, string, bool) {
	want := serverAddress(host)
	if a, ok := auths[want]; ok {
		return a, want, true
	}
	keys := make([]string, 0, len(auths))
	for k := range auths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h := hostnameOfKey(k)
		if strings.EqualFold(h, host) || (want == dockerHubServer && serverAddress(h) == dockerHubServer) {
			return auths[k], k, true
		}
	}
	return dockerAuth{}, "", false
}

// credential turns an `auths` entry into oras-go's credential: `auth` (base64 user:password) or
// `username`/`password` for Basic and token flows, `identitytoken` as an OAuth2 refresh token,
// `registrytoken` as a ready Bearer token.
func (a dockerAuth) credential() (auth.Credential, error) {
	c := auth.Credential{Username: a.Username, Password: a.Password, RefreshToken: a.IdentityToken, AccessToken: a.RegistryToken}
	if a.Auth != "" {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(a.Auth))
		if err != nil {
			if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimSpace(a.Auth)); err != nil {
				return auth.EmptyCredential, fmt.Errorf("its auth field is not base64")
			}
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return auth.EmptyCredential, fmt.Errorf("its auth field is not user:password")
		}
		c.Username, c.Password = user, pass
	}
	if c.Username == "<token>" && c.RefreshToken != "" {
		// Docker's placeholder beside an identity token; not a user name.
		c.Username = ""
	}
	return c, nil
}

// credentials resolves what to authenticate to host with: REGISTRY_USERNAME and REGISTRY_PASSWORD
// when set (they win), else the matching entry of the Docker config at dockerConfig, else none.
// It returns the credential and where it came from, for messages.
func credentials(host string, getenv func(string) string, dockerConfig string) (auth.Credential, string, error) {
	user, pass := getenv("REGISTRY_USERNAME"), getenv("REGISTRY_PASSWORD")
	switch {
	case user != "" && pass != "":
		return auth.Credential{Username: user, Password: pass}, "REGISTRY_USERNAME/REGISTRY_PASSWORD", nil
	case user != "" || pass != "":
		return auth.EmptyCredential, "", invalid("REGISTRY_USERNAME and REGISTRY_PASSWORD must be set together")
	}
	if dockerConfig == "" {
		return auth.EmptyCredential, "", nil
	}
	b, err := os.ReadFile(dockerConfig)
	if err != nil {
		return auth.EmptyCredential, "", invalid("-docker-config: %v", err)
	}
	auths, err := parseDockerConfig(b)
	if err != nil {
		return auth.EmptyCredential, "", invalid("-docker-config %s: %v", dockerConfig, err)
	}
	a, key, ok := lookupDockerAuth(auths, host)
	if !ok {
		return auth.EmptyCredential, "", nil
	}
	c, err := a.credential()
	if err != nil {
		return auth.EmptyCredential, "", invalid("-docker-config %s: the entry %q: %v", dockerConfig, key, err)
	}
	return c, fmt.Sprintf("-docker-config entry %q", key), nil
}

// credentialFunc gives oras-go the credential for the registry's host and nothing for any other
// host, whatever asks.
func credentialFunc(host string, c auth.Credential) auth.CredentialFunc {
	return func(_ context.Context, hostport string) (auth.Credential, error) {
		if strings.EqualFold(hostport, host) {
			return c, nil
		}
		return auth.EmptyCredential, nil
	}
}

// secrets lists the strings that must never appear in a message.
func secrets(c auth.Credential) []string {
	var out []string
	for _, s := range []string{c.Password, c.RefreshToken, c.AccessToken} {
		if len(s) >= 3 {
			out = append(out, s)
		}
	}
	if c.Username != "" && c.Password != "" {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password)))
	}
	return out
}
