// Package anon is what the Sentry's anonymous-inode files (eventfd,
// timerfd, signalfd, inotify) share: Linux gives them all one inode of its
// anon_inodefs, which fstat shows, and names each in /proc/PID/fd after
// its kind ("anon_inode:[eventfd]").
package anon

import (
	"sync"
	"time"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

var dev = vfs.NewAnonDev()

// ino is the one inode's number.
const ino = 1

// Stat is what fstat shows of every anonymous-inode file: mode 0600 with
// no file type bits, one link, owned by root, a page as block size.
func Stat() vfs.Stat {
	return vfs.Stat{Dev: dev, Ino: ino, Mode: 0o600, Nlink: 1, Blksize: 4096}
}

// LinkName is what /proc/PID/fd shows for an anonymous-inode file called
// name: "anon_inode:" and the name ("[eventfd]", "inotify").
func LinkName(name string) string { return "anon_inode:" + name }

// Wait blocks t until ready holds, with mu held on entry and on return:
// it registers on q for events, rechecks ready under mu (so that no Notify
// between the check and the sleep is lost), and sleeps with mu released.
// It returns vfs.ErrInterrupted if the task is wanted elsewhere (a signal:
// the syscall layer makes that a restart or EINTR).
func Wait(t vfs.Task, mu *sync.Mutex, q *waiter.Queue, events waiter.EventMask, ready func() bool) error {
	if ready() {
		return nil
	}
	e := waiter.NewEntry()
	q.Register(e, events)
	defer q.Unregister(e)
	for !ready() {
		mu.Unlock()
		err := t.Block(e.C(), time.Time{})
		mu.Lock()
		if err != nil && !ready() {
			return err
		}
	}
	return nil
}

// NoSeek is an lseek(2) that succeeds and changes nothing, as Linux's
// noop_llseek: the anonymous-inode files embed it.
type NoSeek struct{}

// Seek implements vfs.Seeker: the position stays 0.
func (NoSeek) Seek(vfs.Task, int64, int) (int64, error) { return 0, nil }
