package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"goscratch.example/registryaccess"
)

// checkTags reads each tag back from the registry: it must be an image index with the output's
// index digest, and the output must list the tags in order with that digest.
func checkTags(t *testing.T, reg *testRegistry, repo string, out Output, tags ...string) ocispec.Index {
	t.Helper()
	if len(out.Tags) != len(tags) {
		t.Fatalf("output tags %+v, want %v", out.Tags, tags)
	}
	var index ocispec.Index
	for i, tag := range tags {
		if out.Tags[i].Tag != tag || out.Tags[i].Digest != out.Index {
			t.Errorf("output tag %d is %+v, want %s@%s", i, out.Tags[i], tag, out.Index)
		}
		d, mediaType, body := reg.manifest(t, repo, tag)
		if d != out.Index || digestOf(body) != out.Index {
			t.Errorf("%s:%s is %s in the registry, the output says %s", repo, tag, d, out.Index)
		}
		if mediaType != ocispec.MediaTypeImageIndex {
			t.Errorf("%s:%s has media type %s, want an image index", repo, tag, mediaType)
		}
		if err := json.Unmarshal(body, &index); err != nil {
			t.Fatal(err)
		}
	}
	return index
}

// referrersIndex reads the referrers tag schema index of a subject.
func referrersIndex(t *testing.T, reg *testRegistry, repo, subject string) ocispec.Index {
	t.Helper()
	_, mediaType, body := reg.manifest(t, repo, strings.Replace(subject, ":", "-", 1))
	if mediaType != ocispec.MediaTypeImageIndex {
		t.Fatalf("the referrers tag of %s holds %s", subject, mediaType)
	}
	var index ocispec.Index
	if err := json.Unmarshal(body, &index); err != nil {
		t.Fatal(err)
	}
	return index
}

func TestBasicAuthPushesOneIndexUnderEveryTag(t *testing.T) {
	alice := user{"alice", "correct horse battery"}
	reg := startRegistry(t, registryOptions{htpasswd: &alice})

	t.Run("two platforms, an SBOM for one", func(t *testing.T) {
		g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64", "linux/arm64"}})
		sbom := sbomJSON("svc")
		out := runPush(t, creds(alice), "-layout", g.path, "-repository", reg.host+"/team/svc",
			"-tag", "v1.0.0", "-tag", "latest", "-sbom", "linux/arm64="+writeFile(t, "sbom.cdx.json", sbom)).mustSucceed(t)
		if out.Repository != reg.host+"/team/svc" || out.Index != g.index {
			t.Fatalf("output %+v, want repository %s/team/svc and the layout's index %s", out, reg.host, g.index)
		}
		index := checkTags(t, reg, "team/svc", out, "v1.0.0", "latest")
		if len(index.Manifests) != 2 {
			t.Fatalf("the index lists %d manifests, want 2", len(index.Manifests))
		}
		want := []PlatformOutput{{Platform: "linux/amd64", Digest: g.manifests["linux/amd64"]}, {Platform: "linux/arm64", Digest: g.manifests["linux/arm64"]}}
		if len(out.Platforms) != 2 || out.Platforms[0].Platform != want[0].Platform || out.Platforms[0].Digest != want[0].Digest ||
			out.Platforms[0].SBOM != "" || out.Platforms[1].Platform != want[1].Platform || out.Platforms[1].Digest != want[1].Digest || out.Platforms[1].SBOM == "" {
			t.Fatalf("output platforms %+v, want %+v with an SBOM for linux/arm64 only", out.Platforms, want)
		}
		for _, p := range want {
			if !reg.hasManifest(t, "team/svc", p.Digest) {
				t.Errorf("the manifest of %s was not pushed", p.Platform)
			}
		}
		// The SBOM is an artifact manifest whose subject is the arm64 image, listed under the
		// referrers tag (docker-registry 2.8 has no referrers API).
		sbomDigest := out.Platforms[1].SBOM
		_, mediaType, body := reg.manifest(t, "team/svc", sbomDigest)
		var artifact ocispec.Manifest
		if err := json.Unmarshal(body, &artifact); err != nil || mediaType != ocispec.MediaTypeImageManifest {
			t.Fatalf("the SBOM manifest (%s): %v", mediaType, err)
		}
		if artifact.ArtifactType != mediaTypeSBOM || artifact.Config.MediaType != ocispec.MediaTypeEmptyJSON ||
			artifact.Subject == nil || artifact.Subject.Digest.String() != g.manifests["linux/arm64"] ||
			len(artifact.Layers) != 1 || artifact.Layers[0].MediaType != mediaTypeSBOM ||
			artifact.Layers[0].Annotations[ocispec.AnnotationTitle] != "sbom.cdx.json" || artifact.Layers[0].Digest.String() != digestOf(sbom) {
			t.Fatalf("the SBOM manifest is not the artifact wanted: %s", body)
		}
		res, blobBody := reg.do(t, http.MethodGet, "/v2/team/svc/blobs/"+digestOf(sbom), "", nil, "team/svc")
		if res.StatusCode != http.StatusOK || string(blobBody) != string(sbom) {
			t.Fatalf("the SBOM blob: %s", res.Status)
		}
		refs := referrersIndex(t, reg, "team/svc", g.manifests["linux/arm64"])
		if len(refs.Manifests) != 1 || refs.Manifests[0].Digest.String() != sbomDigest || refs.Manifests[0].ArtifactType != mediaTypeSBOM {
			t.Fatalf("referrers index %+v, want the SBOM", refs.Manifests)
		}
		if reg.hasManifest(t, "team/svc", strings.Replace(g.manifests["linux/amd64"], ":", "-", 1)) {
			t.Error("a referrers tag was written for the platform without an SBOM")
		}
	})

	t.Run("one platform, wrapped in an index", func(t *testing.T) {
		g := writeLayout(t, layoutSpec{platforms: []string{"linux/arm64/v8"}, single: true})
		out := runPush(t, creds(alice), "-layout", g.path, "-repository", reg.host+"/team/single", "-tag", "v1.0.0", "-tag", "latest").mustSucceed(t)
		index := checkTags(t, reg, "team/single", out, "v1.0.0", "latest")
		if len(index.Manifests) != 1 || index.Manifests[0].Digest.String() != g.manifests["linux/arm64/v8"] ||
			index.Manifests[0].Platform == nil || platformString(index.Manifests[0].Platform) != "linux/arm64/v8" {
			t.Fatalf("the index %+v does not wrap the one manifest with its platform", index.Manifests)
		}
		if len(out.Platforms) != 1 || out.Platforms[0].Digest != g.manifests["linux/arm64/v8"] {
			t.Fatalf("output platforms %+v", out.Platforms)
		}
		// The same layout gives the same index again.
		again := runPush(t, creds(alice), "-layout", g.path, "-repository", reg.host+"/team/single", "-tag", "v1.0.1").mustSucceed(t)
		if again.Index != out.Index {
			t.Errorf("a second push gave index %s, the first %s", again.Index, out.Index)
		}
	})

	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64"}, salt: "refused"})
	t.Run("no credentials", func(t *testing.T) {
		f := runPush(t, nil, "-layout", g.path, "-repository", reg.host+"/team/anon", "-tag", "v1").mustFail(t, registryaccess.KindCredentialsRequired)
		if !strings.Contains(f.Error, reg.host) {
			t.Errorf("the error does not name the registry: %s", f.Error)
		}
		if tags := reg.tags(t, "team/anon"); len(tags) != 0 {
			t.Errorf("tags written: %v", tags)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		f := runPush(t, creds(user{"alice", "wrong password"}), "-layout", g.path, "-repository", reg.host+"/team/wrong", "-tag", "v1").mustFail(t, registryaccess.KindCredentialsRefused)
		if strings.Contains(f.Error, "wrong password") {
			t.Errorf("the error shows the password: %s", f.Error)
		}
		if tags := reg.tags(t, "team/wrong"); len(tags) != 0 {
			t.Errorf("tags written: %v", tags)
		}
	})
	t.Run("denied", func(t *testing.T) {
		// A registry that accepts the credentials and then forbids the push.
		p := startProxy(t, reg.url, func(w http.ResponseWriter, r *http.Request, _ int) bool {
			if r.Method == http.MethodPost && r.Header.Get("Authorization") != "" {
				answer(w, r, http.StatusForbidden, `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`)
				return true
			}
			return false
		}, nil)
		f := runPush(t, creds(alice), "-layout", g.path, "-repository", p.host+"/team/denied", "-tag", "v1").mustFail(t, registryaccess.KindDenied)
		if !strings.Contains(f.Error, "denied") {
			t.Errorf("the error does not say denied: %s", f.Error)
		}
	})
}

func TestBearerTokenFlow(t *testing.T) {
	alice := user{"alice", "s3cret-token-pass"}
	issuer := startTokenIssuer(t, alice, "refresh-0123456789")
	reg := startRegistry(t, registryOptions{token: issuer})
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64", "linux/arm64"}, salt: "bearer"})
	push := func(t *testing.T, env []string, repo string, extra ...string) pushRun {
		return runPush(t, env, append([]string{"-layout", g.path, "-repository", reg.host + "/" + repo, "-tag", "v1.0.0", "-tag", "latest"}, extra...)...)
	}
	dockerConfig := func(t *testing.T, entry map[string]string) string {
		return writeFile(t, "config.json", mustJSON(map[string]any{"auths": map[string]any{reg.host: entry}}))
	}

	t.Run("credentials", func(t *testing.T) {
		out := push(t, creds(alice), "team/bearer").mustSucceed(t)
		checkTags(t, reg, "team/bearer", out, "v1.0.0", "latest")
		// The scope was oras-go's, from the requests: pull and push on this repository.
		if !slices.ContainsFunc(issuer.seen(), func(s string) bool { return strings.Contains(s, "repository:team/bearer:pull,push") }) {
			t.Errorf("no token was asked for repository:team/bearer:pull,push: %v", issuer.seen())
		}
	})
	t.Run("wrong credentials", func(t *testing.T) {
		f := push(t, creds(user{"alice", "not-the-password"}), "team/bearer-wrong").mustFail(t, registryaccess.KindCredentialsRefused)
		if strings.Contains(f.Error, "not-the-password") {
			t.Errorf("the error shows the password: %s", f.Error)
		}
		if tags := reg.tags(t, "team/bearer-wrong"); len(tags) != 0 {
			t.Errorf("tags written: %v", tags)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		push(t, nil, "team/bearer-anon").mustFail(t, registryaccess.KindCredentialsRequired)
	})
	t.Run("docker config auth", func(t *testing.T) {
		auth := base64.StdEncoding.EncodeToString([]byte(alice.name + ":" + alice.password))
		out := push(t, nil, "team/bearer-config", "-docker-config", dockerConfig(t, map[string]string{"auth": auth})).mustSucceed(t)
		checkTags(t, reg, "team/bearer-config", out, "v1.0.0", "latest")
	})
	t.Run("docker config identity token", func(t *testing.T) {
		out := push(t, nil, "team/bearer-identity", "-docker-config", dockerConfig(t, map[string]string{"username": "<token>", "identitytoken": issuer.refresh})).mustSucceed(t)
		checkTags(t, reg, "team/bearer-identity", out, "v1.0.0", "latest")
		if !slices.ContainsFunc(issuer.seen(), func(s string) bool { return strings.HasPrefix(s, "POST grant_type=refresh_token scope=") }) {
			t.Errorf("the identity token was not used as an OAuth2 refresh token: %v", issuer.seen())
		}
	})
	t.Run("environment wins over the docker config", func(t *testing.T) {
		auth := base64.StdEncoding.EncodeToString([]byte(alice.name + ":" + alice.password))
		push(t, creds(user{"alice", "not-the-password"}), "team/bearer-precedence", "-docker-config", dockerConfig(t, map[string]string{"auth": auth})).mustFail(t, registryaccess.KindCredentialsRefused)
	})
}

func TestRetriesTransientFailures(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	const n = 3
	var putFailed atomic.Bool
	p := startProxy(t, reg.url, func(w http.ResponseWriter, r *http.Request, i int) bool {
		if i <= n {
			answer(w, r, http.StatusServiceUnavailable, `{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}`)
			return true
		}
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/blobs/uploads/") && putFailed.CompareAndSwap(false, true) {
			answer(w, r, http.StatusServiceUnavailable, `{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}`)
			return true
		}
		return false
	}, nil)
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64", "linux/arm64"}, salt: "retry"})
	out := runPush(t, nil, "-layout", g.path, "-repository", p.host+"/team/retry", "-tag", "v1.0.0", "-tag", "latest",
		"-sbom", "linux/amd64="+writeFile(t, "sbom.json", sbomJSON("retry"))).mustSucceed(t)
	if !putFailed.Load() {
		t.Fatal("no blob PUT went through the proxy")
	}
	if out.Retries < n+1 {
		t.Errorf("retries %d, want at least %d (%d answers of 503 and a failed blob PUT)", out.Retries, n+1, n)
	}
	t.Logf("retries reported: %d", out.Retries)
	checkTags(t, reg, "team/retry", out, "v1.0.0", "latest")
}

func TestUnreachableAfterRetries(t *testing.T) {
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64"}, salt: "unreachable"})
	closed := freeAddr(t)
	r := runPush(t, nil, "-layout", g.path, "-repository", "localhost:5000/team/svc", "-tag", "v1", "-connect", closed)
	f := r.mustFail(t, registryaccess.KindUnreachable)
	if !strings.Contains(f.Error, "localhost:5000") || !strings.Contains(f.Error, closed) || !strings.Contains(f.Error, "connection refused") {
		t.Errorf("the error does not name the host, the address dialled and the cause: %s", f.Error)
	}
	if f.Retries != maxAttempts-1 {
		t.Errorf("retries %d, want %d (one request, %d attempts)", f.Retries, maxAttempts-1, maxAttempts)
	}
	t.Logf("%s (%d retries, %s)", f.Error, f.Retries, r.elapsed.Round(100_000_000))
}

func TestConnectDialsAnotherAddress(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	p := startProxy(t, reg.url, nil, nil)
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64"}, salt: "connect"})
	// The repository names a host nothing listens on; -connect reaches the registry (through the
	// proxy, which sees the Host header the URL names). localhost: plain HTTP.
	out := runPush(t, nil, "-layout", g.path, "-repository", "localhost:5999/team/connect", "-tag", "v1", "-connect", p.host).mustSucceed(t)
	if out.Repository != "localhost:5999/team/connect" {
		t.Errorf("output repository %s", out.Repository)
	}
	if len(p.seen()) == 0 {
		t.Fatal("nothing reached the address -connect named")
	}
	for _, r := range p.seen() {
		if r.host != "localhost:5999" {
			t.Fatalf("%s %s had Host %q, want localhost:5999", r.method, r.path, r.host)
		}
	}
	if d, _, _ := reg.manifest(t, "team/connect", "v1"); d != out.Index {
		t.Errorf("v1 is %s, the output says %s", d, out.Index)
	}
}

func TestCredentialsGoOnlyToTheRegistryHost(t *testing.T) {
	alice := user{"alice", "only-for-the-registry"}
	reg := startRegistry(t, registryOptions{htpasswd: &alice})
	// other is a second listener (another port: another host as far as credentials go) that
	// forwards to the registry and records what it receives.
	other := startProxy(t, reg.url, nil, nil)
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64"}, salt: "location"})
	noAuthorization := func(t *testing.T) {
		t.Helper()
		for _, r := range other.seen() {
			if r.authorization != "" {
				t.Errorf("the other host received an Authorization header with %s %s", r.method, r.path)
			}
		}
	}

	t.Run("upload Location on another host", func(t *testing.T) {
		front := startProxy(t, reg.url, nil, func(res *http.Response) error {
			if loc := res.Header.Get("Location"); loc != "" && strings.Contains(loc, "/blobs/uploads/") {
				u, err := url.Parse(loc)
				if err != nil {
					return err
				}
				if u.Host == "" {
					u.Scheme = "http"
				}
				u.Host = other.host
				res.Header.Set("Location", u.String())
			}
			return nil
		})
		r := runPush(t, creds(alice), "-layout", g.path, "-repository", front.host+"/team/location", "-tag", "v1")
		noAuthorization(t)
		switch r.code {
		case 0:
			t.Logf("the push succeeded; %d requests reached the other host, none with credentials", len(other.seen()))
		default:
			// oras-go refuses an upload Location on another host rather than send it anything.
			if r.fail.Kind != registryaccess.KindRegistry || !strings.Contains(r.fail.Error, "different host") {
				t.Fatalf("failure %+v, want a clear refusal of the other host", r.fail)
			}
			if n := len(other.seen()); n != 0 {
				t.Errorf("the other host received %d requests", n)
			}
			t.Logf("refused, as oras-go does: %s", r.fail.Error)
		}
		if strings.Contains(r.stderr, alice.password) {
			t.Error("the password is in the output")
		}
	})

	t.Run("redirect to another host", func(t *testing.T) {
		front := startProxy(t, reg.url, func(w http.ResponseWriter, r *http.Request, _ int) bool {
			if r.Header.Get("Authorization") != "" && (r.Method == http.MethodHead || r.Method == http.MethodGet) {
				http.Redirect(w, r, other.url+r.URL.RequestURI(), http.StatusTemporaryRedirect)
				return true
			}
			return false
		}, nil)
		before := len(other.seen())
		r := runPush(t, creds(alice), "-layout", g.path, "-repository", front.host+"/team/redirect", "-tag", "v1")
		noAuthorization(t)
		if len(other.seen()) == before {
			t.Fatal("no request was redirected to the other host")
		}
		t.Logf("exit %d after %d redirected requests, none with credentials: %s", r.code, len(other.seen())-before, strings.TrimSpace(r.stderr))
	})
}

func TestStreamsALargeLayer(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	const layerSize = 300 << 20
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64"}, single: true, bigLayer: layerSize, salt: "big"})
	r := runPush(t, nil, "-layout", g.path, "-repository", reg.host+"/team/big", "-tag", "v1.0.0")
	out := r.mustSucceed(t)
	checkTags(t, reg, "team/big", out, "v1.0.0")
	const limit = 100 << 20
	t.Logf("layout %.0f MB pushed in %s; the helper's peak RSS %.1f MB (limit %d MB)",
		float64(g.size)/1e6, r.elapsed.Round(1_000_000), float64(r.maxRSS)/(1<<20), limit>>20)
	fmt.Printf("push: peak RSS %.1f MiB for a %.0f MiB layout\n", float64(r.maxRSS)/(1<<20), float64(g.size)/(1<<20))
	if r.maxRSS == 0 {
		t.Fatal("no peak RSS was measured")
	}
	if raceEnabled {
		t.Log("the race detector's memory does not count: no limit checked")
		return
	}
	if r.maxRSS >= limit {
		t.Fatalf("peak RSS %d bytes, want under %d: the layout is not streamed", r.maxRSS, limit)
	}
}

// unrelatedReferrer pushes a signature-like artifact whose subject is the manifest, and a referrers
// tag index listing it, as another tool would have left them.
func unrelatedReferrer(t *testing.T, reg *testRegistry, repo string, subject ocispec.Descriptor) ocispec.Descriptor {
	t.Helper()
	empty := []byte("{}")
	sig := []byte("a signature, not an SBOM")
	reg.putBlob(t, repo, empty)
	reg.putBlob(t, repo, sig)
	sub := ocispec.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
	manifest := mustJSON(ocispec.Manifest{
		Versioned: specsVersioned, MediaType: ocispec.MediaTypeImageManifest, ArtifactType: "application/vnd.example.signature.v1",
		Config:  ocispec.Descriptor{MediaType: ocispec.MediaTypeEmptyJSON, Digest: dig(digestOf(empty)), Size: 2},
		Layers:  []ocispec.Descriptor{{MediaType: "application/vnd.example.signature.v1", Digest: dig(digestOf(sig)), Size: int64(len(sig))}},
		Subject: &sub,
	})
	reg.putManifest(t, repo, digestOf(manifest), ocispec.MediaTypeImageManifest, manifest)
	d := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: dig(digestOf(manifest)), Size: int64(len(manifest)), ArtifactType: "application/vnd.example.signature.v1"}
	index := mustJSON(ocispec.Index{Versioned: specsVersioned, MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{d}})
	reg.putManifest(t, repo, strings.Replace(subject.Digest.String(), ":", "-", 1), ocispec.MediaTypeImageIndex, index)
	return d
}

func TestReferrersFallbackIndexIsKeptAndExtended(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64", "linux/arm64"}, salt: "fallback"})
	subject := g.descs["linux/amd64"]
	// The subject is pushed first, so the unrelated referrer's subject exists, as it would.
	runPush(t, nil, "-layout", g.path, "-repository", reg.host+"/team/fallback", "-tag", "base").mustSucceed(t)
	unrelated := unrelatedReferrer(t, reg, "team/fallback", subject)

	sbom := writeFile(t, "sbom.cdx.json", sbomJSON("fallback"))
	args := []string{"-layout", g.path, "-repository", reg.host + "/team/fallback", "-tag", "v1.0.0", "-sbom", "linux/amd64=" + sbom}
	out := runPush(t, nil, args...).mustSucceed(t)
	sbomDigest := out.Platforms[0].SBOM
	if out.Platforms[0].Platform != "linux/amd64" || sbomDigest == "" {
		t.Fatalf("output platforms %+v", out.Platforms)
	}
	listed := func() []string {
		var ds []string
		for _, m := range referrersIndex(t, reg, "team/fallback", subject.Digest.String()).Manifests {
			ds = append(ds, m.Digest.String())
		}
		return ds
	}
	got := listed()
	if len(got) != 2 || !slices.Contains(got, unrelated.Digest.String()) || !slices.Contains(got, sbomDigest) {
		t.Fatalf("the referrers index lists %v, want the unrelated referrer %s and the SBOM %s", got, unrelated.Digest, sbomDigest)
	}
	// Pushed again, the same image and SBOM give the same referrer: nothing is added or lost.
	again := runPush(t, nil, args...).mustSucceed(t)
	if again.Platforms[0].SBOM != sbomDigest {
		t.Errorf("the second push made SBOM referrer %s, the first %s", again.Platforms[0].SBOM, sbomDigest)
	}
	if got := listed(); len(got) != 2 || !slices.Contains(got, unrelated.Digest.String()) || !slices.Contains(got, sbomDigest) {
		t.Fatalf("after a second push the referrers index lists %v", got)
	}
}

func TestUnreadableFallbackIndexFailsThePush(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64"}, salt: "garbage"})
	fallback := "/manifests/" + strings.Replace(g.manifests["linux/amd64"], ":", "-", 1)
	garbage := []byte(`{"schemaVersion":2,"manifests":[{`)
	p := startProxy(t, reg.url, func(w http.ResponseWriter, r *http.Request, _ int) bool {
		if strings.HasSuffix(r.URL.Path, fallback) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Content-Type", ocispec.MediaTypeImageIndex)
			w.Header().Set("Docker-Content-Digest", digestOf(garbage))
			w.Header().Set("Content-Length", fmt.Sprint(len(garbage)))
			if r.Method == http.MethodGet {
				_, _ = w.Write(garbage)
			}
			return true
		}
		return false
	}, nil)
	f := runPush(t, nil, "-layout", g.path, "-repository", p.host+"/team/garbage", "-tag", "v1",
		"-sbom", "linux/amd64="+writeFile(t, "sbom.json", sbomJSON("garbage"))).mustFail(t, registryaccess.KindRegistry)
	if !strings.Contains(f.Error, "referrers") {
		t.Errorf("the error does not say the referrers index: %s", f.Error)
	}
	if tags := reg.tags(t, "team/garbage"); len(tags) != 0 {
		t.Errorf("tags written after the failure: %v", tags)
	}
	for _, r := range p.seen() {
		if r.method == http.MethodPut && strings.HasSuffix(r.path, fallback) {
			t.Error("the unreadable referrers index was overwritten")
		}
	}
}

func TestInvalidInputsFailBeforeAnythingIsPushed(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	p := startProxy(t, reg.url, nil, nil)
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64", "linux/arm64"}, salt: "invalid"})
	sbom := writeFile(t, "sbom.json", sbomJSON("invalid"))
	repo := p.host + "/team/invalid"
	for name, args := range map[string][]string{
		"an SBOM for a platform the image lacks": {"-layout", g.path, "-repository", repo, "-tag", "v1", "-sbom", "linux/s390x=" + sbom},
		"two SBOMs for one platform":             {"-layout", g.path, "-repository", repo, "-tag", "v1", "-sbom", "linux/amd64=" + sbom, "-sbom", "linux/amd64=" + sbom},
		"an SBOM file that is not there":         {"-layout", g.path, "-repository", repo, "-tag", "v1", "-sbom", "linux/amd64=/nonexistent/sbom.json"},
		"a layout that is not a tarball":         {"-layout", sbom, "-repository", repo, "-tag", "v1"},
		"no layout file":                         {"-layout", "/nonexistent/image.tar", "-repository", repo, "-tag", "v1"},
		"no tag":                                 {"-layout", g.path, "-repository", repo},
		"a bad tag":                              {"-layout", g.path, "-repository", repo, "-tag", "-bad"},
		"a repository with a tag":                {"-layout", g.path, "-repository", repo + ":v1", "-tag", "v1"},
		"an unknown flag":                        {"-layout", g.path, "-repository", repo, "-tag", "v1", "-force"},
	} {
		t.Run(name, func(t *testing.T) {
			f := runPush(t, nil, args...).mustFail(t, kindInvalidLayout)
			if f.Retries != 0 {
				t.Errorf("retries %d", f.Retries)
			}
			t.Logf("%s", f.Error)
		})
	}
	if n := len(p.seen()); n != 0 {
		t.Errorf("the registry received %d requests", n)
	}
}

func TestStagesPushTheIndexByDigestThenTheTags(t *testing.T) {
	reg := startRegistry(t, registryOptions{})
	g := writeLayout(t, layoutSpec{platforms: []string{"linux/amd64", "linux/arm64"}})
	sbom := writeFile(t, "sbom.cdx.json", sbomJSON("svc"))

	content := runPush(t, nil, "-layout", g.path, "-repository", reg.host+"/svc", "-stage", "content", "-sbom", "linux/amd64="+sbom).mustSucceed(t)
	if content.Index != g.index || len(content.Tags) != 0 || content.Platforms[0].SBOM == "" {
		t.Fatalf("content stage output %+v: want the index, no tags, the SBOM", content)
	}
	if !reg.hasManifest(t, "svc", g.index) {
		t.Fatal("the content stage did not push the index by its digest")
	}
	if tags := reg.tags(t, "svc"); slices.Contains(tags, "v1.0.0") {
		t.Fatalf("the content stage wrote a tag: %v", tags)
	}

	tagged := runPush(t, nil, "-layout", g.path, "-repository", reg.host+"/svc", "-stage", "tags", "-tag", "v1.0.0", "-tag", "latest").mustSucceed(t)
	checkTags(t, reg, "svc", tagged, "v1.0.0", "latest")

	for _, bad := range [][]string{
		{"-stage", "content", "-tag", "v1"},
		{"-stage", "tags"},
		{"-stage", "tags", "-tag", "v1", "-sbom", "linux/amd64=" + sbom},
		{"-stage", "later", "-tag", "v1"},
	} {
		runPush(t, nil, append([]string{"-layout", g.path, "-repository", reg.host + "/svc"}, bad...)...).mustFail(t, "invalid-layout")
	}
}
