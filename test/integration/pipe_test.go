package integration

import "testing"

// pipePrograms check pipes, FIFOs, splice and friends, memfds, file locks
// and close_range within one process (testdata/*.c). A program named
// NAME-N must end with status N (128+S for a death by signal S).
var pipePrograms = []string{
	"pipe_basic",
	"pipe_capacity",
	"pipe_packet",
	"pipe_interrupt",
	"pipe_sigpipe-141",
	"pipe_close_range",
	"fifo_basic",
	"splice_file",
	"splice_sendfile",
	"flock_flock",
	"flock_fcntl",
	"memfd_basic",
}

func TestPipePrograms(t *testing.T) { comparePrograms(t, pipePrograms) }
