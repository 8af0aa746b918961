package registryaccess

import (
	"flag"
	"fmt"
	"net"
)

// Flags are the registry flags every helper command takes.
type Flags struct {
	Connect      string // -connect: dial this host:port for every connection ("" for the registry's own address)
	DockerConfig string // -docker-config: a Docker config.json to take credentials from ("" for none)
}

// Register defines -connect and -docker-config in fs, setting f.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Connect, "connect", "", "dial this host:port for every connection")
	fs.StringVar(&f.DockerConfig, "docker-config", "", "a Docker config.json to take credentials from (its auths)")
}

// Check checks the flags' values once parsed: -connect must be host:port. The error is the
// input's fault and names the flag.
func (f *Flags) Check() error {
	if f.Connect != "" {
		if _, _, err := net.SplitHostPort(f.Connect); err != nil {
			return fmt.Errorf("-connect %q: want host:port", f.Connect)
		}
	}
	return nil
}
