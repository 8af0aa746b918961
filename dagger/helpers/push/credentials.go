package main

import (
	"context"

	"goscratch.example/registryaccess"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// Where credentials come from and which host gets them are registryaccess's rules
// (registryaccess.Credentials, registryaccess.SameHost); this is their oras-go side.

// credentialFunc gives oras-go the credential for the registry's host and nothing for any other
// host, whatever asks: the username and password for Basic and token flows, the identity token as
// an OAuth2 refresh token, the registry token as a ready Bearer token.
func credentialFunc(host string, c registryaccess.Credential) auth.CredentialFunc {
	cred := auth.Credential{Username: c.Username, Password: c.Password, RefreshToken: c.IdentityToken, AccessToken: c.RegistryToken}
	return func(_ context.Context, hostport string) (auth.Credential, error) {
		if registryaccess.SameHost(host, hostport) {
			return cred, nil
		}
		return auth.EmptyCredential, nil
	}
}
