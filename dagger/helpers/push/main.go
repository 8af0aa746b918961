// Command push publishes an OCI image layout tarball (the Dagger engine's export of a container,
// one platform or several) to a registry as one image index, under each tag in order, with a
// CycloneDX SBOM attached to each platform's image as an OCI referrer, and prints one JSON document
// saying what the registry now holds.
//
//	push -layout image.tar -repository host[:port]/path -tag v1.0.0 [-tag latest ...] [-connect host:port]
//	     [-sbom linux/amd64=sbom.cdx.json ...] [-docker-config config.json] [-stage all|content|tags]
//
// -stage splits a push in two around a step that needs the index in the registry before any tag
// names it (publish signs it there): `content` pushes everything but the tags, the index by its
// digest; `tags` then writes only the tags (the index again under each, read back and checked).
// The default, `all`, does both in one run.
//
// Why oras-go v2 (oras.land/oras-go/v2), the OCI distribution client the ORAS project maintains,
// rather than a client of our own: its remote.Repository pushes by digest (oras.CopyGraph skips
// what the registry has), its auth.Client answers Basic and Bearer challenges with scopes taken
// from each request (OAuth2 refresh tokens too), keeps credentials to the registry's origin (never
// to an upload Location or a redirect elsewhere) and vets token realms, its retry transport backs
// off on transient failures, and oras.PackManifest builds the SBOM's artifact manifest, which the
// repository adds to the referrers tag schema index (sha256-<hex>) where the registry has no
// referrers API, keeping the referrers already listed there.
//
// A single-platform layout is wrapped in a one-entry index, byte for byte as the pusher this one
// replaces (ocipush) did, so a release has one shape and the same digest. The tarball is read by
// seeking: only tar headers, index.json, manifests and configs are read into memory; a layer is
// streamed from its place in the file, and rewound there when an upload is retried. Blobs and
// platform manifests go first, then SBOMs, then the tags, so a failure before them leaves the
// release tags as they were.
//
// Credentials come from REGISTRY_USERNAME and REGISTRY_PASSWORD, or else from the `auths` of a
// Docker config.json (-docker-config), and go only to the repository's host (and the token service
// it names). Registries on localhost, 127.* or ::1 are spoken to over plain HTTP, any other over
// HTTPS; -connect dials another address for every connection (a registry bound as a Dagger
// service) while the URL keeps the repository's host. These rules are ../registryaccess's, which
// the signer (../sign) shares.
//
// On success stdout holds one JSON document:
//
//	{"repository":"host/path","index":"sha256:…","tags":[{"tag":"v1.0.0","digest":"sha256:…"}],
//	 "platforms":[{"platform":"linux/amd64","digest":"sha256:…","sbom":"sha256:…"}],"retries":0}
//
// On failure the exit status is 1 and stderr holds one JSON line,
// {"error":"…","kind":"…","retries":N}, kind being one of credentials-required,
// credentials-refused, denied, not-found, unreachable, invalid-layout (the layout, an -sbom, a flag
// or the credentials' setting is unusable) or registry.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"goscratch.example/registryaccess"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// userAgent is sent with every request.
const userAgent = "go-scratch-push (oras-go/v2)"

// pushTimeout bounds a whole push.
const pushTimeout = time.Hour

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// failure is the JSON line on stderr when the push fails.
type failure struct {
	Error   string `json:"error"`
	Kind    string `json:"kind"`
	Retries int64  `json:"retries"`
}

var tagPattern = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run pushes as the arguments say and returns the exit status.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var retries atomic.Int64
	var t registryaccess.Target
	var hide []string
	fail := func(err error) int {
		kind, msg := classify(err, t)
		b, _ := json.Marshal(failure{Error: registryaccess.Clean(msg, hide), Kind: kind, Retries: retries.Load()})
		fmt.Fprintln(stderr, string(b))
		return 1
	}

	flags := flag.NewFlagSet("push", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	layoutPath := flags.String("layout", "", "the OCI image layout tarball")
	repository := flags.String("repository", "", "host[:port]/path of the repository, without tag")
	var access registryaccess.Flags
	access.Register(flags)
	stage := flags.String("stage", stageAll, "all, content (everything but the tags, the index by digest) or tags (the tags only)")
	var tags, sbomArgs stringList
	flags.Var(&tags, "tag", "a tag to write (repeatable, written in order)")
	flags.Var(&sbomArgs, "sbom", "os/arch[/variant]=file: a CycloneDX SBOM to attach to that platform's image (repeatable)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			flags.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: push -layout image.tar -repository host[:port]/path -tag T [-tag T2 ...] [-connect host:port] [-sbom os/arch[/variant]=file ...] [-docker-config config.json] [-stage all|content|tags]")
			flags.PrintDefaults()
			return 0
		}
		return fail(invalid("%v", err))
	}
	if flags.NArg() > 0 {
		return fail(invalid("unexpected arguments: %s", strings.Join(flags.Args(), " ")))
	}
	if *layoutPath == "" || *repository == "" {
		return fail(invalid("usage: push -layout image.tar -repository host[:port]/path -tag T [-tag T2 ...]"))
	}
	switch {
	case *stage != stageAll && *stage != stageContent && *stage != stageTags:
		return fail(invalid("-stage %q: want all, content or tags", *stage))
	case *stage == stageContent && len(tags) > 0:
		return fail(invalid("-stage content writes no tag: give the tags to -stage tags"))
	case *stage != stageContent && len(tags) == 0:
		return fail(invalid("usage: push -layout image.tar -repository host[:port]/path -tag T [-tag T2 ...]"))
	case *stage == stageTags && len(sbomArgs) > 0:
		return fail(invalid("-stage tags writes only the tags: give the SBOMs to -stage content"))
	}
	ref, err := registry.ParseReference(*repository)
	if err != nil {
		return fail(invalid("-repository %q: %v", *repository, err))
	}
	if ref.Reference != "" {
		return fail(invalid("-repository %q names a tag or digest; give tags with -tag", *repository))
	}
	t.Host, t.Connect = ref.Registry, access.Connect
	for _, tag := range tags {
		if !tagPattern.MatchString(tag) {
			return fail(invalid("-tag %q is not a valid tag", tag))
		}
	}
	if err := access.Check(); err != nil {
		return fail(invalid("%v", err))
	}

	cred, source, err := registryaccess.Credentials(ref.Registry, getenv, access.DockerConfig)
	if err != nil {
		return fail(invalid("%v", err))
	}
	t.Source = source
	hide = cred.Secrets()

	store, err := openLayout(*layoutPath)
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	img, err := store.imageOf()
	if err != nil {
		return fail(err)
	}
	var sboms []*sbomFile
	for _, a := range sbomArgs {
		s, err := openSBOM(a)
		if err != nil {
			return fail(err)
		}
		defer s.file.Close()
		sboms = append(sboms, s)
	}
	p, err := makePlan(store, img, tags, sboms)
	if err != nil {
		return fail(err)
	}
	p.stage = *stage

	repo := &remote.Repository{
		Reference: ref,
		PlainHTTP: registryaccess.PlainHTTP(ref.Registry),
		Client: &auth.Client{
			Client:     &http.Client{Transport: newTransport(ref.Registry, access.Connect, &retries)},
			Header:     http.Header{"User-Agent": {userAgent}},
			Cache:      auth.NewCache(),
			Credential: credentialFunc(ref.Registry, cred),
		},
		MaxMetadataBytes: maxMetadataBytes,
		// The replaced fallback index is left in place rather than deleted: a push credential
		// need not be allowed to delete, and the tag is what names the referrers.
		SkipReferrersGC: true,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, pushTimeout)
	defer cancel()
	out, err := p.push(ctx, repo)
	if err != nil {
		return fail(err)
	}
	out.Repository = *repository
	out.Retries = retries.Load()
	b, err := json.Marshal(out)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(stdout, string(b))
	return 0
}
