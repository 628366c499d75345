package socket

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

func TestControlRoundTrip(t *testing.T) {
	w := NewControlWriter(64)
	w.Put(unix.SOL_SOCKET, unix.SCM_CREDENTIALS, make([]byte, 12))
	w.Put(unix.SOL_SOCKET, unix.SCM_RIGHTS, []byte{1, 0, 0, 0})
	if w.Truncated || len(w.Bytes()) != CmsgSpace(12)+CmsgSpace(4) {
		t.Fatalf("truncated %v len %d", w.Truncated, len(w.Bytes()))
	}
	msgs, err := ParseControl(w.Bytes())
	if err != nil || len(msgs) != 2 || msgs[1].Type != unix.SCM_RIGHTS || len(msgs[0].Data) != 12 {
		t.Fatalf("%v %v", msgs, err)
	}
}

func TestControlTruncation(t *testing.T) {
	w := NewControlWriter(20)
	w.Put(unix.SOL_SOCKET, unix.SCM_CREDENTIALS, make([]byte, 12))
	b := w.Bytes()
	if !w.Truncated || len(b) != 20 || binary.LittleEndian.Uint64(b) != 20 {
		t.Errorf("truncated %v len %d cmsg_len %d", w.Truncated, len(b), binary.LittleEndian.Uint64(b))
	}
	w = NewControlWriter(8)
	w.Put(unix.SOL_SOCKET, unix.SCM_RIGHTS, make([]byte, 4))
	if !w.Truncated || len(w.Bytes()) != 0 {
		t.Error("no room for a header")
	}
}

func TestParseControlErrors(t *testing.T) {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint64(b, 32)
	if _, err := ParseControl(b); err != unix.EINVAL {
		t.Errorf("too long: %v", err)
	}
	binary.LittleEndian.PutUint64(b, 8)
	if _, err := ParseControl(b); err != unix.EINVAL {
		t.Errorf("too short: %v", err)
	}
	if m, err := ParseControl(b[:10]); err != nil || len(m) != 0 {
		t.Errorf("no header: %v %v", m, err)
	}
}
