package mm

import (
	"testing"

	"golang.org/x/sys/unix"
)

// countedFile is a CountedMappable that counts its VMAs.
type countedFile struct {
	fakeFile
	n int
}

func (c *countedFile) MapOpened() { c.n++ }
func (c *countedFile) MapClosed() { c.n-- }

func TestCountedMappable(t *testing.T) {
	m, inj, _ := newTestMM(t)
	f := &countedFile{fakeFile: fakeFile{fd: -1, name: "/SYSV00000000 (deleted)"}}
	size := func(x Mappable) (uintptr, bool) { return 3 * P, x == f }
	mapIt := func(addr uintptr) {
		t.Helper()
		if _, err := m.MMap(inj, MMapOpts{Addr: addr, Length: 3 * P, Prot: protRW,
			Flags: unix.MAP_SHARED | unix.MAP_FIXED, File: f}); err != nil {
			t.Fatal(err)
		}
	}
	want := func(what string, n int) {
		t.Helper()
		if f.n != n {
			t.Fatalf("%s: %d mappings counted, want %d", what, f.n, n)
		}
	}
	mapIt(pg(0))
	want("one attachment", 1)
	mapIt(pg(3)) // adjacent: must not merge
	want("two adjacent attachments", 2)
	if err := m.Mprotect(inj, pg(1), P, protR); err != nil {
		t.Fatal(err)
	}
	want("a split", 4)
	c := m.Fork(&fakeMemory{})
	want("after fork", 8)
	c.Release()
	c.Release()
	want("child released", 4)
	if _, err := m.Detach(inj, pg(0)+P, size); err != unix.EINVAL {
		t.Fatalf("Detach inside an attachment: %v, want EINVAL", err)
	}
	if _, err := m.Detach(inj, pg(0), size); err != nil {
		t.Fatal(err)
	}
	want("first detached", 1)
	if err := m.Munmap(inj, pg(3), P); err != nil {
		t.Fatal(err)
	}
	want("front of the second unmapped", 1)
	// The rest still detaches from its original address.
	if _, err := m.Detach(inj, pg(3), size); err != nil {
		t.Fatal(err)
	}
	want("second detached", 0)
	if _, err := m.Detach(inj, pg(3), size); err != unix.EINVAL {
		t.Fatalf("Detach again: %v, want EINVAL", err)
	}
	mapIt(pg(10))
	m.Release()
	want("released", 0)
}
