package main

import (
	"context"
	"testing"

	"goscratch.example/registryaccess"
	"oras.land/oras-go/v2/registry/remote/auth"
)

func TestCredentialFuncIsScopedToTheHost(t *testing.T) {
	c := registryaccess.Credential{Username: "u", Password: "p"}
	want := auth.Credential{Username: "u", Password: "p"}
	f := credentialFunc("registry.example.com:5000", c)
	for host, want := range map[string]auth.Credential{
		"registry.example.com:5000": want,
		"REGISTRY.example.com:5000": want,
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

// TestCredentialFuncGivesOrasTheTokens: an identity token is oras-go's OAuth2 refresh token, a
// registry token its ready Bearer (access) token.
func TestCredentialFuncGivesOrasTheTokens(t *testing.T) {
	for _, tc := range []struct {
		c    registryaccess.Credential
		want auth.Credential
	}{
		{registryaccess.Credential{Username: "alice", Password: "pa:ss"}, auth.Credential{Username: "alice", Password: "pa:ss"}},
		{registryaccess.Credential{IdentityToken: "refresh-1"}, auth.Credential{RefreshToken: "refresh-1"}},
		{registryaccess.Credential{RegistryToken: "access-1"}, auth.Credential{AccessToken: "access-1"}},
		{registryaccess.Credential{}, auth.EmptyCredential},
	} {
		if got, err := credentialFunc("r.example", tc.c)(context.Background(), "r.example"); err != nil || got != tc.want {
			t.Errorf("%+v: oras-go credential %+v, want %+v", tc.c, got, tc.want)
		}
	}
}
