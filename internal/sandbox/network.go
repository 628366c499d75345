package sandbox

import (
	"fmt"
	"strings"

	"github.com/moat-sandbox/moat/internal/sentry/socket/hostinet"
	"github.com/moat-sandbox/moat/internal/sentry/socket/netstack"
)

// Networks lists the values --network accepts.
var Networks = []string{"none", "host"}

// setupNetwork registers the AF_INET and AF_INET6 families of the chosen
// network: "host" gives the application host sockets the Sentry holds for
// it (internal/sentry/socket/hostinet); "none", the default, a loopback
// of its own in the Sentry's user-space stack
// (internal/sentry/socket/netstack), which reaches nothing of the host.
func setupNetwork(name string) error {
	switch name {
	case "", "none":
		netstack.Register()
	case "host":
		hostinet.Register()
	default:
		return fmt.Errorf("unknown network %q (have: %s)", name, strings.Join(Networks, ", "))
	}
	return nil
}
