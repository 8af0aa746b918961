// Command reproducible rewrites an OCI image layout tarball, as the Dagger engine exports it, so that
// the same inputs give the same bytes on any engine at any time. The 0.21 engine writes its clock
// into each image config (`created`, and `created` of every history entry); this sets all of them to
// the source date epoch, which changes the config's digest, so each manifest and the index are
// rewritten to match. Layers are kept as they are. The tarball is written in a fixed order with
// fixed metadata, with Docker's manifest.json beside index.json for a single platform (for
// `docker load`).
//
//	reproducible -in image.tar -out image.tar -epoch 1700000000
//
// It prints the digest of the image (the manifest for one platform, the index for several).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"goscratch.example/helpers/internal/ocilayout"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "reproducible:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("reproducible", flag.ContinueOnError)
	in := flags.String("in", "", "the engine's OCI layout tarball")
	out := flags.String("out", "", "where to write the rewritten tarball")
	epoch := flags.Int64("epoch", 0, "the source date epoch, in seconds")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return errors.New("usage: reproducible -in image.tar -out image.tar -epoch SECONDS")
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	layout, err := ocilayout.Read(f)
	f.Close()
	if err != nil {
		return err
	}
	r, err := Rewrite(layout, time.Unix(*epoch, 0).UTC())
	if err != nil {
		return err
	}
	w, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := ocilayout.Write(w, r.Index, r.Blobs, r.Extra); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, r.Top.Digest)
	return nil
}

// Result is a rewritten layout: its index.json, the blobs it references, extra files, and the
// descriptor of the image.
type Result struct {
	Index []byte
	Blobs map[string][]byte
	Extra map[string][]byte
	Top   ocilayout.Descriptor
}

// Rewrite sets every creation time of every image config in the layout to epoch.
func Rewrite(l *ocilayout.Layout, epoch time.Time) (*Result, error) {
	top, err := l.Top()
	if err != nil {
		return nil, err
	}
	r := &Result{Blobs: map[string][]byte{}, Extra: map[string][]byte{}}
	switch top.MediaType {
	case ocilayout.MediaTypeManifest:
		m, err := r.manifest(l, top, epoch)
		if err != nil {
			return nil, err
		}
		r.Top = m
		docker, err := r.dockerManifest(m)
		if err != nil {
			return nil, err
		}
		r.Extra["manifest.json"] = docker
	case ocilayout.MediaTypeIndex:
		var index map[string]json.RawMessage
		if err := json.Unmarshal(l.Blobs[top.Digest], &index); err != nil {
			return nil, fmt.Errorf("index %s: %w", top.Digest, err)
		}
		var entries []ocilayout.Descriptor
		if err := json.Unmarshal(index["manifests"], &entries); err != nil {
			return nil, fmt.Errorf("index %s: %w", top.Digest, err)
		}
		for i, e := range entries {
			if entries[i], err = r.manifest(l, e, epoch); err != nil {
				return nil, err
			}
		}
		if index["manifests"], err = json.Marshal(entries); err != nil {
			return nil, err
		}
		r.Top, err = r.add(top, index)
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unsupported media type %s in index.json", top.MediaType)
	}
	var err2 error
	r.Index, err2 = json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": ocilayout.MediaTypeIndex, "manifests": []ocilayout.Descriptor{r.Top}})
	return r, err2
}

// manifest rewrites one image manifest (its config's times) and returns its new descriptor.
func (r *Result) manifest(l *ocilayout.Layout, desc ocilayout.Descriptor, epoch time.Time) (ocilayout.Descriptor, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(l.Blobs[desc.Digest], &m); err != nil {
		return desc, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	var config ocilayout.Descriptor
	if err := json.Unmarshal(m["config"], &config); err != nil {
		return desc, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	var layers []ocilayout.Descriptor
	if err := json.Unmarshal(m["layers"], &layers); err != nil {
		return desc, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	for _, layer := range layers {
		b, ok := l.Blobs[layer.Digest]
		if !ok {
			return desc, fmt.Errorf("layer %s is missing from the layout", layer.Digest)
		}
		r.Blobs[layer.Digest] = b
	}
	cfg, err := rewriteConfig(l.Blobs[config.Digest], epoch)
	if err != nil {
		return desc, fmt.Errorf("config %s: %w", config.Digest, err)
	}
	newConfig, err := r.addRaw(config, cfg)
	if err != nil {
		return desc, err
	}
	if m["config"], err = json.Marshal(newConfig); err != nil {
		return desc, err
	}
	return r.add(desc, m)
}

// rewriteConfig sets `created` and every history entry's `created` to epoch, leaving the rest.
func rewriteConfig(raw []byte, epoch time.Time) ([]byte, error) {
	var cfg map[string]json.RawMessage
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, err
	}
	stamp, err := json.Marshal(epoch.Format(time.RFC3339))
	if err != nil {
		return nil, err
	}
	cfg["created"] = stamp
	if h, ok := cfg["history"]; ok {
		var history []map[string]json.RawMessage
		if err := json.Unmarshal(h, &history); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		for _, entry := range history {
			entry["created"] = stamp
		}
		if cfg["history"], err = json.Marshal(history); err != nil {
			return nil, err
		}
	}
	return json.Marshal(cfg)
}

// add stores a JSON document as a blob and returns desc pointing at it.
func (r *Result) add(desc ocilayout.Descriptor, doc map[string]json.RawMessage) (ocilayout.Descriptor, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return desc, err
	}
	return r.addRaw(desc, b)
}

func (r *Result) addRaw(desc ocilayout.Descriptor, b []byte) (ocilayout.Descriptor, error) {
	desc.Digest, desc.Size = ocilayout.Digest(b), int64(len(b))
	r.Blobs[desc.Digest] = b
	return desc, nil
}

// dockerManifest is `docker save`'s manifest.json for one image, so `docker load` takes the tarball.
func (r *Result) dockerManifest(m ocilayout.Descriptor) ([]byte, error) {
	var manifest struct {
		Config ocilayout.Descriptor   `json:"config"`
		Layers []ocilayout.Descriptor `json:"layers"`
	}
	if err := json.Unmarshal(r.Blobs[m.Digest], &manifest); err != nil {
		return nil, err
	}
	path := func(d string) string { return "blobs/sha256/" + d[len("sha256:"):] }
	entry := struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{Config: path(manifest.Config.Digest)}
	for _, l := range manifest.Layers {
		entry.Layers = append(entry.Layers, path(l.Digest))
	}
	return json.Marshal([]any{entry})
}
