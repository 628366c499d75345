package syscalls

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// The permission rules of attr.go and truncate.go, for credentials the
// integration tests cannot take on yet. The expectations are Linux's
// (test/integration/testdata/attr_unpriv.c shows most of them natively).

var (
	attrRoot = auth.New(0, 0, nil)
	attrUser = auth.New(1000, 1000, []uint32{1000, 1001})
	// attrChowner has CAP_CHOWN alone.
	attrChowner = func() *auth.Credentials {
		c := auth.New(1000, 1000, []uint32{1000})
		c.Effective = 1 << vfs.CapChown
		return c
	}()
)

func regStat(mode, uid, gid uint32) *vfs.Stat {
	return &vfs.Stat{Mode: unix.S_IFREG | mode, UID: uid, GID: gid}
}

func TestChmodMode(t *testing.T) {
	for _, c := range []struct {
		name  string
		creds *auth.Credentials
		st    *vfs.Stat
		mode  uint32
		want  uint32
		err   error
	}{
		{"owner", attrUser, regStat(0o644, 1000, 1000), 0o600, 0o600, nil},
		{"owner keeps type bits out", attrUser, regStat(0o644, 1000, 1000), unix.S_IFDIR | 0o7777, 0o7777, nil},
		{"owner sgid own group", attrUser, regStat(0o644, 1000, 1001), 0o2755, 0o2755, nil},
		{"owner sgid foreign group", attrUser, regStat(0o644, 1000, 3000), 0o6755, 0o4755, nil},
		{"not owner", attrUser, regStat(0o666, 2000, 1000), 0o644, 0, unix.EPERM},
		{"attrRoot anything", attrRoot, regStat(0o644, 2000, 3000), 0o6755, 0o6755, nil},
		{"symlink", attrRoot, &vfs.Stat{Mode: unix.S_IFLNK | 0o777}, 0o644, 0, unix.EOPNOTSUPP},
		{"CAP_CHOWN is not CAP_FOWNER", attrChowner, regStat(0o644, 2000, 2000), 0o600, 0, unix.EPERM},
	} {
		got, err := chmodMode(c.creds, c.st, c.mode)
		if err != c.err || err == nil && got != c.want {
			t.Errorf("%s: got %#o, %v; want %#o, %v", c.name, got, err, c.want, c.err)
		}
	}
}

func TestChownAttrs(t *testing.T) {
	type want struct {
		uid, gid, mode int64 // -1: left alone
		err            error
	}
	for _, c := range []struct {
		name     string
		creds    *auth.Credentials
		st       *vfs.Stat
		uid, gid uint32
		want     want
	}{
		{"give away", attrUser, regStat(0o644, 1000, 1000), 2000, noID, want{err: unix.EPERM}},
		{"to self", attrUser, regStat(0o644, 1000, 1000), 1000, noID, want{1000, -1, -1, nil}},
		{"to own group", attrUser, regStat(0o644, 1000, 1000), noID, 1001, want{-1, 1001, -1, nil}},
		{"to foreign group", attrUser, regStat(0o644, 1000, 1000), noID, 3000, want{err: unix.EPERM}},
		{"same foreign group", attrUser, regStat(0o644, 1000, 3000), noID, 3000, want{-1, 3000, -1, nil}},
		{"not owner chgrp", attrUser, regStat(0o666, 2000, 2000), noID, 1000, want{err: unix.EPERM}},
		{"not owner nothing", attrUser, regStat(0o666, 2000, 2000), noID, noID, want{-1, -1, -1, nil}},
		{"not owner suid nothing", attrUser, regStat(0o4755, 2000, 2000), noID, noID, want{err: unix.EPERM}},
		{"owner suid nothing", attrUser, regStat(0o4755, 1000, 1000), noID, noID, want{-1, -1, 0o755, nil}},
		{"sgid gx", attrUser, regStat(0o2755, 1000, 1000), noID, 1001, want{-1, 1001, 0o755, nil}},
		{"sgid no gx in group", attrUser, regStat(0o2745, 1000, 1000), noID, 1001, want{-1, 1001, -1, nil}},
		{"sgid no gx foreign group", attrUser, regStat(0o2745, 1000, 3000), noID, 1001, want{-1, 1001, 0o745, nil}},
		{"suid and sgid no gx", attrUser, regStat(0o6745, 1000, 1000), noID, 1001, want{-1, 1001, 0o2745, nil}},
		{"attrRoot suid", attrRoot, regStat(0o6755, 0, 0), 7, 7, want{7, 7, 0o755, nil}},
		{"attrRoot sgid no gx", attrRoot, regStat(0o6745, 0, 0), 7, 7, want{7, 7, 0o2745, nil}},
		{"attrRoot dir keeps bits", attrRoot, &vfs.Stat{Mode: unix.S_IFDIR | 0o6755}, 7, 7, want{7, 7, -1, nil}},
		{"CAP_CHOWN gives away", attrChowner, regStat(0o644, 2000, 2000), 3000, 3000, want{3000, 3000, -1, nil}},
		// Dropping S_ISUID is a mode change: the owner's or CAP_FOWNER's.
		{"CAP_CHOWN suid", attrChowner, regStat(0o4755, 2000, 2000), 3000, noID, want{err: unix.EPERM}},
		{"CAP_CHOWN suid own file new group", attrChowner, regStat(0o6745, 1000, 1000), noID, 3000, want{-1, 3000, 0o745, nil}},
	} {
		o, err := chownAttrs(c.creds, c.st, c.uid, c.gid)
		got := want{-1, -1, -1, err}
		if o.UID != nil {
			got.uid = int64(*o.UID)
		}
		if o.GID != nil {
			got.gid = int64(*o.GID)
		}
		if o.Mode != nil {
			got.mode = int64(*o.Mode)
		}
		if err != nil {
			got = want{err: err}
		}
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestKillPriv(t *testing.T) {
	for _, c := range []struct {
		name  string
		creds *auth.Credentials
		st    *vfs.Stat
		want  int64 // -1: unchanged
	}{
		{"attrRoot keeps", attrRoot, regStat(0o6755, 2000, 2000), -1},
		{"suid", attrUser, regStat(0o4766, 2000, 2000), 0o766},
		{"sgid gx", attrUser, regStat(0o2776, 2000, 2000), 0o776},
		{"sgid no gx foreign", attrUser, regStat(0o2766, 2000, 2000), 0o766},
		{"sgid no gx in group", attrUser, regStat(0o2764, 1000, 1000), -1},
		{"plain", attrUser, regStat(0o666, 2000, 2000), -1},
		{"not regular", attrUser, &vfs.Stat{Mode: unix.S_IFDIR | 0o6777}, -1},
	} {
		mode, ok := killPriv(c.creds, c.st)
		got := int64(-1)
		if ok {
			got = int64(mode)
		}
		if got != c.want {
			t.Errorf("%s: got %#o, want %#o", c.name, got, c.want)
		}
	}
}

func TestMayTouch(t *testing.T) {
	for _, c := range []struct {
		name     string
		creds    *auth.Credentials
		st       *vfs.Stat
		explicit bool
		want     error
	}{
		{"owner explicit", attrUser, regStat(0o444, 1000, 1000), true, nil},
		{"writable now", attrUser, regStat(0o666, 2000, 2000), false, nil},
		{"writable explicit", attrUser, regStat(0o666, 2000, 2000), true, unix.EPERM},
		{"read-only now", attrUser, regStat(0o644, 2000, 2000), false, unix.EACCES},
		{"group writable now", attrUser, regStat(0o464, 2000, 1001), false, nil},
		{"attrRoot explicit", attrRoot, regStat(0o000, 2000, 2000), true, nil},
	} {
		if got := mayTouch(c.creds, c.st, c.explicit); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
