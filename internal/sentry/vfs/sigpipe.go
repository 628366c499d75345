package vfs

import "github.com/moat-sandbox/moat/internal/sentry/linux"

// SendSIGPIPE sends SIGPIPE to the calling thread after EPIPE on a pipe or
// a stream socket, as Linux's pipe_write and sk_stream_error do: si_code
// SI_USER, from the caller itself. A task that cannot take signals (a
// test's fake) gets nothing.
func SendSIGPIPE(t Task) {
	s, ok := t.(interface {
		SendSignal(*linux.SignalInfo) error
	})
	if !ok {
		return
	}
	info := &linux.SignalInfo{Signo: int32(linux.SIGPIPE), Code: linux.SI_USER}
	if g, ok := t.(interface{ TGID() int32 }); ok {
		info.SetPID(g.TGID())
	}
	if c := t.Creds(); c != nil {
		info.SetUID(c.RealUID)
	}
	s.SendSignal(info)
}
