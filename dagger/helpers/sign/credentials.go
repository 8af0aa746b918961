package main

import (
	"github.com/google/go-containerregistry/pkg/authn"
	"goscratch.example/registryaccess"
)

// Where credentials come from and which host gets them are registryaccess's rules, shared with
// the pusher; this is their go-containerregistry side.

// credentials resolves what to authenticate to host with (registryaccess.Credentials): an
// unusable setting is kind invalid-input, and a Docker config entry that holds no credentials (as
// a credsStore leaves it) is none given (anonymous, source "").
func credentials(host string, getenv func(string) string, dockerConfig string) (registryaccess.Credential, string, error) {
	c, source, err := registryaccess.Credentials(host, getenv, dockerConfig)
	if err != nil {
		return registryaccess.Credential{}, "", invalid("%v", err)
	}
	if c.IsZero() {
		source = ""
	}
	return c, source, nil
}

// authConfig is c as go-containerregistry's AuthConfig: the username and password for Basic and
// token flows, the identity token as an OAuth2 refresh token, the registry token as a ready
// Bearer token.
func authConfig(c registryaccess.Credential) authn.AuthConfig {
	return authn.AuthConfig{Username: c.Username, Password: c.Password, IdentityToken: c.IdentityToken, RegistryToken: c.RegistryToken}
}

// authenticator is what go-containerregistry sends to the registry (and to the token service it
// names): the credentials, or anonymous when there are none.
func authenticator(c registryaccess.Credential) authn.Authenticator {
	if c.IsZero() {
		return authn.Anonymous
	}
	return authn.FromConfig(authConfig(c))
}
