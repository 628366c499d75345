package socket

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Control messages (cmsg(3)) as x86-64 lays them out: a 16-byte header
// (cmsg_len as a size_t, cmsg_level, cmsg_type) followed by the data, each
// message starting at a multiple of 8.

// SizeofCmsghdr is sizeof(struct cmsghdr).
const SizeofCmsghdr = 16

// CmsgAlign rounds n up as CMSG_ALIGN does.
func CmsgAlign(n int) int { return (n + 7) &^ 7 }

// CmsgLen is CMSG_LEN(n): a message's cmsg_len for n bytes of data.
func CmsgLen(n int) int { return SizeofCmsghdr + n }

// CmsgSpace is CMSG_SPACE(n): the room a message with n bytes of data
// takes, padding included.
func CmsgSpace(n int) int { return SizeofCmsghdr + CmsgAlign(n) }

// Cmsg is one control message of a sendmsg(2) control buffer.
type Cmsg struct {
	Level, Type int
	Data        []byte
}

// ParseControl splits a sendmsg(2) control buffer into its messages, as
// Linux walks them (CMSG_FIRSTHDR, CMSG_NXTHDR): a header that does not
// fit is the end, and a message whose cmsg_len is shorter than the header
// or runs past the buffer is EINVAL (CMSG_OK). Data aliases b.
func ParseControl(b []byte) ([]Cmsg, error) {
	var out []Cmsg
	for off := 0; off+SizeofCmsghdr <= len(b); {
		l := binary.LittleEndian.Uint64(b[off:])
		if l < SizeofCmsghdr || l > uint64(len(b)-off) {
			return nil, unix.EINVAL
		}
		out = append(out, Cmsg{
			Level: int(int32(binary.LittleEndian.Uint32(b[off+8:]))),
			Type:  int(int32(binary.LittleEndian.Uint32(b[off+12:]))),
			Data:  b[off+SizeofCmsghdr : off+int(l)],
		})
		next := off + CmsgAlign(int(l))
		if next <= off {
			break
		}
		off = next
	}
	return out, nil
}

// ControlWriter lays out received control messages in the room the
// caller's msg_controllen gives, as Linux's put_cmsg does.
type ControlWriter struct {
	buf  []byte
	room int
	// Truncated is MSG_CTRUNC: some message did not fit (whole or part).
	Truncated bool
}

// NewControlWriter returns a writer with room bytes to fill.
func NewControlWriter(room int) *ControlWriter {
	if room < 0 {
		room = 0
	}
	return &ControlWriter{room: room}
}

// Room is the space left.
func (w *ControlWriter) Room() int { return w.room }

// Bytes is what to copy out to msg_control; its length is the new
// msg_controllen.
func (w *ControlWriter) Bytes() []byte { return w.buf }

// Put adds a message. Without room for a header it only sets Truncated;
// without room for all of it, it writes what fits, cmsg_len saying how
// much, and sets Truncated.
func (w *ControlWriter) Put(level, typ int, data []byte) {
	if w.room < SizeofCmsghdr {
		w.Truncated = true
		return
	}
	cmlen := CmsgLen(len(data))
	if cmlen > w.room {
		w.Truncated = true
		cmlen = w.room
	}
	w.putHeader(cmlen, level, typ)
	w.buf = append(w.buf, data[:cmlen-SizeofCmsghdr]...)
	adv := min(CmsgSpace(len(data)), w.room)
	w.buf = append(w.buf, make([]byte, adv-cmlen)...)
	w.room -= adv
}

// PutHeaderOnly writes a header claiming cmlen and reserves space bytes
// after it, for a message whose data the caller fills (SCM_RIGHTS, whose
// descriptors are installed one by one): it returns the slice to fill.
func (w *ControlWriter) PutHeaderOnly(level, typ, cmlen, space int) []byte {
	w.putHeader(cmlen, level, typ)
	start := len(w.buf)
	w.buf = append(w.buf, make([]byte, space-SizeofCmsghdr)...)
	w.room -= space
	return w.buf[start:]
}

func (w *ControlWriter) putHeader(cmlen, level, typ int) {
	var h [SizeofCmsghdr]byte
	binary.LittleEndian.PutUint64(h[0:], uint64(cmlen))
	binary.LittleEndian.PutUint32(h[8:], uint32(int32(level)))
	binary.LittleEndian.PutUint32(h[12:], uint32(int32(typ)))
	w.buf = append(w.buf, h[:]...)
}
