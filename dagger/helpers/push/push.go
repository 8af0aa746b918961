package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"goscratch.example/registryaccess"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
)

// SBOM media types and the title its layer carries.
const (
	mediaTypeSBOM = "application/vnd.cyclonedx+json"
	sbomTitle     = "sbom.cdx.json"
)

// sbomFile is an -sbom argument: the platform and the file, with the descriptor of its bytes.
type sbomFile struct {
	platform string
	path     string
	desc     ocispec.Descriptor
	file     *os.File
}

// openSBOM opens the file of `os/arch[/variant]=file` and digests it, streaming.
func openSBOM(arg string) (*sbomFile, error) {
	platform, file, ok := strings.Cut(arg, "=")
	if !ok || platform == "" || file == "" {
		return nil, invalid("-sbom %q: expected os/arch[/variant]=file", arg)
	}
	if n := strings.Count(platform, "/"); n < 1 || n > 2 || strings.Contains(platform, "//") || strings.HasSuffix(platform, "/") {
		return nil, invalid("-sbom %q: the platform must be os/arch or os/arch/variant", arg)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, invalid("-sbom %s: %v", platform, err)
	}
	dg := digest.Canonical.Digester()
	n, err := io.Copy(dg.Hash(), f)
	if err != nil {
		f.Close()
		return nil, invalid("-sbom %s: reading %s: %v", platform, file, err)
	}
	if n == 0 {
		f.Close()
		return nil, invalid("-sbom %s: %s is empty", platform, file)
	}
	return &sbomFile{platform: platform, path: file, file: f, desc: ocispec.Descriptor{
		MediaType: mediaTypeSBOM, Digest: dg.Digest(), Size: n,
		Annotations: map[string]string{ocispec.AnnotationTitle: sbomTitle},
	}}, nil
}

func (s *sbomFile) reader() io.ReadCloser { return newSection(s.file, entry{0, s.desc.Size}) }

// Output is the JSON document printed on success.
type Output struct {
	Repository string           `json:"repository"`
	Index      string           `json:"index"`
	Tags       []TagOutput      `json:"tags"`
	Platforms  []PlatformOutput `json:"platforms"`
	Retries    int64            `json:"retries"`
}

// TagOutput is a tag written and the digest the registry reports for it.
type TagOutput struct {
	Tag    string `json:"tag"`
	Digest string `json:"digest"`
}

// PlatformOutput is a platform of the index: its image manifest and its SBOM referrer, if any.
type PlatformOutput struct {
	Platform string `json:"platform"`
	Digest   string `json:"digest"`
	SBOM     string `json:"sbom,omitempty"`
}

// The stages of a push (-stage).
const (
	stageAll     = "all"
	stageContent = "content"
	stageTags    = "tags"
)

// plan is a checked push: the image, the SBOM of each platform, the tags, what stage to run.
type plan struct {
	stage     string
	store     *tarStore
	img       *Image
	tags      []string
	sboms     map[string]*sbomFile // by the digest of the platform manifest
	platforms []PlatformOutput
}

// makePlan matches each SBOM to a platform of the image; an SBOM for a platform the image does
// not have, or two for one, is an error before anything is pushed.
func makePlan(store *tarStore, img *Image, tags []string, sboms []*sbomFile) (*plan, error) {
	p := &plan{store: store, img: img, tags: tags, sboms: map[string]*sbomFile{}}
	byPlatform := map[string]ocispec.Descriptor{}
	var have []string
	for _, m := range img.Manifests {
		ps := platformString(m.Platform)
		if ps == "" || (m.MediaType != ocispec.MediaTypeImageManifest && m.MediaType != mediaTypeDockerManifest) {
			continue
		}
		if _, dup := byPlatform[ps]; !dup {
			byPlatform[ps] = m
			have = append(have, ps)
		}
		p.platforms = append(p.platforms, PlatformOutput{Platform: ps, Digest: m.Digest.String()})
	}
	seen := map[string]bool{}
	for _, s := range sboms {
		if seen[s.platform] {
			return nil, invalid("two -sbom for %s", s.platform)
		}
		seen[s.platform] = true
		m, ok := byPlatform[s.platform]
		if !ok {
			return nil, invalid("-sbom %s: the image has no such platform (it has %s)", s.platform, strings.Join(have, ", "))
		}
		p.sboms[m.Digest.String()] = s
	}
	return p, nil
}

// push uploads the plan to repo: every blob and platform manifest by digest (oras-go's CopyGraph:
// children first, what the registry has is skipped), then each SBOM as a referrer of its platform's
// manifest, then the index under each tag in order, each read back and checked to be the
// layout's index. Stage content stops before the tags, with the index pushed by its digest; stage
// tags writes the tags alone.
func (p *plan) push(ctx context.Context, repo *remote.Repository) (*Output, error) {
	out := &Output{Repository: repo.Reference.Registry + "/" + repo.Reference.Repository, Index: p.img.IndexDesc.Digest.String(), Tags: []TagOutput{}, Platforms: p.platforms}
	if out.Platforms == nil {
		out.Platforms = []PlatformOutput{}
	}
	if p.stage != stageTags {
		if err := p.pushContent(ctx, repo, out); err != nil {
			return nil, err
		}
	}
	if p.stage == stageContent {
		// The index by its digest, named by no tag yet: what publish signs before the tags move.
		if err := repo.Push(ctx, p.img.IndexDesc, bytes.NewReader(p.img.Index)); err != nil {
			return nil, registryaccess.Step(err, "pushing the index %s", p.img.IndexDesc.Digest)
		}
		return out, nil
	}
	for _, tag := range p.tags {
		if err := repo.PushReference(ctx, p.img.IndexDesc, bytes.NewReader(p.img.Index), tag); err != nil {
			return nil, registryaccess.Step(err, "writing the index under %s", tag)
		}
		got, err := repo.Resolve(ctx, tag)
		if err != nil {
			return nil, registryaccess.Step(err, "reading back %s", tag)
		}
		if got.Digest != p.img.IndexDesc.Digest {
			return nil, registryaccess.Step(fmt.Errorf("the registry reports %s, not the layout's index %s", got.Digest, p.img.IndexDesc.Digest), "checking %s", tag)
		}
		out.Tags = append(out.Tags, TagOutput{Tag: tag, Digest: got.Digest.String()})
	}
	return out, nil
}

// pushContent uploads every blob and platform manifest, then attaches the SBOMs, noting each
// SBOM's digest in out.
func (p *plan) pushContent(ctx context.Context, repo *remote.Repository, out *Output) error {
	for _, m := range p.img.Manifests {
		err := oras.CopyGraph(ctx, p.store, repo, m, oras.CopyGraphOptions{Concurrency: 3, MaxMetadataBytes: maxMetadataBytes})
		if err != nil {
			return registryaccess.Step(unwrapCopy(err), "pushing %s %s", describeEntry(m), m.Digest)
		}
	}
	for _, m := range p.img.Manifests {
		s, ok := p.sboms[m.Digest.String()]
		if !ok {
			continue
		}
		d, err := p.attachSBOM(ctx, repo, m, s)
		if err != nil {
			return registryaccess.Step(err, "attaching the SBOM of %s", s.platform)
		}
		for j := range out.Platforms {
			if out.Platforms[j].Digest == m.Digest.String() {
				out.Platforms[j].SBOM = d.Digest.String()
			}
		}
	}
	return nil
}

func describeEntry(m ocispec.Descriptor) string {
	if ps := platformString(m.Platform); ps != "" {
		return "the image of " + ps
	}
	return "manifest"
}

// unwrapCopy drops oras-go's CopyError wrapper (`failed to perform "Push" on destination: …`),
// keeping the error it carries.
func unwrapCopy(err error) error {
	var ce *oras.CopyError
	if errors.As(err, &ce) && ce.Err != nil {
		return ce.Err
	}
	return err
}

// attachSBOM pushes the SBOM blob and an artifact manifest for it whose subject is the platform's
// image manifest (oras.PackManifest, image-spec 1.1). Where the registry has no referrers API,
// oras-go adds the manifest to the subject's referrers tag schema index (sha256-<hex>), keeping
// the referrers that index already lists; an error reading that index fails the push.
func (p *plan) attachSBOM(ctx context.Context, repo *remote.Repository, subject ocispec.Descriptor, s *sbomFile) (ocispec.Descriptor, error) {
	if err := checkFallbackTag(ctx, repo, subject); err != nil {
		return ocispec.Descriptor{}, err
	}
	exists, err := repo.Exists(ctx, s.desc)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if !exists {
		if err := repo.Push(ctx, s.desc, s.reader()); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
			return ocispec.Descriptor{}, err
		}
	}
	// The time PackManifest records: the image's own (a reproducible build stamps it), so pushing
	// the same image and SBOM again gives the same referrer, not a second one.
	created := p.store.createdOf(subject)
	if _, err := time.Parse(time.RFC3339, created); err != nil {
		created = time.Unix(0, 0).UTC().Format(time.RFC3339)
	}
	sub := ocispec.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
	return oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, mediaTypeSBOM, oras.PackManifestOptions{
		Subject:             &sub,
		Layers:              []ocispec.Descriptor{s.desc},
		ManifestAnnotations: map[string]string{ocispec.AnnotationCreated: created},
	})
}

// checkFallbackTag refuses to go on when the subject's referrers tag (sha256-<hex>) holds
// something other than an OCI index: oras-go would take it for no index and replace it.
func checkFallbackTag(ctx context.Context, repo *remote.Repository, subject ocispec.Descriptor) error {
	tag := subject.Digest.Algorithm().String() + "-" + subject.Digest.Encoded()
	d, err := repo.Resolve(ctx, tag)
	if errors.Is(err, errdef.ErrNotFound) {
		return nil
	}
	if err != nil {
		return registryaccess.Step(err, "reading the referrers tag %s", tag)
	}
	if d.MediaType != ocispec.MediaTypeImageIndex {
		return fmt.Errorf("the referrers tag %s holds a %s, not an OCI image index; refusing to replace it", tag, d.MediaType)
	}
	return nil
}
