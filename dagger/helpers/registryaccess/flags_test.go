package registryaccess

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestFlags(t *testing.T) {
	parse := func(args ...string) (Flags, error) {
		var f Flags
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f.Register(fs)
		if err := fs.Parse(args); err != nil {
			return f, err
		}
		return f, f.Check()
	}
	if f, err := parse("-connect", "registry:5000", "-docker-config", "config.json"); err != nil || f.Connect != "registry:5000" || f.DockerConfig != "config.json" {
		t.Errorf("%+v %v", f, err)
	}
	if f, err := parse(); err != nil || f != (Flags{}) {
		t.Errorf("no flags: %+v %v", f, err)
	}
	for _, bad := range []string{"registry", "registry:5000:1", "[::1"} {
		if _, err := parse("-connect", bad); err == nil || !strings.Contains(err.Error(), "want host:port") || !strings.Contains(err.Error(), `-connect "`+bad+`"`) {
			t.Errorf("-connect %q: %v", bad, err)
		}
	}
}
