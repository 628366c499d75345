package integration

import "testing"

// eventPrograms check eventfd, timerfd and signalfd (testdata/*.c): alone,
// under poll, select and epoll, across threads and processes, and
// interrupted by signal handlers. A program named NAME-N must end with
// status N.
var eventPrograms = []string{
	"eventfd_basic",
	"eventfd_epoll",
	"eventfd_interrupt",
	"timerfd_basic",
	"timerfd_wait",
	"signalfd_basic",
	"signalfd_interrupt",
}

// inotifyPrograms check inotify: watches on files and directories and the
// events the program's own operations cause.
var inotifyPrograms = []string{
	"inotify_basic",
	"inotify_flags",
	"inotify_wait",
}

func TestEventsPrograms(t *testing.T) { comparePrograms(t, eventPrograms) }

func TestEventsInotifyPrograms(t *testing.T) { comparePrograms(t, inotifyPrograms) }

// TestEventsSignalfdPollers checks that a signalfd is readable for the
// thread that polls it: poll and epoll_wait ask the file on the caller's
// behalf (vfs.File.ReadinessFor).
func TestEventsSignalfdPollers(t *testing.T) { comparePrograms(t, []string{"signalfd_pollers"}) }
