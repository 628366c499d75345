package integration

import "testing"

// unixPrograms check Unix domain sockets (testdata/unix_*.c): stream,
// datagram and seqpacket sockets on paths, abstract names and pairs,
// descriptor and credential passing, shutdown, flags and readiness. A
// program named NAME-N must end with status N (128+S for a death by
// signal S).
var unixPrograms = []string{
	"unix_stream",
	"unix_socketpair",
	"unix_dgram",
	"unix_seqpacket",
	"unix_rights",
	"unix_creds",
	"unix_abstract",
	"unix_shutdown",
	"unix_peek_trunc",
	"unix_nonblock",
	"unix_epoll",
	"unix_mmsg",
	"unix_sigpipe-141",
}

func TestUnixPrograms(t *testing.T) { comparePrograms(t, unixPrograms) }
