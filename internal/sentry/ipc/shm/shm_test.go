package shm

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
)

func TestRules(t *testing.T) {
	r := NewRegistry()
	root := auth.New(0, 0, nil)
	user := auth.New(1000, 1000, nil)
	check := func(what string, err, want error) {
		t.Helper()
		if err != want {
			t.Fatalf("%s: %v, want %v", what, err, want)
		}
	}
	_, err := r.Get(user, 1, IPCPrivate, 0, IPCCreat|0o600)
	check("size 0", err, unix.EINVAL)
	_, err = r.Get(user, 1, 42, 10, 0o600)
	check("missing key", err, unix.ENOENT)
	id, err := r.Get(user, 1, 42, 10000, IPCCreat|0o600)
	check("create", err, nil)
	_, err = r.Get(user, 1, 42, 10, IPCCreat|IPCExcl)
	check("exclusive", err, unix.EEXIST)
	_, err = r.Get(user, 1, 42, 10001, 0)
	check("too big", err, unix.EINVAL)
	other := auth.New(1001, 1001, nil)
	_, err = r.Get(other, 2, 42, 10, 0o400)
	check("others may not read", err, unix.EACCES)
	got, err := r.Get(root, 2, 42, 10, 0o600)
	check("CAP_IPC_OWNER", err, nil)
	if got != id {
		t.Fatalf("id %d, want %d", got, id)
	}
	check("non-owner IPC_RMID", r.Remove(other, id), unix.EPERM)
	_, err = r.Get(user, 1, 43, 1, IPCCreat|SHMHugetlb)
	check("huge pages", err, unix.ENOMEM)

	seg, err := r.BeginAttach(user, id, AttachRead|AttachWrite)
	check("attach", err, nil)
	a := seg.NewAttachment(false)
	a.MapOpened() // the mapping
	seg.EndAttach(1, true)
	check("IPC_RMID", r.Remove(user, id), nil)
	st, _, err := r.Stat(user, id, false, false)
	check("stat after IPC_RMID", err, nil)
	if st.Key != IPCPrivate || st.Mode&SHMDest == 0 || st.NAttch != 1 || st.Size != 10000 {
		t.Fatalf("stat after IPC_RMID: %+v", st)
	}
	_, err = r.Get(user, 1, 42, 10, 0)
	check("key free", err, unix.ENOENT)
	a.MapClosed()
	_, _, err = r.Stat(user, id, false, false)
	check("gone at the last detach", err, unix.EINVAL)
	if info := r.Info(); info.UsedIDs != 0 || info.Tot != 0 {
		t.Fatalf("info after destroy: %+v", info)
	}
}
