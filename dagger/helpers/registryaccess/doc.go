// Package registryaccess is what the module's registry helpers (../push on oras-go, ../sign on
// go-containerregistry and sigstore) share about talking to an OCI registry, whatever client
// library they use: where credentials come from (REGISTRY_USERNAME and REGISTRY_PASSWORD, or the
// `auths` of a Docker config.json) and which host gets them; which registries are spoken to over
// plain HTTP; the HTTP transport that dials -connect for every connection and keeps Authorization
// headers to the registry and the token service it names; the -connect and -docker-config flags;
// the kinds a failure is classified into and the words it is described in; and the removal of
// secrets from messages.
//
// Standard library only, so that neither helper pays for the other's dependencies. Each helper
// keeps its library's glue (oras-go's auth.Credential, go-containerregistry's authn) and the
// failures only its library reports.
package registryaccess
