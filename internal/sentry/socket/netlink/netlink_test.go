package netlink

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

type task struct {
	creds *auth.Credentials
	tgid  int32
	mem   map[uintptr][]byte
}

func (t *task) Creds() *auth.Credentials { return t.creds }
func (t *task) CopyIn(addr uintptr, dst []byte) error {
	b, ok := t.mem[addr]
	if !ok {
		return unix.EFAULT
	}
	copy(dst, b)
	return nil
}
func (t *task) CopyOut(addr uintptr, src []byte) error {
	if t.mem == nil {
		t.mem = map[uintptr][]byte{}
	}
	b := t.mem[addr]
	if len(b) < len(src) {
		b = append(b, make([]byte, len(src)-len(b))...)
	}
	copy(b, src)
	t.mem[addr] = b
	return nil
}
func (t *task) HostWait(int, int16, time.Time) (int16, error) { return 0, unix.ENOSYS }
func (t *task) Block(ch <-chan struct{}, deadline time.Time) error {
	select {
	case <-ch:
		return nil
	case <-time.After(time.Second):
		return unix.ETIMEDOUT
	}
}
func (t *task) TGID() int32                            { return t.tgid }
func (t *task) FDTable() *vfs.FDTable                  { return nil }
func (t *task) FDLimit() uint64                        { return 1024 }
func (t *task) SendSignal(*linux.SignalInfo) error     { return nil }
func (t *task) MknodSocket(string) (vfs.Inode, error)  { return nil, unix.ENOSYS }
func (t *task) LookupSocket(string) (vfs.Inode, error) { return nil, unix.ENOSYS }

func loopbackView() []Interface {
	return []Interface{{
		Index: 1, Name: "lo", Type: unix.ARPHRD_LOOPBACK,
		Flags: unix.IFF_UP | unix.IFF_LOOPBACK | unix.IFF_RUNNING | unix.IFF_LOWER_UP,
		MTU:   65536, TxQLen: 1000, Qdisc: "noqueue",
		HardwareAddr: make([]byte, 6), Broadcast: make([]byte, 6),
		Addrs: []Address{
			{IP: netip.MustParseAddr("127.0.0.1"), PrefixLen: 8, Scope: unix.RT_SCOPE_HOST, Flags: unix.IFA_F_PERMANENT},
			{IP: netip.MustParseAddr("::1"), PrefixLen: 128, Scope: unix.RT_SCOPE_HOST, Flags: unix.IFA_F_PERMANENT},
		},
	}}
}

func newSock(t *testing.T, tk *task, stype, protocol int) (*Socket, error) {
	f, err := New(tk, stype, protocol, unix.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	t.Cleanup(f.DecRef)
	return f.Impl().(*Socket), nil
}

// request lays out one request with a payload.
func request(typ, flags uint16, seq uint32, payload []byte) []byte {
	var b Builder
	b.Begin(typ, flags, seq, 0)
	b.Raw(payload)
	b.End()
	return b.Bytes()
}

// replies reads every queued datagram and splits them into messages.
func replies(t *testing.T, tk *task, s *Socket) []Message {
	t.Helper()
	var out []Message
	for {
		buf := make([]byte, 32768)
		n, r, err := s.RecvMsg(tk, buf, 0, true, 0)
		if err == unix.EAGAIN {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Flags&unix.MSG_TRUNC != 0 || len(r.From) != unix.SizeofSockaddrNetlink || binary.NativeEndian.Uint32(r.From[4:]) != 0 {
			t.Fatalf("datagram flags %#x, from %x", r.Flags, r.From)
		}
		out = append(out, ParseMessages(buf[:n])...)
	}
}

func TestProtocolsAndTypes(t *testing.T) {
	tk := &task{creds: auth.New(1000, 1000, nil), tgid: 7}
	for _, c := range []struct {
		stype, protocol int
		want            error
	}{
		{unix.SOCK_RAW, unix.NETLINK_ROUTE, nil},
		{unix.SOCK_DGRAM, unix.NETLINK_ROUTE, nil},
		{unix.SOCK_STREAM, unix.NETLINK_ROUTE, unix.ESOCKTNOSUPPORT},
		{unix.SOCK_RAW, unix.NETLINK_GENERIC, unix.EPROTONOSUPPORT},
		{unix.SOCK_RAW, unix.NETLINK_KOBJECT_UEVENT, unix.EPROTONOSUPPORT},
		{unix.SOCK_RAW, 40, unix.EPROTONOSUPPORT},
	} {
		if _, err := newSock(t, tk, c.stype, c.protocol); err != c.want {
			t.Errorf("socket(AF_NETLINK, %d, %d): %v, want %v", c.stype, c.protocol, err, c.want)
		}
	}
}

func TestBindAndNames(t *testing.T) {
	tk := &task{creds: auth.New(1000, 1000, nil), tgid: 4242}
	a, _ := newSock(t, tk, unix.SOCK_RAW, unix.NETLINK_ROUTE)
	b, _ := newSock(t, tk, unix.SOCK_RAW, unix.NETLINK_ROUTE)
	if err := a.Bind(tk, sockaddrNL(0, 0)); err != nil {
		t.Fatal(err)
	}
	name, _ := a.GetSockName(tk)
	if pid := binary.NativeEndian.Uint32(name[4:]); pid != 4242 {
		t.Errorf("first autobind: port id %d, want the process id", pid)
	}
	if err := b.Bind(tk, sockaddrNL(4242, 0)); err != unix.EADDRINUSE {
		t.Errorf("binding a taken port id: %v, want EADDRINUSE", err)
	}
	b.Bind(tk, sockaddrNL(0, 0))
	name, _ = b.GetSockName(tk)
	if pid := int32(binary.NativeEndian.Uint32(name[4:])); pid >= 0 {
		t.Errorf("second autobind: port id %d, want a negative one", pid)
	}
	if err := a.Bind(tk, sockaddrNL(99, 0)); err != unix.EINVAL {
		t.Errorf("rebinding to another id: %v, want EINVAL", err)
	}
	if err := a.Bind(tk, []byte{16, 0}); err != unix.EINVAL {
		t.Errorf("short address: %v, want EINVAL", err)
	}
}

func TestLinkAndAddrDumps(t *testing.T) {
	SetInterfaces(loopbackView)
	tk := &task{creds: auth.New(1000, 1000, nil), tgid: 11}
	s, _ := newSock(t, tk, unix.SOCK_RAW, unix.NETLINK_ROUTE)
	req := request(unix.RTM_GETLINK, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, 5, make([]byte, unix.SizeofIfInfomsg))
	if n, err := s.SendMsg(tk, req, sockaddrNL(0, 0), nil, 0); err != nil || n != len(req) {
		t.Fatalf("sendmsg: %d %v", n, err)
	}
	msgs := replies(t, tk, s)
	if len(msgs) != 2 || msgs[0].Type != unix.RTM_NEWLINK || msgs[1].Type != nlmsgDone {
		t.Fatalf("link dump: %+v", msgs)
	}
	pid := uint32(11) // autobound at send
	for _, m := range msgs {
		if m.Seq != 5 || m.PID != pid || m.Flags&unix.NLM_F_MULTI == 0 {
			t.Errorf("reply header %+v", m.Header)
		}
	}
	link := msgs[0]
	if idx := binary.NativeEndian.Uint32(link.Data[4:]); idx != 1 {
		t.Errorf("ifi_index %d", idx)
	}
	if typ := binary.NativeEndian.Uint16(link.Data[2:]); typ != unix.ARPHRD_LOOPBACK {
		t.Errorf("ifi_type %d", typ)
	}
	attrs := map[uint16][]byte{}
	for _, a := range ParseAttrs(link.Data[unix.SizeofIfInfomsg:]) {
		attrs[a.Type] = a.Data
	}
	if string(attrs[unix.IFLA_IFNAME]) != "lo\x00" || binary.NativeEndian.Uint32(attrs[unix.IFLA_MTU]) != 65536 ||
		string(attrs[unix.IFLA_QDISC]) != "noqueue\x00" || len(attrs[unix.IFLA_ADDRESS]) != 6 || len(attrs[unix.IFLA_STATS]) != 96 {
		t.Errorf("link attributes %v", attrs)
	}

	req = request(unix.RTM_GETADDR, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, 6, []byte{unix.AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0})
	s.SendMsg(tk, req, nil, nil, 0)
	msgs = replies(t, tk, s)
	if len(msgs) != 3 || msgs[2].Type != nlmsgDone {
		t.Fatalf("address dump: %d messages", len(msgs))
	}
	for i, want := range []string{"127.0.0.1/8", "::1/128"} {
		m := msgs[i]
		var ip netip.Addr
		for _, a := range ParseAttrs(m.Data[unix.SizeofIfAddrmsg:]) {
			if a.Type == unix.IFA_ADDRESS {
				ip, _ = netip.AddrFromSlice(a.Data)
			}
		}
		if got := netip.PrefixFrom(ip, int(m.Data[1])).String(); m.Type != unix.RTM_NEWADDR || got != want || m.Data[3] != unix.RT_SCOPE_HOST {
			t.Errorf("address %d: %s scope %d, want %s", i, got, m.Data[3], want)
		}
	}
	// Filtered by family.
	req = request(unix.RTM_GETADDR, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, 7, []byte{unix.AF_INET6, 0, 0, 0, 0, 0, 0, 0})
	s.SendMsg(tk, req, nil, nil, 0)
	if msgs = replies(t, tk, s); len(msgs) != 2 || msgs[0].Data[0] != unix.AF_INET6 {
		t.Errorf("IPv6 address dump: %+v", msgs)
	}
}

func TestGetLinkByName(t *testing.T) {
	SetInterfaces(loopbackView)
	tk := &task{creds: auth.New(0, 0, nil), tgid: 12}
	s, _ := newSock(t, tk, unix.SOCK_RAW, unix.NETLINK_ROUTE)
	var b Builder
	b.Begin(unix.RTM_GETLINK, unix.NLM_F_REQUEST, 9, 0)
	b.Raw(make([]byte, unix.SizeofIfInfomsg))
	b.AttrString(unix.IFLA_IFNAME, "lo")
	b.End()
	s.SendMsg(tk, b.Bytes(), nil, nil, 0)
	if msgs := replies(t, tk, s); len(msgs) != 1 || msgs[0].Type != unix.RTM_NEWLINK || msgs[0].Flags != 0 {
		t.Fatalf("RTM_GETLINK lo: %+v", msgs)
	}
	b = Builder{}
	b.Begin(unix.RTM_GETLINK, unix.NLM_F_REQUEST, 10, 0)
	b.Raw(make([]byte, unix.SizeofIfInfomsg))
	b.AttrString(unix.IFLA_IFNAME, "eth0")
	b.End()
	s.SendMsg(tk, b.Bytes(), nil, nil, 0)
	msgs := replies(t, tk, s)
	if len(msgs) != 1 || msgs[0].Type != nlmsgError || errnoOf(msgs[0]) != unix.ENODEV {
		t.Fatalf("RTM_GETLINK eth0: %+v", msgs)
	}
}

func errnoOf(m Message) unix.Errno {
	return unix.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
}

func TestErrorsAndAcks(t *testing.T) {
	SetInterfaces(loopbackView)
	user := &task{creds: auth.New(1000, 1000, nil), tgid: 13}
	s, _ := newSock(t, user, unix.SOCK_RAW, unix.NETLINK_ROUTE)
	// A change without CAP_NET_ADMIN: EPERM, with the request echoed.
	req := request(unix.RTM_NEWADDR, unix.NLM_F_REQUEST|unix.NLM_F_CREATE, 1, make([]byte, unix.SizeofIfAddrmsg))
	s.SendMsg(user, req, nil, nil, 0)
	msgs := replies(t, user, s)
	if len(msgs) != 1 || msgs[0].Type != nlmsgError || errnoOf(msgs[0]) != unix.EPERM ||
		len(msgs[0].Data) != 4+len(req) || msgs[0].Flags&unix.NLM_F_CAPPED != 0 {
		t.Fatalf("RTM_NEWADDR unprivileged: %+v", msgs)
	}
	// Unsupported requests: EOPNOTSUPP.
	root := &task{creds: auth.New(0, 0, nil), tgid: 14}
	r, _ := newSock(t, root, unix.SOCK_RAW, unix.NETLINK_ROUTE)
	for _, typ := range []uint16{unix.RTM_NEWADDR, unix.RTM_GETNEIGH, unix.RTM_MAX + 1} {
		r.SendMsg(root, request(typ, unix.NLM_F_REQUEST, 2, make([]byte, 16)), nil, nil, 0)
		if msgs := replies(t, root, r); len(msgs) != 1 || errnoOf(msgs[0]) != unix.EOPNOTSUPP {
			t.Errorf("request %d: %+v, want EOPNOTSUPP", typ, msgs)
		}
	}
	// NLM_F_ACK on a success: error 0, capped.
	r.SendMsg(root, request(unix.NLMSG_NOOP, unix.NLM_F_REQUEST|unix.NLM_F_ACK, 3, nil), nil, nil, 0)
	msgs = replies(t, root, r)
	if len(msgs) != 1 || errnoOf(msgs[0]) != 0 || msgs[0].Flags&unix.NLM_F_CAPPED == 0 || len(msgs[0].Data) != 4+nlmsgHdrLen {
		t.Errorf("ack: %+v", msgs)
	}
	// Two requests in one datagram are both answered, in order.
	two := append(request(unix.RTM_GETLINK, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, 20, make([]byte, unix.SizeofIfInfomsg)),
		request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, 21, make([]byte, unix.SizeofRtMsg))...)
	r.SendMsg(root, two, nil, nil, 0)
	msgs = replies(t, root, r)
	if len(msgs) < 4 || msgs[0].Seq != 20 || msgs[len(msgs)-1].Seq != 21 || msgs[len(msgs)-1].Type != nlmsgDone {
		t.Errorf("two dumps: %d messages", len(msgs))
	}
	if _, err := r.SendMsg(root, []byte("x"), nil, nil, unix.MSG_OOB); err != unix.EOPNOTSUPP {
		t.Errorf("MSG_OOB: %v", err)
	}
}

func TestDerivedRoutes(t *testing.T) {
	rs := DerivedRoutes(loopbackView())
	var got []string
	for _, r := range rs {
		got = append(got, r.Dst.String())
	}
	want := []string{"127.0.0.0/8", "127.0.0.1/32", "127.255.255.255/32", "::1/128", "::1/128"}
	if len(got) != len(want) {
		t.Fatalf("routes %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("route %d: %s, want %s", i, got[i], want[i])
		}
	}
}

func TestInterfaceIoctls(t *testing.T) {
	SetInterfaces(loopbackView)
	tk := &task{creds: auth.New(1000, 1000, nil)}
	const arg = 0x1000
	ifreq := make([]byte, sizeofIfreq)
	copy(ifreq, "lo")
	tk.CopyOut(arg, ifreq)
	if _, err := InterfaceIoctl(tk, unix.SIOCGIFINDEX, arg); err != nil || binary.NativeEndian.Uint32(tk.mem[arg][16:]) != 1 {
		t.Errorf("SIOCGIFINDEX lo: %v %x", err, tk.mem[arg])
	}
	if _, err := InterfaceIoctl(tk, unix.SIOCGIFFLAGS, arg); err != nil ||
		binary.NativeEndian.Uint16(tk.mem[arg][16:]) != unix.IFF_UP|unix.IFF_LOOPBACK|unix.IFF_RUNNING {
		t.Errorf("SIOCGIFFLAGS lo: %v %x", err, tk.mem[arg][16:18])
	}
	if _, err := InterfaceIoctl(tk, unix.SIOCGIFADDR, arg); err != nil || string(tk.mem[arg][20:24]) != "\x7f\x00\x00\x01" {
		t.Errorf("SIOCGIFADDR lo: %v %x", err, tk.mem[arg])
	}
	if _, err := InterfaceIoctl(tk, unix.SIOCGIFNETMASK, arg); err != nil || string(tk.mem[arg][20:24]) != "\xff\x00\x00\x00" {
		t.Errorf("SIOCGIFNETMASK lo: %v %x", err, tk.mem[arg])
	}
	copy(ifreq, "eth0")
	tk.CopyOut(arg, ifreq)
	if _, err := InterfaceIoctl(tk, unix.SIOCGIFINDEX, arg); err != unix.ENODEV {
		t.Errorf("SIOCGIFINDEX eth0: %v, want ENODEV", err)
	}
	if _, err := InterfaceIoctl(tk, unix.SIOCSIFMTU, arg); err != unix.EPERM {
		t.Errorf("SIOCSIFMTU unprivileged: %v, want EPERM", err)
	}
	// SIOCGIFCONF: the length needed, then the entries.
	conf := make([]byte, sizeofIfconf)
	tk.CopyOut(arg, conf)
	if _, err := InterfaceIoctl(tk, unix.SIOCGIFCONF, arg); err != nil || binary.NativeEndian.Uint32(tk.mem[arg]) != sizeofIfreq {
		t.Errorf("SIOCGIFCONF length: %v %x", err, tk.mem[arg])
	}
	binary.NativeEndian.PutUint32(conf, 2*sizeofIfreq)
	binary.NativeEndian.PutUint64(conf[8:], 0x2000)
	tk.CopyOut(arg, conf)
	if _, err := InterfaceIoctl(tk, unix.SIOCGIFCONF, arg); err != nil || binary.NativeEndian.Uint32(tk.mem[arg]) != sizeofIfreq ||
		string(tk.mem[0x2000][:3]) != "lo\x00" {
		t.Errorf("SIOCGIFCONF: %v %x", err, tk.mem[0x2000])
	}
}

func TestMessageParsing(t *testing.T) {
	// A header claiming more than the buffer ends the walk; so does one
	// shorter than a header.
	b := request(unix.RTM_GETLINK, unix.NLM_F_REQUEST, 1, make([]byte, 16))
	bad := append(append([]byte(nil), b...), 0xff, 0, 0, 0, 0x12, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	if msgs := ParseMessages(bad); len(msgs) != 1 {
		t.Errorf("parsed %d messages, want 1", len(msgs))
	}
	var m Builder
	m.Begin(1, 2, 3, 4)
	m.AttrU8(5, 6)
	m.AttrString(7, "abc")
	m.End()
	out := ParseMessages(m.Bytes())
	if len(out) != 1 || out[0].Len != 32 {
		t.Fatalf("built message: %+v", out)
	}
	as := ParseAttrs(out[0].Data)
	if len(as) != 2 || as[0].Type != 5 || string(as[0].Data) != "\x06" || string(as[1].Data) != "abc\x00" {
		t.Errorf("attributes %+v", as)
	}
}
