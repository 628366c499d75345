package hostinet

import (
	"encoding/binary"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Interface requests (netdevice(7)) whose struct ifreq answer is a field
// of the union at offset 16 (or the name, for SIOCGIFNAME): the field's
// offset and size in the struct.
var ifreqGets = map[uintptr][2]int{
	unix.SIOCGIFNAME:    {0, unix.IFNAMSIZ},
	unix.SIOCGIFINDEX:   {16, 4},
	unix.SIOCGIFFLAGS:   {16, 2},
	unix.SIOCGIFADDR:    {16, 16},
	unix.SIOCGIFDSTADDR: {16, 16},
	unix.SIOCGIFBRDADDR: {16, 16},
	unix.SIOCGIFNETMASK: {16, 16},
	unix.SIOCGIFHWADDR:  {16, 16},
	unix.SIOCGIFMETRIC:  {16, 4},
	unix.SIOCGIFMTU:     {16, 4},
	unix.SIOCGIFTXQLEN:  {16, 4},
}

// ifreqSets are the requests that change interfaces, addresses or routes.
var ifreqSets = map[uintptr]bool{
	unix.SIOCADDRT: true, unix.SIOCDELRT: true, unix.SIOCSIFLINK: true,
	unix.SIOCSIFFLAGS: true, unix.SIOCSIFADDR: true, unix.SIOCSIFDSTADDR: true,
	unix.SIOCSIFBRDADDR: true, unix.SIOCSIFNETMASK: true, unix.SIOCSIFMETRIC: true,
	unix.SIOCSIFMTU: true, unix.SIOCSIFNAME: true, unix.SIOCSIFHWADDR: true,
	unix.SIOCADDMULTI: true, unix.SIOCDELMULTI: true, unix.SIOCSIFPFLAGS: true,
	unix.SIOCSIFHWBROADCAST: true, unix.SIOCSIFTXQLEN: true, unix.SIOCSIFMAP: true,
	unix.SIOCDIFADDR: true, unix.SIOCSIFENCAP: true, unix.SIOCSIFBR: true,
	unix.SIOCDARP: true, unix.SIOCSARP: true, unix.SIOCDRARP: true, unix.SIOCSRARP: true,
}

const (
	sizeofIfreq  = 40 // struct ifreq
	sizeofIfconf = 16 // struct ifconf: int ifc_len, a pointer ifc_buf
	// maxIfconf bounds SIOCGIFCONF's buffer (1638 interfaces).
	maxIfconf = 64 << 10
)

// Ioctl implements vfs.Ioctler: the socket's queue sizes and the
// host's interfaces, each through a Sentry buffer of the request's fixed
// layout; no application pointer reaches the host.
func (s *Socket) Ioctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	switch req {
	case unix.SIOCINQ, unix.SIOCOUTQ, unix.SIOCOUTQNSD, unix.SIOCATMARK:
		var v int32
		if err := s.hostIoctl(req, unsafe.Pointer(&v)); err != nil {
			return 0, err
		}
		var b [4]byte
		binary.NativeEndian.PutUint32(b[:], uint32(v))
		return 0, t.CopyOut(arg, b[:])
	case unix.SIOCGIFCONF:
		return 0, s.ifconf(t, arg)
	}
	field, ok := ifreqGets[req]
	if !ok {
		if ifreqSets[req] {
			// Changing the host's interfaces or routes is not the
			// application's to do, whatever its capabilities: the
			// answer Linux gives an application without
			// CAP_NET_ADMIN.
			return 0, unix.EPERM
		}
		return 0, unix.ENOTTY
	}
	var app [sizeofIfreq]byte
	if err := t.CopyIn(arg, app[:]); err != nil {
		return 0, err
	}
	// Linux always ends the name at its last byte.
	app[unix.IFNAMSIZ-1] = 0
	var host [sizeofIfreq]byte
	if req == unix.SIOCGIFNAME {
		copy(host[16:20], app[16:20]) // ifr_ifindex
	} else {
		name := app[:unix.IFNAMSIZ]
		for i, c := range name {
			if c == 0 {
				break
			}
			host[i] = c
		}
	}
	if err := s.hostIoctl(req, unsafe.Pointer(&host[0])); err != nil {
		return 0, err
	}
	// The application's struct comes back as Linux returns it: as given,
	// with the answer's field filled in.
	copy(app[field[0]:field[0]+field[1]], host[field[0]:])
	return 0, t.CopyOut(arg, app[:])
}

// ifconf implements SIOCGIFCONF: the host fills a Sentry buffer of the
// application's ifc_len, which is copied to ifc_buf; a null ifc_buf asks
// for the length needed.
func (s *Socket) ifconf(t vfs.Task, arg uintptr) error {
	var app [sizeofIfconf]byte
	if err := t.CopyIn(arg, app[:]); err != nil {
		return err
	}
	n := int32(binary.NativeEndian.Uint32(app[0:]))
	ubuf := uintptr(binary.NativeEndian.Uint64(app[8:]))
	var host struct {
		len int32
		_   int32
		buf uintptr
	}
	var buf []byte
	if ubuf != 0 {
		buf = make([]byte, max(1, min(int(max(n, 0)), maxIfconf)))
		host.len = int32(min(int(max(n, 0)), maxIfconf))
		host.buf = uintptr(unsafe.Pointer(&buf[0]))
	}
	err := s.hostIoctl(unix.SIOCGIFCONF, unsafe.Pointer(&host))
	if err != nil {
		return err
	}
	if ubuf != 0 && host.len > 0 {
		if err := t.CopyOut(ubuf, buf[:min(int(host.len), len(buf))]); err != nil {
			return err
		}
	}
	var l [4]byte
	binary.NativeEndian.PutUint32(l[:], uint32(host.len))
	return t.CopyOut(arg, l[:])
}

// hostIoctl runs an ioctl on the host socket with a Sentry buffer. The
// buffer must stay reachable across the call: the callers keep it alive.
func (s *Socket) hostIoctl(req uintptr, p unsafe.Pointer) error {
	_, _, e := syscall.Syscall(unix.SYS_IOCTL, uintptr(s.fd), req, uintptr(p))
	return hostErr(e)
}
