package netlink

import (
	"encoding/binary"
)

// Netlink message layout (netlink(7)): a 16-byte struct nlmsghdr, then
// the payload: a fixed family header and route attributes (struct rtattr:
// a 4-byte header, the data, padding to 4 bytes).
const (
	nlmsgHdrLen = 16
	rtaHdrLen   = 4
	nlmsgDone   = 3 // NLMSG_DONE
	nlmsgError  = 2 // NLMSG_ERROR
)

func align4(n int) int { return (n + 3) &^ 3 }

// Header is a struct nlmsghdr.
type Header struct {
	Len   uint32
	Type  uint16
	Flags uint16
	Seq   uint32
	PID   uint32
}

// Message is one message of a request: its header and payload.
type Message struct {
	Header
	Data []byte
}

// ParseMessages splits a buffer of requests as Linux's netlink_rcv_skb
// walks it: it stops at a header that does not fit or whose length is
// shorter than the header or runs past the buffer.
func ParseMessages(b []byte) []Message {
	var out []Message
	for len(b) >= nlmsgHdrLen {
		h := Header{
			Len:   binary.NativeEndian.Uint32(b),
			Type:  binary.NativeEndian.Uint16(b[4:]),
			Flags: binary.NativeEndian.Uint16(b[6:]),
			Seq:   binary.NativeEndian.Uint32(b[8:]),
			PID:   binary.NativeEndian.Uint32(b[12:]),
		}
		if h.Len < nlmsgHdrLen || int(h.Len) > len(b) {
			break
		}
		out = append(out, Message{Header: h, Data: b[nlmsgHdrLen:h.Len]})
		next := align4(int(h.Len))
		if next >= len(b) {
			break
		}
		b = b[next:]
	}
	return out
}

// Attr is one route attribute.
type Attr struct {
	Type uint16
	Data []byte
}

// ParseAttrs splits route attributes, stopping at a malformed one. The
// type has its NLA_F_NESTED and NLA_F_NET_BYTEORDER bits cleared.
func ParseAttrs(b []byte) []Attr {
	var out []Attr
	for len(b) >= rtaHdrLen {
		l := int(binary.NativeEndian.Uint16(b))
		t := binary.NativeEndian.Uint16(b[2:]) & 0x3fff
		if l < rtaHdrLen || l > len(b) {
			break
		}
		out = append(out, Attr{Type: t, Data: b[rtaHdrLen:l]})
		n := align4(l)
		if n >= len(b) {
			break
		}
		b = b[n:]
	}
	return out
}

// Builder lays out netlink messages one after the other.
type Builder struct {
	b     []byte
	start int
}

// Bytes returns the messages built so far.
func (m *Builder) Bytes() []byte { return m.b }

// Len is the length built so far.
func (m *Builder) Len() int { return len(m.b) }

// Begin starts a message; End sets its length.
func (m *Builder) Begin(typ, flags uint16, seq, pid uint32) {
	m.start = len(m.b)
	var h [nlmsgHdrLen]byte
	binary.NativeEndian.PutUint16(h[4:], typ)
	binary.NativeEndian.PutUint16(h[6:], flags)
	binary.NativeEndian.PutUint32(h[8:], seq)
	binary.NativeEndian.PutUint32(h[12:], pid)
	m.b = append(m.b, h[:]...)
}

// End finishes the message Begin started, padded to 4 bytes.
func (m *Builder) End() {
	m.pad()
	binary.NativeEndian.PutUint32(m.b[m.start:], uint32(len(m.b)-m.start))
}

func (m *Builder) pad() {
	for len(m.b)%4 != 0 {
		m.b = append(m.b, 0)
	}
}

// Raw appends payload bytes (a family header), padded.
func (m *Builder) Raw(data []byte) {
	m.b = append(m.b, data...)
	m.pad()
}

// Attr appends a route attribute.
func (m *Builder) Attr(typ uint16, data []byte) {
	var h [rtaHdrLen]byte
	binary.NativeEndian.PutUint16(h[0:], uint16(rtaHdrLen+len(data)))
	binary.NativeEndian.PutUint16(h[2:], typ)
	m.b = append(m.b, h[:]...)
	m.b = append(m.b, data...)
	m.pad()
}

// AttrU8, AttrU32 and AttrString append attributes of those types (a
// string with its NUL).
func (m *Builder) AttrU8(typ uint16, v uint8) { m.Attr(typ, []byte{v}) }

func (m *Builder) AttrU32(typ uint16, v uint32) {
	var b [4]byte
	binary.NativeEndian.PutUint32(b[:], v)
	m.Attr(typ, b[:])
}

func (m *Builder) AttrString(typ uint16, s string) { m.Attr(typ, append([]byte(s), 0)) }

// Nested starts a nested attribute (without NLA_F_NESTED, as rtnetlink
// lays out its older nests); EndNested sets its length.
func (m *Builder) Nested(typ uint16) int {
	off := len(m.b)
	m.Attr(typ, nil)
	return off
}

func (m *Builder) EndNested(off int) {
	binary.NativeEndian.PutUint16(m.b[off:], uint16(len(m.b)-off))
}
