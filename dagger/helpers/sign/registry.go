package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"goscratch.example/registryaccess"
)

// userAgent is sent with every request.
const userAgent = "go-scratch-sign (cosign/v2)"

// registry is how to talk to one registry: its host, the options of go-containerregistry's remote
// package (transport, credentials, context) and cosign's options wrapping them.
type registry struct {
	host   string
	remote []remote.Option
	cosign []ociremote.Option
}

// newRegistry sets up the client for reg: plain HTTP or HTTPS by registryaccess.PlainHTTP, every
// connection dialled to connect when set, the credentials cred (anonymous when empty) sent only to
// the registry and to the token service its challenges name. No keychain is consulted: nothing
// but cred is sent.
func newRegistry(ctx context.Context, reg name.Registry, connect string, cred registryaccess.Credential) *registry {
	host := reg.RegistryStr()
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(newTransport(host, connect)),
		remote.WithAuth(authenticator(cred)),
		remote.WithUserAgent(userAgent),
	}
	return &registry{
		host:   host,
		remote: ropts,
		// WithRemoteOptions replaces cosign's default (the Docker keychain of this machine).
		cosign: []ociremote.Option{ociremote.WithRemoteOptions(ropts...)},
	}
}

// nameOptions are the options to parse references to host with: an explicit registry is required
// (no docker.io default), and a registry on a loopback address is marked insecure so that
// go-containerregistry tries plain HTTP (the transport refuses HTTPS to it, and HTTP elsewhere).
func nameOptions(host string) []name.Option {
	opts := []name.Option{name.StrictValidation}
	if registryaccess.PlainHTTP(host) {
		opts = append(opts, name.Insecure)
	}
	return opts
}

// registryHost is the host[:port] a reference string names, before parsing it fully.
func registryHost(ref string) string {
	h, _, _ := strings.Cut(ref, "/")
	return h
}

// newTransport is the HTTP stack under go-containerregistry (which adds its own retries, auth
// and user agent above it): registryaccess's transport, which keeps Authorization headers to the
// registry's host (and the token service it names) and the scheme to registryaccess.PlainHTTP's
// rule, and dials connect, when set, for every connection (with no proxy).
func newTransport(registryHost, connect string) http.RoundTripper {
	return registryaccess.NewTransport(registryHost, connect, registryaccess.TransportOptions{StrictScheme: true})
}
