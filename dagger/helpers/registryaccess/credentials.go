package registryaccess

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// EnvSource is the source Credentials names for REGISTRY_USERNAME and REGISTRY_PASSWORD.
const EnvSource = "REGISTRY_USERNAME/REGISTRY_PASSWORD"

// CredentialsHint is what a message tells someone whose registry wants credentials.
const CredentialsHint = "set REGISTRY_USERNAME and REGISTRY_PASSWORD, or pass -docker-config"

// Credential is what to authenticate to a registry with, in Docker's terms: a username and
// password (Basic, and the token flows), an identity token (an OAuth2 refresh token) or a
// registry token (a ready Bearer token). The zero Credential is none (anonymous).
type Credential struct {
	Username      string
	Password      string
	IdentityToken string
	RegistryToken string
}

// IsZero tells whether c holds nothing.
func (c Credential) IsZero() bool { return c == Credential{} }

// Secrets lists the strings of c that must never appear in a message: the password and tokens
// (of 3 characters or more), and the base64 user:password of a Basic Authorization header.
func (c Credential) Secrets() []string {
	var out []string
	for _, s := range []string{c.Password, c.IdentityToken, c.RegistryToken} {
		if len(s) >= 3 {
			out = append(out, s)
		}
	}
	if c.Username != "" && c.Password != "" {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(c.Username+":"+c.Password)))
	}
	return out
}

// SameHost is the rule for which host gets the credentials: only the registry's own host[:port]
// (compared case-insensitively; another port is another host). The transport's guard lets the
// token service the registry names have them too.
func SameHost(registryHost, host string) bool { return strings.EqualFold(host, registryHost) }

// Credentials resolves what to authenticate to host (host[:port]) with: REGISTRY_USERNAME and
// REGISTRY_PASSWORD when set (they win), else the matching entry of the Docker config at
// dockerConfig (when not ""), else none. It returns the credential and where it came from, for
// messages: EnvSource, `-docker-config entry "<key>"` (also for an entry that holds no credential,
// as a credsStore leaves it), or "" for none. Every error it returns is the input's fault (the
// environment, the file, the entry), in a message that names it.
func Credentials(host string, getenv func(string) string, dockerConfig string) (Credential, string, error) {
	user, pass := getenv("REGISTRY_USERNAME"), getenv("REGISTRY_PASSWORD")
	switch {
	case user != "" && pass != "":
		return Credential{Username: user, Password: pass}, EnvSource, nil
	case user != "" || pass != "":
		return Credential{}, "", fmt.Errorf("REGISTRY_USERNAME and REGISTRY_PASSWORD must be set together")
	}
	if dockerConfig == "" {
		return Credential{}, "", nil
	}
	b, err := os.ReadFile(dockerConfig)
	if err != nil {
		return Credential{}, "", fmt.Errorf("-docker-config: %v", err)
	}
	auths, err := parseDockerConfig(b)
	if err != nil {
		return Credential{}, "", fmt.Errorf("-docker-config %s: %v", dockerConfig, err)
	}
	a, key, ok := lookupDockerAuth(auths, host)
	if !ok {
		return Credential{}, "", nil
	}
	c, err := a.credential()
	if err != nil {
		return Credential{}, "", fmt.Errorf("-docker-config %s: the entry %q: %v", dockerConfig, key, err)
	}
	return c, fmt.Sprintf("-docker-config entry %q", key), nil
}

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

// credential turns an `auths` entry into a Credential: `auth` (base64 user:password, padded or
// not) or `username`/`password`, `identitytoken`, `registrytoken`. Docker's "<token>" user name
// beside an identity token is a placeholder, not a user name, and is dropped.
func (a dockerAuth) credential() (Credential, error) {
	c := Credential{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken, RegistryToken: a.RegistryToken}
	if a.Auth != "" {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(a.Auth))
		if err != nil {
			if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimSpace(a.Auth)); err != nil {
				return Credential{}, fmt.Errorf("its auth field is not base64")
			}
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return Credential{}, fmt.Errorf("its auth field is not user:password")
		}
		c.Username, c.Password = user, pass
	}
	if c.Username == "<token>" && c.IdentityToken != "" {
		c.Username = ""
	}
	return c, nil
}
