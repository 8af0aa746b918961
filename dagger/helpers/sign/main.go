// Command sign signs an image in a registry with a cosign key and attests its SLSA v1 provenance,
// or verifies both, and prints one JSON document saying what it found.
//
//	sign sign -repository host[:port]/path -digest sha256:<hex> -key cosign.key -predicate provenance.json
//	          [-public-key cosign.pub] [-connect host:port] [-docker-config config.json]
//	sign verify -reference host[:port]/path:tag|host[:port]/path@sha256:<hex> -public-key cosign.pub
//	          [-connect host:port] [-docker-config config.json]
//
// Everything cosign-shaped comes from sigstore's own Go packages (cosign v2's pkg/cosign,
// pkg/oci/..., pkg/cosign/attestation; sigstore's pkg/signature, .../dsse, .../payload), so that
// `cosign verify` and `cosign verify-attestation` accept what `sign sign` writes: the key is
// loaded by cosign.LoadPrivateKey; the signature is sigstore's simple-signing payload
// (payload.Cosign) signed with the key, stored as cosign stores it, a layer of the image at the
// tag sha256-<hex>.sig of the same repository; the attestation is the in-toto statement cosign's
// attestation.GenerateStatement makes (type slsaprovenance1: subject the repository and the
// digest, predicateType https://slsa.dev/provenance/v1) in a DSSE envelope (dsse.WrapSigner),
// stored at sha256-<hex>.att with the predicateType annotation; verification is
// cosign.VerifyImageSignatures / VerifyImageAttestation with the public key and cosign's claim
// verifiers. Only key-based signing: no Fulcio, no Rekor transparency log, no timestamp authority
// (nothing of sigstore's public services is needed, or contacted). The real cosign CLI (v2.6.5)
// accepts the result with
//
//	cosign verify --key cosign.pub --insecure-ignore-tlog host/path@sha256:…
//	cosign verify-attestation --type slsaprovenance1 --key cosign.pub --insecure-ignore-tlog host/path@sha256:…
//
// (--insecure-ignore-tlog because there is no Rekor entry; --allow-insecure-registry only for a
// plain-HTTP registry that is not on localhost or 127.0.0.1; no OCI 1.1 referrers or
// --new-bundle-format flag: cosign 2.6 reads the sha256-<hex>.sig/.att tags by default).
//
// `sign sign` signs the image (an index or a manifest) at repository@digest and attests it with
// the predicate file, a SLSA v1 provenance predicate (or an in-toto statement holding one); then
// it reads both back from the registry and verifies them against -public-key, or the signing
// key's own public key, and fails if they do not verify. The key's password is COSIGN_PASSWORD
// (may be empty). Signing again is idempotent: the same signature is not added twice, and this
// key's earlier SLSA v1 attestation of the digest is replaced; signatures and attestations of
// other keys are kept.
//
// `sign verify` resolves the reference to a digest and verifies that digest's signatures and
// SLSA v1 provenance with -public-key; a tag moved to an image nobody signed with the key fails.
//
// Credentials come from REGISTRY_USERNAME and REGISTRY_PASSWORD, or else from the `auths` of a
// Docker config.json (-docker-config), and go only to the repository's host (and the token service
// it names); no keychain or credential helper of the machine is consulted. Registries on
// localhost, 127.* or ::1 are spoken to over plain HTTP, any other over HTTPS; -connect dials
// another address for every connection (a registry bound as a Dagger service) while URLs keep the
// repository's host. These rules are ../registryaccess's, which the pusher (../push) shares.
//
// On success stdout holds one JSON document. `sign sign`:
//
//	{"repository":"host/path","digest":"sha256:…","signature":"host/path:sha256-….sig","signatureDigest":"sha256:…",
//	 "attestation":"host/path:sha256-….att","attestationDigest":"sha256:…","verified":true,"signatures":1,
//	 "attestations":1,"keyId":"sha256:…","predicateType":"https://slsa.dev/provenance/v1"}
//
// `sign verify`:
//
//	{"reference":"host/path:v1","digest":"sha256:…","keyId":"sha256:…","signatures":1,"attestations":1,
//	 "provenance":{"predicateType":"https://slsa.dev/provenance/v1","builder":"…","buildType":"…",
//	 "subject":[{"name":"host/path","digest":{"sha256":"…"}}],"externalParameters":{…},
//	 "internalParameters":{…},"resolvedDependencies":[…],"metadata":{…}}}
//
// signatures and attestations count those of the digest that verify with the key (attestations:
// SLSA v1 provenance only); keyId is sha256 of the public key's DER; provenance is the newest such
// attestation's. On failure the exit status is 1 and stderr holds one JSON line
// {"error":"…","kind":"…"}, kind being one of invalid-input, key, unreachable,
// credentials-required, credentials-refused, denied, not-found, unsigned (no signature or
// attestation for the digest, e.g. a tag moved to an unsigned image), invalid-signature (some,
// none verifying with the key) or registry. No key, password or registry secret is ever printed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/sigstore/sigstore/pkg/signature"
	"goscratch.example/registryaccess"
)

// timeout bounds a whole run.
const timeout = 15 * time.Minute

// maxPredicate bounds the predicate file.
const maxPredicate = 16 << 20

const (
	usageSign   = "usage: sign sign -repository host[:port]/path -digest sha256:<hex> -key cosign.key -predicate provenance.json [-public-key cosign.pub] [-connect host:port] [-docker-config config.json]"
	usageVerify = "usage: sign verify -reference host[:port]/path:tag|host[:port]/path@sha256:<hex> -public-key cosign.pub [-connect host:port] [-docker-config config.json]"
)

// failure is the JSON line on stderr when the command fails.
type failure struct {
	Error string `json:"error"`
	Kind  string `json:"kind"`
}

var digestPattern = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run does what the arguments say and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	r := &runner{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		return r.fail(invalid("%s\n%s", usageSign, usageVerify))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch args[0] {
	case "sign":
		return r.sign(ctx, args[1:])
	case "verify":
		return r.verify(ctx, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stderr, usageSign)
		fmt.Fprintln(stderr, usageVerify)
		return 0
	}
	return r.fail(invalid("unknown subcommand %q: want sign or verify", args[0]))
}

// runner carries what a failure is described against and the secrets kept out of messages.
type runner struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	target         registryaccess.Target
	secrets        []string
}

// fail prints the failure as one JSON line on stderr and returns 1.
func (r *runner) fail(err error) int {
	kind, msg := classify(err, r.target)
	b, _ := json.Marshal(failure{Error: registryaccess.Clean(msg, r.secrets), Kind: kind})
	fmt.Fprintln(r.stderr, string(b))
	return 1
}

// succeed prints the result as one JSON document on stdout and returns 0.
func (r *runner) succeed(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return r.fail(err)
	}
	fmt.Fprintln(r.stdout, string(b))
	return 0
}

// flags is a subcommand's flag set with the registry flags every subcommand has.
type flags struct {
	*flag.FlagSet
	access registryaccess.Flags
}

func newFlags(name string) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.SetOutput(io.Discard)
	f.access.Register(f.FlagSet)
	return f
}

// parse parses args; done is true when the run is over (help printed, or a failure).
func (r *runner) parse(f *flags, usage string, args []string) (code int, done bool) {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.SetOutput(r.stderr)
			fmt.Fprintln(r.stderr, usage)
			f.PrintDefaults()
			return 0, true
		}
		return r.fail(invalid("%v; %s", err, usage)), true
	}
	if f.NArg() > 0 {
		return r.fail(invalid("unexpected arguments: %s", strings.Join(f.Args(), " "))), true
	}
	if err := f.access.Check(); err != nil {
		return r.fail(invalid("%v", err)), true
	}
	return 0, false
}

// openRegistry resolves the credentials for reg and sets up its client.
func (r *runner) openRegistry(ctx context.Context, reg name.Registry, f *flags) (*registry, error) {
	r.target = registryaccess.Target{Host: reg.RegistryStr(), Connect: f.access.Connect}
	cred, source, err := credentials(reg.RegistryStr(), r.getenv, f.access.DockerConfig)
	if err != nil {
		return nil, err
	}
	r.target.Source = source
	r.secrets = append(r.secrets, cred.Secrets()...)
	return newRegistry(ctx, reg, f.access.Connect, cred), nil
}

// sign is `sign sign`.
func (r *runner) sign(ctx context.Context, args []string) int {
	f := newFlags("sign sign")
	repository := f.String("repository", "", "host[:port]/path of the repository, without tag or digest")
	dgst := f.String("digest", "", "sha256:<hex> of the image (index or manifest) to sign")
	keyPath := f.String("key", "", "the cosign private key (its password in COSIGN_PASSWORD)")
	predicatePath := f.String("predicate", "", "the SLSA v1 provenance predicate (JSON)")
	publicKey := f.String("public-key", "", "the public key to verify with (default: the signing key's)")
	if code, done := r.parse(f, usageSign, args); done {
		return code
	}
	if *repository == "" || *dgst == "" || *keyPath == "" || *predicatePath == "" {
		return r.fail(invalid("%s", usageSign))
	}
	if !digestPattern.MatchString(*dgst) {
		return r.fail(invalid("-digest %q: want sha256:<64 lowercase hex>", *dgst))
	}
	if err := explicitHost("-repository", *repository); err != nil {
		return r.fail(err)
	}
	repo, err := name.NewRepository(*repository, nameOptions(registryHost(*repository))...)
	if err != nil {
		return r.fail(invalid("-repository %q: %v (want host[:port]/path, without tag or digest)", *repository, err))
	}
	d, err := name.NewDigest(repo.Name()+"@"+*dgst, nameOptions(repo.RegistryStr())...)
	if err != nil {
		return r.fail(invalid("-digest %q: %v", *dgst, err))
	}
	predicate, err := readPredicate(*predicatePath)
	if err != nil {
		return r.fail(err)
	}

	password := r.getenv("COSIGN_PASSWORD")
	if len(password) >= 3 {
		r.secrets = append(r.secrets, password)
	}
	signer, keySecrets, err := loadSigner(*keyPath, []byte(password))
	r.secrets = append(r.secrets, keySecrets...)
	if err != nil {
		return r.fail(err)
	}
	var verifier signature.Verifier = signer
	pub, err := signer.PublicKey()
	if err != nil {
		return r.fail(failKind(kindKey, "the signing key has no public key: %v", err))
	}
	if *publicKey != "" {
		v, p, err := loadVerifier(*publicKey)
		if err != nil {
			return r.fail(err)
		}
		if err := sameKey(signer, p); err != nil {
			return r.fail(err)
		}
		verifier, pub = v, p
	}
	id, err := keyID(pub)
	if err != nil {
		return r.fail(err)
	}

	reg, err := r.openRegistry(ctx, repo.Registry, f)
	if err != nil {
		return r.fail(err)
	}
	job := &signJob{digest: d, signer: signer, verifier: verifier, keyID: id, predicate: predicate, reg: reg}
	out, err := job.run(ctx)
	if err != nil {
		return r.fail(err)
	}
	out.Repository = *repository
	return r.succeed(out)
}

// verify is `sign verify`.
func (r *runner) verify(ctx context.Context, args []string) int {
	f := newFlags("sign verify")
	reference := f.String("reference", "", "host[:port]/path:tag or host[:port]/path@sha256:<hex>")
	publicKey := f.String("public-key", "", "the cosign public key to verify with")
	if code, done := r.parse(f, usageVerify, args); done {
		return code
	}
	if *reference == "" || *publicKey == "" {
		return r.fail(invalid("%s", usageVerify))
	}
	if err := explicitHost("-reference", *reference); err != nil {
		return r.fail(err)
	}
	ref, err := name.ParseReference(*reference, nameOptions(registryHost(*reference))...)
	if err != nil {
		return r.fail(invalid("-reference %q: %v (want host[:port]/path:tag or host[:port]/path@sha256:<hex>)", *reference, err))
	}
	verifier, pub, err := loadVerifier(*publicKey)
	if err != nil {
		return r.fail(err)
	}
	id, err := keyID(pub)
	if err != nil {
		return r.fail(err)
	}
	reg, err := r.openRegistry(ctx, ref.Context().Registry, f)
	if err != nil {
		return r.fail(err)
	}
	out, err := (&verifyJob{ref: ref, verifier: verifier, keyID: id, reg: reg}).run(ctx)
	if err != nil {
		return r.fail(err)
	}
	out.Reference = *reference
	return r.succeed(out)
}

// explicitHost requires a reference to start with a registry host: a name with a dot or a port
// (localhost:5000), never Docker Hub by default.
func explicitHost(flagName, s string) error {
	h, rest, ok := strings.Cut(s, "/")
	if !ok || rest == "" || !strings.ContainsAny(h, ".:") {
		return invalid("%s %q: want host[:port]/path, the registry's host first (with a dot or a port)", flagName, s)
	}
	return nil
}

// readPredicate reads the SLSA v1 provenance predicate: a JSON object, either the predicate
// itself (buildDefinition, runDetails) or an in-toto statement whose predicateType is
// https://slsa.dev/provenance/v1, whose predicate is taken. Its fields are checked by cosign's
// attestation.GenerateStatement.
func readPredicate(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, invalid("-predicate: %v", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxPredicate+1))
	if err != nil {
		return nil, invalid("-predicate: %v", err)
	}
	if len(b) > maxPredicate {
		return nil, invalid("-predicate %s: larger than %d bytes", path, maxPredicate)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, invalid("-predicate %s: not a JSON object: %v", path, err)
	}
	raw, isStatement := obj["predicateType"]
	if !isStatement {
		return b, nil
	}
	var pt string
	if err := json.Unmarshal(raw, &pt); err != nil || pt != slsaProvenanceV1 {
		return nil, invalid("-predicate %s: an in-toto statement of predicateType %s, not %s", path, raw, slsaProvenanceV1)
	}
	p, ok := obj["predicate"]
	if !ok {
		return nil, invalid("-predicate %s: an in-toto statement without a predicate", path)
	}
	return p, nil
}
