package mm

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// ---- fakes ----

// injCall is one system call the fake injector received.
type injCall struct {
	nr   uintptr
	args []uintptr
}

func (c injCall) String() string {
	names := map[uintptr]string{
		unix.SYS_MMAP: "mmap", unix.SYS_MUNMAP: "munmap", unix.SYS_MPROTECT: "mprotect",
		unix.SYS_MREMAP: "mremap", unix.SYS_MADVISE: "madvise",
	}
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = fmt.Sprintf("%#x", a)
	}
	return fmt.Sprintf("%s(%s)", names[c.nr], strings.Join(args, ", "))
}

func call(nr uintptr, args ...uintptr) injCall { return injCall{nr, args} }

// mapFileCall is one MapFile the fake injector received.
type mapFileCall struct {
	addr, length    uintptr
	prot, flags, fd int
	offset          int64
}

// fakeInjector records every call and answers as a well-behaved host would,
// unless errs or ret say otherwise.
type fakeInjector struct {
	calls    []injCall
	mapFiles []mapFileCall
	// errs makes calls with that number fail.
	errs map[uintptr]error
	// ret overrides the result of calls with that number.
	ret        map[uintptr]uintptr
	mapFileErr error
}

func (f *fakeInjector) Syscall(nr uintptr, args ...uintptr) (uintptr, error) {
	f.calls = append(f.calls, injCall{nr, append([]uintptr(nil), args...)})
	if err := f.errs[nr]; err != nil {
		return 0, err
	}
	if r, ok := f.ret[nr]; ok {
		return r, nil
	}
	switch nr {
	case unix.SYS_MMAP:
		return args[0], nil
	case unix.SYS_MREMAP:
		if len(args) >= 5 && args[3]&unix.MREMAP_FIXED != 0 {
			return args[4], nil
		}
		return args[0], nil
	}
	return 0, nil
}

func (f *fakeInjector) MapFile(addr, length uintptr, prot, flags int, fd int, offset int64) error {
	f.mapFiles = append(f.mapFiles, mapFileCall{addr, length, prot, flags, fd, offset})
	return f.mapFileErr
}

func (f *fakeInjector) reset() {
	f.calls, f.mapFiles = nil, nil
}

// fakeMemory is application memory made of whole pages; reads of pages
// that are not there fail after the readable prefix.
type fakeMemory struct {
	pages map[uintptr][]byte
}

func (f *fakeMemory) mapPage(addr uintptr) {
	if f.pages == nil {
		f.pages = map[uintptr][]byte{}
	}
	f.pages[pageDown(addr)] = make([]byte, PageSize)
}

// put writes b at addr, mapping the pages it needs.
func (f *fakeMemory) put(addr uintptr, b []byte) {
	for i := range b {
		a := addr + uintptr(i)
		if _, ok := f.pages[pageDown(a)]; !ok {
			f.mapPage(a)
		}
		f.pages[pageDown(a)][a%PageSize] = b[i]
	}
}

func (f *fakeMemory) ReadMemory(addr uintptr, dst []byte) (int, error) {
	n := 0
	for n < len(dst) {
		a := addr + uintptr(n)
		p, ok := f.pages[pageDown(a)]
		if !ok {
			return n, unix.EFAULT
		}
		n += copy(dst[n:], p[a%PageSize:])
	}
	return n, nil
}

func (f *fakeMemory) WriteMemory(addr uintptr, src []byte) (int, error) {
	n := 0
	for n < len(src) {
		a := addr + uintptr(n)
		p, ok := f.pages[pageDown(a)]
		if !ok {
			return n, unix.EFAULT
		}
		n += copy(p[a%PageSize:], src[n:])
	}
	return n, nil
}

// fakeFile is a Mappable.
type fakeFile struct {
	fd       int
	name     string
	readOnly bool
}

func (f *fakeFile) HostFD() int         { return f.fd }
func (f *fakeFile) MappingName() string { return f.name }
func (f *fakeFile) Writable() bool      { return !f.readOnly }

// ---- test address space ----

const (
	P = PageSize

	testLimit = uintptr(0x7f0000000000)
	testTop   = uintptr(0x7d0000000000) // mmapTop
	vvarStart = uintptr(0x7e0000000000)
	vvarEnd   = vvarStart + 4*P
	vdsoStart = vvarEnd
	vdsoEnd   = vdsoStart + 2*P
	brkStart  = uintptr(0x555500000000)

	protNone = unix.PROT_NONE
	protR    = unix.PROT_READ
	protRW   = unix.PROT_READ | unix.PROT_WRITE
	protRX   = unix.PROT_READ | unix.PROT_EXEC

	mapPrivAnon = unix.MAP_PRIVATE | unix.MAP_ANONYMOUS
	mapFixAnon  = unix.MAP_PRIVATE | unix.MAP_ANONYMOUS | unix.MAP_FIXED
)

// X is a convenient free address well inside the application's range.
const X = uintptr(0x10000000)

// pg is the address n pages above X.
func pg(n int) uintptr { return X + uintptr(n)*P }

func reservedVMAs() []VMA {
	return []VMA{
		{Start: vvarStart, End: vvarEnd, Prot: protR, Name: "[vvar]", Reserved: true},
		{Start: vdsoStart, End: vdsoEnd, Prot: protR, Name: "[vdso]", Reserved: true},
	}
}

func newTestMM(t *testing.T) (*MM, *fakeInjector, *fakeMemory) {
	t.Helper()
	mem := &fakeMemory{}
	m := New(mem, testLimit,
		[]Range{{vvarStart, vvarEnd}, {vdsoStart, vdsoEnd}}, []string{"[vvar]", "[vdso]"})
	m.SetMmapTop(testTop)
	m.SetBrk(brkStart)
	return m, &fakeInjector{}, mem
}

// mustMap maps anonymous memory at a fixed address.
func mustMap(t *testing.T, m *MM, inj *fakeInjector, addr, length uintptr, prot int) {
	t.Helper()
	got, err := m.MMap(inj, MMapOpts{Addr: addr, Length: length, Prot: prot, Flags: mapFixAnon})
	if err != nil || got != addr {
		t.Fatalf("setup mmap(%#x, %#x) = %#x, %v", addr, length, got, err)
	}
}

func anon(start, end uintptr, prot int) VMA {
	return VMA{Start: start, End: end, Prot: prot}
}

// withReserved is vs followed by the reserved mappings (vs must lie below
// them).
func withReserved(vs ...VMA) []VMA {
	return append(append([]VMA(nil), vs...), reservedVMAs()...)
}

func fmtVMAs(vs []VMA) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n\t[%#x, %#x) prot=%d shared=%v file=%v off=%#x name=%q res=%v dontfork=%v wipe=%v",
			v.Start, v.End, v.Prot, v.Shared, v.File != nil, v.Offset, v.Name, v.Reserved, v.DontFork, v.WipeOnFork)
	}
	if len(vs) == 0 {
		b.WriteString(" (none)")
	}
	return b.String()
}

// withoutShareIDs clears the IDs shared mappings get: they are unique per
// mapping, so tests compare everything else (TestSharedKey checks them).
func withoutShareIDs(vs []VMA) []VMA {
	out := append([]VMA(nil), vs...)
	for i := range out {
		out[i].ShareID = 0
	}
	return out
}

func checkVMAs(t *testing.T, got, want []VMA) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(withoutShareIDs(got), withoutShareIDs(want)) {
		t.Errorf("VMAs:%s\nwant:%s", fmtVMAs(got), fmtVMAs(want))
	}
}

func checkCalls(t *testing.T, got, want []injCall) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("injected calls: %v\nwant: %v", got, want)
	}
}

func checkErr(t *testing.T, got, want error) {
	t.Helper()
	if !errors.Is(got, want) || (got == nil) != (want == nil) {
		t.Errorf("error = %v, want %v", got, want)
	}
}

func limitOf(n uint64) func() uint64 { return func() uint64 { return n } }

// ---- vmaSet ----

func setOf(vs ...VMA) *vmaSet {
	s := &vmaSet{}
	for _, v := range vs {
		s.insert(v)
	}
	return s
}

func TestVMASetInsert(t *testing.T) {
	f1, f2 := &fakeFile{fd: 3}, &fakeFile{fd: 4}
	named := func(v VMA, name string) VMA { v.Name = name; return v }
	reserved := func(v VMA) VMA { v.Reserved = true; return v }
	shared := func(v VMA) VMA { v.Shared = true; return v }
	dontFork := func(v VMA) VMA { v.DontFork = true; return v }
	wipe := func(v VMA) VMA { v.WipeOnFork = true; return v }
	file := func(v VMA, f Mappable, off int64) VMA { v.File, v.Offset = f, off; return v }

	tests := []struct {
		name   string
		insert []VMA
		want   []VMA
	}{
		{
			name:   "merge with left neighbour",
			insert: []VMA{anon(pg(0), pg(2), protRW), anon(pg(2), pg(3), protRW)},
			want:   []VMA{anon(pg(0), pg(3), protRW)},
		},
		{
			name:   "merge with right neighbour",
			insert: []VMA{anon(pg(2), pg(3), protRW), anon(pg(0), pg(2), protRW)},
			want:   []VMA{anon(pg(0), pg(3), protRW)},
		},
		{
			name:   "filling a gap merges both sides",
			insert: []VMA{anon(pg(0), pg(1), protR), anon(pg(2), pg(3), protR), anon(pg(1), pg(2), protR)},
			want:   []VMA{anon(pg(0), pg(3), protR)},
		},
		{
			name:   "no merge across a gap",
			insert: []VMA{anon(pg(0), pg(1), protR), anon(pg(2), pg(3), protR)},
			want:   []VMA{anon(pg(0), pg(1), protR), anon(pg(2), pg(3), protR)},
		},
		{
			name:   "no merge across different prot",
			insert: []VMA{anon(pg(0), pg(1), protRW), anon(pg(1), pg(2), protR), anon(pg(2), pg(3), protRW)},
			want:   []VMA{anon(pg(0), pg(1), protRW), anon(pg(1), pg(2), protR), anon(pg(2), pg(3), protRW)},
		},
		{
			name:   "no merge across different name",
			insert: []VMA{named(anon(pg(0), pg(1), protRW), "[heap]"), anon(pg(1), pg(2), protRW)},
			want:   []VMA{named(anon(pg(0), pg(1), protRW), "[heap]"), anon(pg(1), pg(2), protRW)},
		},
		{
			name:   "same name merges",
			insert: []VMA{named(anon(pg(0), pg(1), protRW), "[heap]"), named(anon(pg(1), pg(2), protRW), "[heap]")},
			want:   []VMA{named(anon(pg(0), pg(2), protRW), "[heap]")},
		},
		{
			name:   "no merge with a reserved neighbour",
			insert: []VMA{reserved(anon(pg(0), pg(1), protR)), anon(pg(1), pg(2), protR)},
			want:   []VMA{reserved(anon(pg(0), pg(1), protR)), anon(pg(1), pg(2), protR)},
		},
		{
			name:   "no merge of two reserved",
			insert: []VMA{reserved(anon(pg(0), pg(1), protR)), reserved(anon(pg(1), pg(2), protR))},
			want:   []VMA{reserved(anon(pg(0), pg(1), protR)), reserved(anon(pg(1), pg(2), protR))},
		},
		{
			name:   "no merge of shared and private",
			insert: []VMA{shared(anon(pg(0), pg(1), protRW)), anon(pg(1), pg(2), protRW)},
			want:   []VMA{shared(anon(pg(0), pg(1), protRW)), anon(pg(1), pg(2), protRW)},
		},
		{
			name:   "no merge across DontFork",
			insert: []VMA{dontFork(anon(pg(0), pg(1), protRW)), anon(pg(1), pg(2), protRW)},
			want:   []VMA{dontFork(anon(pg(0), pg(1), protRW)), anon(pg(1), pg(2), protRW)},
		},
		{
			name:   "no merge across WipeOnFork",
			insert: []VMA{anon(pg(0), pg(1), protRW), wipe(anon(pg(1), pg(2), protRW))},
			want:   []VMA{anon(pg(0), pg(1), protRW), wipe(anon(pg(1), pg(2), protRW))},
		},
		{
			name:   "file with contiguous offsets merges",
			insert: []VMA{file(anon(pg(0), pg(2), protR), f1, 0x3000), file(anon(pg(2), pg(3), protR), f1, 0x5000)},
			want:   []VMA{file(anon(pg(0), pg(3), protR), f1, 0x3000)},
		},
		{
			name:   "file with discontiguous offsets does not merge",
			insert: []VMA{file(anon(pg(0), pg(2), protR), f1, 0), file(anon(pg(2), pg(3), protR), f1, 0x3000)},
			want:   []VMA{file(anon(pg(0), pg(2), protR), f1, 0), file(anon(pg(2), pg(3), protR), f1, 0x3000)},
		},
		{
			name:   "different files do not merge",
			insert: []VMA{file(anon(pg(0), pg(1), protR), f1, 0), file(anon(pg(1), pg(2), protR), f2, P)},
			want:   []VMA{file(anon(pg(0), pg(1), protR), f1, 0), file(anon(pg(1), pg(2), protR), f2, P)},
		},
		{
			name:   "file and anonymous do not merge",
			insert: []VMA{file(anon(pg(0), pg(1), protR), f1, 0), anon(pg(1), pg(2), protR)},
			want:   []VMA{file(anon(pg(0), pg(1), protR), f1, 0), anon(pg(1), pg(2), protR)},
		},
		{
			name:   "out of order inserts stay sorted",
			insert: []VMA{anon(pg(8), pg(9), protR), anon(pg(0), pg(1), protR), anon(pg(4), pg(5), protR)},
			want:   []VMA{anon(pg(0), pg(1), protR), anon(pg(4), pg(5), protR), anon(pg(8), pg(9), protR)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkVMAs(t, setOf(tt.insert...).v, tt.want)
		})
	}
}

func TestVMASetSplitIsolateRemove(t *testing.T) {
	f := &fakeFile{fd: 3}
	fileVMA := VMA{Start: pg(0), End: pg(4), Prot: protR, File: f, Offset: 0x10000}
	tests := []struct {
		name   string
		init   []VMA
		op     func(s *vmaSet) (int, int)
		wantLo int
		wantHi int
		want   []VMA
	}{
		{
			name: "split in the middle",
			init: []VMA{anon(pg(0), pg(4), protRW)},
			op:   func(s *vmaSet) (int, int) { s.split(pg(1)); return 0, 0 },
			want: []VMA{anon(pg(0), pg(1), protRW), anon(pg(1), pg(4), protRW)},
		},
		{
			name: "split of a file VMA moves the offset",
			init: []VMA{fileVMA},
			op:   func(s *vmaSet) (int, int) { s.split(pg(3)); return 0, 0 },
			want: []VMA{
				{Start: pg(0), End: pg(3), Prot: protR, File: f, Offset: 0x10000},
				{Start: pg(3), End: pg(4), Prot: protR, File: f, Offset: 0x10000 + 3*P},
			},
		},
		{
			name: "split at a boundary is a no-op",
			init: []VMA{anon(pg(0), pg(2), protRW), anon(pg(2), pg(4), protR)},
			op:   func(s *vmaSet) (int, int) { s.split(pg(2)); s.split(pg(0)); s.split(pg(4)); return 0, 0 },
			want: []VMA{anon(pg(0), pg(2), protRW), anon(pg(2), pg(4), protR)},
		},
		{
			name: "split in a hole is a no-op",
			init: []VMA{anon(pg(0), pg(1), protRW), anon(pg(3), pg(4), protRW)},
			op:   func(s *vmaSet) (int, int) { s.split(pg(2)); s.split(pg(9)); return 0, 0 },
			want: []VMA{anon(pg(0), pg(1), protRW), anon(pg(3), pg(4), protRW)},
		},
		{
			name:   "isolate in the middle of a VMA",
			init:   []VMA{anon(pg(0), pg(6), protRW)},
			op:     func(s *vmaSet) (int, int) { return s.isolate(pg(2), pg(4)) },
			wantLo: 1, wantHi: 2,
			want: []VMA{anon(pg(0), pg(2), protRW), anon(pg(2), pg(4), protRW), anon(pg(4), pg(6), protRW)},
		},
		{
			name:   "isolate across two VMAs",
			init:   []VMA{anon(pg(0), pg(3), protRW), anon(pg(3), pg(6), protR)},
			op:     func(s *vmaSet) (int, int) { return s.isolate(pg(1), pg(5)) },
			wantLo: 1, wantHi: 3,
			want: []VMA{
				anon(pg(0), pg(1), protRW), anon(pg(1), pg(3), protRW),
				anon(pg(3), pg(5), protR), anon(pg(5), pg(6), protR),
			},
		},
		{
			name:   "isolate across a hole",
			init:   []VMA{anon(pg(0), pg(2), protRW), anon(pg(4), pg(6), protRW)},
			op:     func(s *vmaSet) (int, int) { return s.isolate(pg(1), pg(5)) },
			wantLo: 1, wantHi: 3,
			want: []VMA{
				anon(pg(0), pg(1), protRW), anon(pg(1), pg(2), protRW),
				anon(pg(4), pg(5), protRW), anon(pg(5), pg(6), protRW),
			},
		},
		{
			name:   "isolate of an unmapped range",
			init:   []VMA{anon(pg(0), pg(2), protRW), anon(pg(6), pg(8), protRW)},
			op:     func(s *vmaSet) (int, int) { return s.isolate(pg(3), pg(5)) },
			wantLo: 1, wantHi: 1,
			want: []VMA{anon(pg(0), pg(2), protRW), anon(pg(6), pg(8), protRW)},
		},
		{
			name: "remove in the middle",
			init: []VMA{anon(pg(0), pg(6), protRW)},
			op:   func(s *vmaSet) (int, int) { s.remove(pg(2), pg(4)); return 0, 0 },
			want: []VMA{anon(pg(0), pg(2), protRW), anon(pg(4), pg(6), protRW)},
		},
		{
			name: "remove in the middle of a file VMA",
			init: []VMA{fileVMA},
			op:   func(s *vmaSet) (int, int) { s.remove(pg(1), pg(2)); return 0, 0 },
			want: []VMA{
				{Start: pg(0), End: pg(1), Prot: protR, File: f, Offset: 0x10000},
				{Start: pg(2), End: pg(4), Prot: protR, File: f, Offset: 0x10000 + 2*P},
			},
		},
		{
			name: "remove across VMAs and holes",
			init: []VMA{anon(pg(0), pg(2), protRW), anon(pg(3), pg(5), protR), anon(pg(6), pg(8), protRX)},
			op:   func(s *vmaSet) (int, int) { s.remove(pg(1), pg(7)); return 0, 0 },
			want: []VMA{anon(pg(0), pg(1), protRW), anon(pg(7), pg(8), protRX)},
		},
		{
			name: "remove everything",
			init: []VMA{anon(pg(0), pg(2), protRW), anon(pg(3), pg(5), protR)},
			op:   func(s *vmaSet) (int, int) { s.remove(0, ^uintptr(0)); return 0, 0 },
			want: nil,
		},
		{
			name: "remove of a hole",
			init: []VMA{anon(pg(0), pg(2), protRW), anon(pg(3), pg(5), protR)},
			op:   func(s *vmaSet) (int, int) { s.remove(pg(2), pg(3)); return 0, 0 },
			want: []VMA{anon(pg(0), pg(2), protRW), anon(pg(3), pg(5), protR)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setOf(tt.init...)
			lo, hi := tt.op(s)
			if lo != tt.wantLo || hi != tt.wantHi {
				t.Errorf("range = [%d, %d), want [%d, %d)", lo, hi, tt.wantLo, tt.wantHi)
			}
			checkVMAs(t, s.v, tt.want)
		})
	}
}

func TestVMASetQueries(t *testing.T) {
	s := setOf(
		anon(pg(0), pg(2), protRW), anon(pg(2), pg(4), protR), // adjacent, unmerged
		anon(pg(6), pg(8), protRW),
		VMA{Start: pg(10), End: pg(11), Prot: protR, Reserved: true},
	)
	if len(s.v) != 4 {
		t.Fatalf("setup: %s", fmtVMAs(s.v))
	}
	tests := []struct {
		start, end                     int
		covered, overlaps, overlapsRes bool
	}{
		{0, 4, true, true, false},   // across a VMA boundary
		{1, 3, true, true, false},   // inside two VMAs
		{0, 1, true, true, false},   // prefix
		{3, 4, true, true, false},   // suffix
		{0, 5, false, true, false},  // runs into a hole
		{3, 7, false, true, false},  // hole in the middle
		{4, 6, false, false, false}, // exactly the hole
		{5, 7, false, true, false},  // hole then VMA
		{6, 8, true, true, false},   // exactly a VMA
		{8, 10, false, false, false},
		{8, 11, false, true, true},
		{10, 11, true, true, true},
		{9, 12, false, true, true},
		{11, 20, false, false, false},
		{-4, 0, false, false, false}, // below everything
	}
	for _, tt := range tests {
		start, end := pg(tt.start), pg(tt.end)
		if got := s.covered(start, end); got != tt.covered {
			t.Errorf("covered(pg %d, pg %d) = %v, want %v", tt.start, tt.end, got, tt.covered)
		}
		if got := s.overlaps(start, end); got != tt.overlaps {
			t.Errorf("overlaps(pg %d, pg %d) = %v, want %v", tt.start, tt.end, got, tt.overlaps)
		}
		if got := s.overlapsReserved(start, end); got != tt.overlapsRes {
			t.Errorf("overlapsReserved(pg %d, pg %d) = %v, want %v", tt.start, tt.end, got, tt.overlapsRes)
		}
	}
	for _, tt := range []struct {
		addr  uintptr
		start uintptr
		ok    bool
	}{
		{pg(0), pg(0), true}, {pg(2) - 1, pg(0), true}, {pg(2), pg(2), true},
		{pg(4), 0, false}, {pg(7) + 5, pg(6), true}, {pg(8), 0, false}, {pg(0) - 1, 0, false},
	} {
		v, ok := s.lookup(tt.addr)
		if ok != tt.ok || (ok && v.Start != tt.start) {
			t.Errorf("lookup(%#x) = %+v, %v; want start %#x, %v", tt.addr, v, ok, tt.start, tt.ok)
		}
	}
	if got, want := s.mappedIn(pg(1), pg(11)), uintptr(5*P); got != want {
		t.Errorf("mappedIn = %#x, want %#x (reserved excluded)", got, want)
	}
}

type gapTest struct {
	name      string
	vmas      []VMA
	length    uintptr
	low, high uintptr
	want      uintptr
	ok        bool
}

func runGapTests(t *testing.T, tests []gapTest, gap func(s *vmaSet, length, low, high uintptr) (uintptr, bool)) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setOf(tt.vmas...)
			got, ok := gap(s, tt.length, tt.low, tt.high)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("got %#x, %v; want %#x, %v", got, ok, tt.want, tt.ok)
			}
			if ok {
				if got < tt.low || got+tt.length > tt.high || s.overlaps(got, got+tt.length) {
					t.Errorf("gap [%#x, %#x) is not free within [%#x, %#x)", got, got+tt.length, tt.low, tt.high)
				}
			}
		})
	}
}

func TestGapTopDown(t *testing.T) {
	gaps := []VMA{anon(pg(0), pg(2), protR), anon(pg(3), pg(5), protRW), anon(pg(7), pg(10), protR)}
	runGapTests(t, []gapTest{
		{name: "empty set", length: 2 * P, low: pg(0), high: pg(10), want: pg(8), ok: true},
		{name: "empty set exact fit", length: 10 * P, low: pg(0), high: pg(10), want: pg(0), ok: true},
		{name: "empty set no room", length: 11 * P, low: pg(0), high: pg(10)},
		{name: "high below low", length: P, low: pg(5), high: pg(4)},
		{name: "VMA at the top", vmas: []VMA{anon(pg(8), pg(10), protR)}, length: 2 * P, low: pg(0), high: pg(10), want: pg(6), ok: true},
		{name: "highest gap that fits", vmas: gaps, length: 2 * P, low: pg(0), high: pg(10), want: pg(5), ok: true},
		{name: "small gap", vmas: gaps, length: P, low: pg(0), high: pg(10), want: pg(6), ok: true},
		{name: "no gap large enough", vmas: gaps, length: 3 * P, low: pg(0), high: pg(10)},
		{name: "gap above all VMAs", vmas: gaps, length: 3 * P, low: pg(0), high: pg(13), want: pg(10), ok: true},
		{name: "VMA straddling high", vmas: []VMA{anon(pg(8), pg(12), protR)}, length: 2 * P, low: pg(0), high: pg(10), want: pg(6), ok: true},
		{name: "VMA straddling high, no room", vmas: []VMA{anon(pg(1), pg(12), protR)}, length: 2 * P, low: pg(0), high: pg(10)},
		{name: "VMA straddling low", vmas: []VMA{anon(pg(0), pg(3), protR), anon(pg(5), pg(9), protR)}, length: 2 * P, low: pg(1), high: pg(9), want: pg(3), ok: true},
		{name: "VMA straddling low, no room", vmas: []VMA{anon(pg(0), pg(3), protR), anon(pg(5), pg(9), protR)}, length: 3 * P, low: pg(1), high: pg(9)},
		{name: "VMA covering the bounds", vmas: []VMA{anon(pg(0), pg(12), protR)}, length: P, low: pg(1), high: pg(10)},
		{name: "VMAs outside the bounds", vmas: []VMA{anon(pg(0), pg(1), protR), anon(pg(12), pg(14), protR)}, length: 8 * P, low: pg(2), high: pg(10), want: pg(2), ok: true},
		{name: "gap exactly at low", vmas: []VMA{anon(pg(2), pg(10), protR)}, length: 2 * P, low: pg(0), high: pg(10), want: pg(0), ok: true},
	}, (*vmaSet).gapTopDown)
}

func TestGapBottomUp(t *testing.T) {
	gaps := []VMA{anon(pg(0), pg(2), protR), anon(pg(3), pg(5), protRW), anon(pg(7), pg(10), protR)}
	runGapTests(t, []gapTest{
		{name: "empty set", length: 2 * P, low: pg(0), high: pg(10), want: pg(0), ok: true},
		{name: "empty set exact fit", length: 10 * P, low: pg(0), high: pg(10), want: pg(0), ok: true},
		{name: "empty set no room", length: 11 * P, low: pg(0), high: pg(10)},
		{name: "high below low", length: P, low: pg(5), high: pg(4)},
		{name: "VMA at the bottom", vmas: []VMA{anon(pg(0), pg(2), protR)}, length: 2 * P, low: pg(0), high: pg(10), want: pg(2), ok: true},
		{name: "lowest gap that fits", vmas: gaps, length: 2 * P, low: pg(0), high: pg(10), want: pg(5), ok: true},
		{name: "small gap", vmas: gaps, length: P, low: pg(0), high: pg(10), want: pg(2), ok: true},
		{name: "no gap large enough", vmas: gaps, length: 3 * P, low: pg(0), high: pg(10)},
		{name: "gap above all VMAs", vmas: gaps, length: 3 * P, low: pg(0), high: pg(13), want: pg(10), ok: true},
		{name: "VMA straddling low", vmas: []VMA{anon(pg(0), pg(3), protR)}, length: 2 * P, low: pg(1), high: pg(10), want: pg(3), ok: true},
		{name: "VMA straddling high", vmas: []VMA{anon(pg(0), pg(7), protR), anon(pg(8), pg(12), protR)}, length: P, low: pg(0), high: pg(10), want: pg(7), ok: true},
		{name: "VMA straddling high, no room", vmas: []VMA{anon(pg(0), pg(7), protR), anon(pg(8), pg(12), protR)}, length: 2 * P, low: pg(0), high: pg(10)},
		{name: "VMA ending at high", vmas: []VMA{anon(pg(0), pg(2), protR), anon(pg(6), pg(10), protR)}, length: 4 * P, low: pg(0), high: pg(10), want: pg(2), ok: true},
		{name: "VMA ending at high, no room", vmas: []VMA{anon(pg(0), pg(2), protR), anon(pg(6), pg(10), protR)}, length: 5 * P, low: pg(0), high: pg(10)},
		{name: "VMA covering the bounds", vmas: []VMA{anon(pg(0), pg(12), protR)}, length: P, low: pg(1), high: pg(10)},
		{name: "VMAs outside the bounds", vmas: []VMA{anon(pg(0), pg(1), protR), anon(pg(12), pg(14), protR)}, length: 8 * P, low: pg(2), high: pg(10), want: pg(2), ok: true},
	}, (*vmaSet).gapBottomUp)
}

// ---- MMap ----

func TestMMapErrors(t *testing.T) {
	f := &fakeFile{fd: 7}
	tests := []struct {
		name  string
		setup func(t *testing.T, m *MM, inj *fakeInjector)
		o     MMapOpts
		want  error
	}{
		{name: "zero length", o: MMapOpts{Length: 0, Prot: protRW, Flags: mapPrivAnon}, want: unix.EINVAL},
		{name: "zero length fixed", o: MMapOpts{Addr: X, Length: 0, Prot: protRW, Flags: mapFixAnon}, want: unix.EINVAL},
		{name: "neither private nor shared", o: MMapOpts{Length: P, Prot: protRW, Flags: unix.MAP_ANONYMOUS}, want: unix.EINVAL},
		{name: "neither private nor shared, fixed", o: MMapOpts{Addr: X, Length: P, Prot: protRW, Flags: unix.MAP_ANONYMOUS | unix.MAP_FIXED}, want: unix.EINVAL},
		{name: "length overflows when rounded", o: MMapOpts{Length: ^uintptr(0) - 5, Prot: protRW, Flags: mapPrivAnon}, want: unix.ENOMEM},
		{name: "length beyond the address space", o: MMapOpts{Length: testLimit, Prot: protRW, Flags: mapPrivAnon}, want: unix.ENOMEM},
		{
			name: "MAP_SHARED_VALIDATE with an unknown flag",
			o:    MMapOpts{Length: P, Prot: protR, Flags: unix.MAP_SHARED_VALIDATE | 0x400, File: f},
			want: unix.EOPNOTSUPP,
		},
		{
			name: "MAP_SHARED_VALIDATE with MAP_SYNC",
			o:    MMapOpts{Length: P, Prot: protR, Flags: unix.MAP_SHARED_VALIDATE | unix.MAP_SYNC, File: f},
			want: unix.EOPNOTSUPP,
		},
		{name: "unaligned MAP_FIXED", o: MMapOpts{Addr: X + 1, Length: P, Prot: protRW, Flags: mapFixAnon}, want: unix.EINVAL},
		{
			name: "unaligned MAP_FIXED_NOREPLACE",
			o:    MMapOpts{Addr: X + 0x800, Length: P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_FIXED_NOREPLACE},
			want: unix.EINVAL,
		},
		{name: "MAP_FIXED at 0", o: MMapOpts{Addr: 0, Length: P, Prot: protRW, Flags: mapFixAnon}, want: unix.EPERM},
		{name: "MAP_FIXED below MinAddr", o: MMapOpts{Addr: MinAddr - P, Length: P, Prot: protRW, Flags: mapFixAnon}, want: unix.EPERM},
		{name: "MAP_FIXED at the limit", o: MMapOpts{Addr: testLimit, Length: P, Prot: protRW, Flags: mapFixAnon}, want: unix.ENOMEM},
		{name: "MAP_FIXED across the limit", o: MMapOpts{Addr: testLimit - P, Length: 2 * P, Prot: protRW, Flags: mapFixAnon}, want: unix.ENOMEM},
		{name: "MAP_FIXED beyond the limit", o: MMapOpts{Addr: testLimit + 16*P, Length: P, Prot: protRW, Flags: mapFixAnon}, want: unix.ENOMEM},
		{name: "MAP_FIXED over a reserved range", o: MMapOpts{Addr: vdsoStart, Length: P, Prot: protRW, Flags: mapFixAnon}, want: unix.ENOMEM},
		{name: "MAP_FIXED partly over a reserved range", o: MMapOpts{Addr: vvarStart - P, Length: 2 * P, Prot: protRW, Flags: mapFixAnon}, want: unix.ENOMEM},
		{
			name:  "MAP_FIXED_NOREPLACE over a mapping",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(0), 4*P, protRW) },
			o:     MMapOpts{Addr: pg(1), Length: P, Prot: protR, Flags: mapPrivAnon | unix.MAP_FIXED_NOREPLACE},
			want:  unix.EEXIST,
		},
		{
			name:  "MAP_FIXED_NOREPLACE partly over a mapping",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(2), P, protRW) },
			o:     MMapOpts{Addr: pg(0), Length: 3 * P, Prot: protR, Flags: mapPrivAnon | unix.MAP_FIXED_NOREPLACE},
			want:  unix.EEXIST,
		},
		{
			name:  "RLIMIT_AS",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { m.SetLimits(limitOf(uint64(4*P)), nil) },
			o:     MMapOpts{Length: 5 * P, Prot: protRW, Flags: mapPrivAnon},
			want:  unix.ENOMEM,
		},
		{
			name: "RLIMIT_AS counts existing mappings",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, pg(0), 3*P, protRW)
				m.SetLimits(limitOf(uint64(4*P)), nil)
			},
			o:    MMapOpts{Addr: pg(8), Length: 2 * P, Prot: protRW, Flags: mapFixAnon},
			want: unix.ENOMEM,
		},
		{
			name: "MAP_32BIT with no room in the second gigabyte",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, 0x40000000, 0x40000000-P, protNone)
			},
			o:    MMapOpts{Length: 2 * P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_32BIT},
			want: unix.ENOMEM,
		},
		{
			name: "no room anywhere",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, MinAddr, vvarStart-MinAddr-16*P, protNone)
				mustMap(t, m, inj, vdsoEnd, testLimit-vdsoEnd, protNone)
			},
			o:    MMapOpts{Length: 0x10000 * P, Prot: protRW, Flags: mapPrivAnon},
			want: unix.ENOMEM,
		},
		{
			name:  "injector failure",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { inj.errs = map[uintptr]error{unix.SYS_MMAP: unix.ENOMEM} },
			o:     MMapOpts{Length: P, Prot: protRW, Flags: mapPrivAnon},
			want:  unix.ENOMEM,
		},
		{
			name:  "MapFile failure",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { inj.mapFileErr = unix.EACCES },
			o:     MMapOpts{Length: P, Prot: protRW, Flags: unix.MAP_SHARED, File: f},
			want:  unix.EACCES,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inj, _ := newTestMM(t)
			if tt.setup != nil {
				tt.setup(t, m, inj)
			}
			before := m.VMAs()
			inj.calls, inj.mapFiles = nil, nil
			got, err := m.MMap(inj, tt.o)
			checkErr(t, err, tt.want)
			if got != 0 {
				t.Errorf("address = %#x on error", got)
			}
			checkVMAs(t, m.VMAs(), before)
			// Only the injector-failure cases may have reached the host.
			if tt.name != "injector failure" && tt.name != "MapFile failure" && (len(inj.calls) != 0 || len(inj.mapFiles) != 0) {
				t.Errorf("injected %v %v on error", inj.calls, inj.mapFiles)
			}
		})
	}
}

func TestMMapPlacement(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, m *MM, inj *fakeInjector)
		o      MMapOpts
		want   uintptr
		wantVM []VMA // nil: just the new anonymous mapping
	}{
		{name: "hint honoured when free", o: MMapOpts{Addr: X, Length: 2 * P, Prot: protRW, Flags: mapPrivAnon}, want: X},
		{name: "unaligned hint rounded down", o: MMapOpts{Addr: X + 0x123, Length: P, Prot: protRW, Flags: mapPrivAnon}, want: X},
		{name: "hint below MinAddr raised", o: MMapOpts{Addr: P, Length: P, Prot: protRW, Flags: mapPrivAnon}, want: MinAddr},
		{
			name:   "hint taken: top-down",
			setup:  func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(1), P, protR) },
			o:      MMapOpts{Addr: pg(0), Length: 2 * P, Prot: protRW, Flags: mapPrivAnon},
			want:   testTop - 2*P,
			wantVM: withReserved(anon(pg(1), pg(2), protR), anon(testTop-2*P, testTop, protRW)),
		},
		{name: "hint beyond the limit ignored", o: MMapOpts{Addr: testLimit, Length: P, Prot: protRW, Flags: mapPrivAnon}, want: testTop - P},
		{name: "hint over a reserved range ignored", o: MMapOpts{Addr: vvarStart, Length: P, Prot: protRW, Flags: mapPrivAnon}, want: testTop - P},
		{name: "no hint: just below mmapTop", o: MMapOpts{Length: 3 * P, Prot: protRW, Flags: mapPrivAnon}, want: testTop - 3*P},
		{name: "unaligned length rounded up", o: MMapOpts{Length: P + 1, Prot: protRW, Flags: mapPrivAnon}, want: testTop - 2*P},
		{
			name:   "top-down skips mappings below mmapTop",
			setup:  func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, testTop-P, P, protR) },
			o:      MMapOpts{Length: 2 * P, Prot: protRW, Flags: mapPrivAnon},
			want:   testTop - 3*P,
			wantVM: withReserved(anon(testTop-3*P, testTop-P, protRW), anon(testTop-P, testTop, protR)),
		},
		{
			name:   "top-down fills a gap that fits",
			setup:  func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, testTop-8*P, 6*P, protR) },
			o:      MMapOpts{Length: 2 * P, Prot: protR, Flags: mapPrivAnon},
			want:   testTop - 2*P, // merges with the mapping below
			wantVM: withReserved(anon(testTop-8*P, testTop, protR)),
		},
		{
			name: "bottom-up when nothing fits below mmapTop",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				m.SetMmapTop(MinAddr + 2*P)
				mustMap(t, m, inj, MinAddr, P, protR)
			},
			o:      MMapOpts{Length: 2 * P, Prot: protRW, Flags: mapPrivAnon},
			want:   MinAddr + P,
			wantVM: withReserved(anon(MinAddr, MinAddr+P, protR), anon(MinAddr+P, MinAddr+3*P, protRW)),
		},
		{name: "MAP_32BIT in the second gigabyte", o: MMapOpts{Length: 2 * P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_32BIT}, want: 0x40000000},
		{
			name:   "MAP_32BIT skips mappings",
			setup:  func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, 0x40000000, 3*P, protR) },
			o:      MMapOpts{Length: P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_32BIT},
			want:   0x40000000 + 3*P,
			wantVM: withReserved(anon(0x40000000, 0x40000000+3*P, protR), anon(0x40000000+3*P, 0x40000000+4*P, protRW)),
		},
		{
			name: "MAP_32BIT at the top of the second gigabyte",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, 0x40000000, 0x40000000-2*P, protR)
			},
			o:      MMapOpts{Length: 2 * P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_32BIT},
			want:   0x80000000 - 2*P,
			wantVM: withReserved(anon(0x40000000, 0x80000000-2*P, protR), anon(0x80000000-2*P, 0x80000000, protRW)),
		},
		{name: "MAP_32BIT honours a free low hint", o: MMapOpts{Addr: 0x20000000, Length: P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_32BIT}, want: 0x20000000},
		{name: "MAP_32BIT ignores a hint above 2 GiB", o: MMapOpts{Addr: 0x100000000, Length: P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_32BIT}, want: 0x40000000},
		{name: "MAP_32BIT ignores a hint crossing 2 GiB", o: MMapOpts{Addr: 0x80000000 - P, Length: 2 * P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_32BIT}, want: 0x40000000},
		{name: "MAP_FIXED_NOREPLACE when free", o: MMapOpts{Addr: X, Length: P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_FIXED_NOREPLACE}, want: X},
		{name: "MAP_FIXED at MinAddr", o: MMapOpts{Addr: MinAddr, Length: P, Prot: protRW, Flags: mapFixAnon}, want: MinAddr},
		{name: "MAP_FIXED up to the limit", o: MMapOpts{Addr: testLimit - P, Length: P, Prot: protRW, Flags: mapFixAnon}, want: testLimit - P},
		{
			name:   "MAP_FIXED replaces part of a mapping",
			setup:  func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(0), 4*P, protRW) },
			o:      MMapOpts{Addr: pg(1), Length: 2 * P, Prot: protR, Flags: mapFixAnon},
			want:   pg(1),
			wantVM: withReserved(anon(pg(0), pg(1), protRW), anon(pg(1), pg(3), protR), anon(pg(3), pg(4), protRW)),
		},
		{
			name:   "MAP_FIXED with the same prot re-merges",
			setup:  func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(0), 4*P, protRW) },
			o:      MMapOpts{Addr: pg(1), Length: 2 * P, Prot: protRW, Flags: mapFixAnon},
			want:   pg(1),
			wantVM: withReserved(anon(pg(0), pg(4), protRW)),
		},
		{
			name: "RLIMIT_AS not exceeded by MAP_FIXED over an existing mapping",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, pg(0), 4*P, protRW)
				m.SetLimits(limitOf(uint64(4*P)), limitOf(0))
			},
			o:      MMapOpts{Addr: pg(2), Length: 2 * P, Prot: protR, Flags: mapFixAnon},
			want:   pg(2),
			wantVM: withReserved(anon(pg(0), pg(2), protRW), anon(pg(2), pg(4), protR)),
		},
		{
			name:  "RLIMIT_AS exactly reached",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { m.SetLimits(limitOf(uint64(4*P)), nil) },
			o:     MMapOpts{Addr: X, Length: 4 * P, Prot: protRW, Flags: mapPrivAnon},
			want:  X,
		},
		{
			name:  "RLIM_INFINITY",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { m.SetLimits(limitOf(unix.RLIM_INFINITY), nil) },
			o:     MMapOpts{Addr: X, Length: 4 * P, Prot: protRW, Flags: mapPrivAnon},
			want:  X,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inj, _ := newTestMM(t)
			if tt.setup != nil {
				tt.setup(t, m, inj)
			}
			got, err := m.MMap(inj, tt.o)
			if err != nil || got != tt.want {
				t.Fatalf("MMap = %#x, %v; want %#x", got, err, tt.want)
			}
			length, _ := pageUp(tt.o.Length)
			want := tt.wantVM
			if want == nil {
				// Just the new mapping, in address order with the reserved ones.
				want = withReserved(anon(got, got+length, tt.o.Prot))
				if got > vdsoStart {
					want = append(reservedVMAs(), anon(got, got+length, tt.o.Prot))
				}
			}
			checkVMAs(t, m.VMAs(), want)
		})
	}
}

func TestMMapInjectedCall(t *testing.T) {
	f := &fakeFile{fd: 9, name: "/lib/x.so"}
	const noFD = ^uintptr(0)
	tests := []struct {
		name     string
		o        MMapOpts
		wantCall []injCall
		wantFile []mapFileCall
		wantVMA  VMA
	}{
		{
			name:     "private anonymous",
			o:        MMapOpts{Length: 2 * P, Prot: protRW, Flags: mapPrivAnon},
			wantCall: []injCall{call(unix.SYS_MMAP, testTop-2*P, 2*P, protRW, unix.MAP_PRIVATE|unix.MAP_FIXED|unix.MAP_ANONYMOUS, noFD, 0)},
			wantVMA:  anon(testTop-2*P, testTop, protRW),
		},
		{
			name: "anonymous without MAP_ANONYMOUS but no file",
			o:    MMapOpts{Addr: X, Length: P, Prot: protR, Flags: unix.MAP_PRIVATE},
			// The Sentry decides anonymity by the missing file.
			wantCall: []injCall{call(unix.SYS_MMAP, X, P, protR, unix.MAP_PRIVATE|unix.MAP_FIXED|unix.MAP_ANONYMOUS, noFD, 0)},
			wantVMA:  anon(X, X+P, protR),
		},
		{
			name: "shared anonymous with host flags",
			o: MMapOpts{Addr: X, Length: P + 7, Prot: protRW,
				Flags: unix.MAP_SHARED | unix.MAP_ANONYMOUS | unix.MAP_POPULATE | unix.MAP_NORESERVE | unix.MAP_STACK | unix.MAP_GROWSDOWN},
			wantCall: []injCall{call(unix.SYS_MMAP, X, 2*P, protRW,
				unix.MAP_SHARED|unix.MAP_FIXED|unix.MAP_ANONYMOUS|unix.MAP_POPULATE|unix.MAP_NORESERVE, noFD, 0)},
			wantVMA: VMA{Start: X, End: X + 2*P, Prot: protRW, Shared: true},
		},
		{
			name:     "MAP_FIXED_NOREPLACE becomes MAP_FIXED",
			o:        MMapOpts{Addr: X, Length: P, Prot: protR, Flags: mapPrivAnon | unix.MAP_FIXED_NOREPLACE},
			wantCall: []injCall{call(unix.SYS_MMAP, X, P, protR, unix.MAP_PRIVATE|unix.MAP_FIXED|unix.MAP_ANONYMOUS, noFD, 0)},
			wantVMA:  anon(X, X+P, protR),
		},
		{
			name:     "MAP_32BIT not passed on",
			o:        MMapOpts{Length: P, Prot: protRX, Flags: mapPrivAnon | unix.MAP_32BIT},
			wantCall: []injCall{call(unix.SYS_MMAP, 0x40000000, P, protRX, unix.MAP_PRIVATE|unix.MAP_FIXED|unix.MAP_ANONYMOUS, noFD, 0)},
			wantVMA:  anon(0x40000000, 0x40000000+P, protRX),
		},
		{
			name:     "anonymous MAP_SHARED",
			o:        MMapOpts{Addr: X, Length: P, Prot: protR, Flags: unix.MAP_SHARED | unix.MAP_ANONYMOUS | unix.MAP_POPULATE},
			wantCall: []injCall{call(unix.SYS_MMAP, X, P, protR, unix.MAP_SHARED|unix.MAP_FIXED|unix.MAP_ANONYMOUS|unix.MAP_POPULATE, noFD, 0)},
			wantVMA:  VMA{Start: X, End: X + P, Prot: protR, Shared: true},
		},
		{
			name:     "unknown prot bits dropped",
			o:        MMapOpts{Addr: X, Length: P, Prot: protRW | protSem | unix.PROT_GROWSDOWN, Flags: mapPrivAnon},
			wantCall: []injCall{call(unix.SYS_MMAP, X, P, protRW, unix.MAP_PRIVATE|unix.MAP_FIXED|unix.MAP_ANONYMOUS, noFD, 0)},
			wantVMA:  anon(X, X+P, protRW),
		},
		{
			name:     "named mapping",
			o:        MMapOpts{Addr: X, Length: P, Prot: protRW, Flags: mapFixAnon, Name: "[stack]"},
			wantCall: []injCall{call(unix.SYS_MMAP, X, P, protRW, unix.MAP_PRIVATE|unix.MAP_FIXED|unix.MAP_ANONYMOUS, noFD, 0)},
			wantVMA:  VMA{Start: X, End: X + P, Prot: protRW, Name: "[stack]"},
		},
		{
			name:     "private file mapping",
			o:        MMapOpts{Addr: X, Length: 3 * P, Prot: protRX, Flags: unix.MAP_PRIVATE | unix.MAP_DENYWRITE, File: f, Offset: 2 * P},
			wantFile: []mapFileCall{{X, 3 * P, protRX, unix.MAP_PRIVATE | unix.MAP_FIXED, 9, 2 * P}},
			wantVMA:  VMA{Start: X, End: X + 3*P, Prot: protRX, File: f, Offset: 2 * P},
		},
		{
			name:     "shared file mapping, top-down",
			o:        MMapOpts{Length: P, Prot: protRW, Flags: unix.MAP_SHARED, File: f},
			wantFile: []mapFileCall{{testTop - P, P, protRW, unix.MAP_SHARED | unix.MAP_FIXED, 9, 0}},
			wantVMA:  VMA{Start: testTop - P, End: testTop, Prot: protRW, Shared: true, File: f},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inj, _ := newTestMM(t)
			got, err := m.MMap(inj, tt.o)
			if err != nil || got != tt.wantVMA.Start {
				t.Fatalf("MMap = %#x, %v; want %#x", got, err, tt.wantVMA.Start)
			}
			checkCalls(t, inj.calls, tt.wantCall)
			if !reflect.DeepEqual(inj.mapFiles, tt.wantFile) {
				t.Errorf("MapFile calls %+v, want %+v", inj.mapFiles, tt.wantFile)
			}
			if v, ok := m.Mapped(got); !ok || !reflect.DeepEqual(withoutShareIDs([]VMA{v}), []VMA{tt.wantVMA}) {
				t.Errorf("VMA:%s\nwant:%s", fmtVMAs([]VMA{v}), fmtVMAs([]VMA{tt.wantVMA}))
			}
		})
	}
}

// Every injected mmap is MAP_FIXED at the address MMap returns.
func TestMMapAlwaysFixed(t *testing.T) {
	m, inj, _ := newTestMM(t)
	for i := 0; i < 20; i++ {
		flags := mapPrivAnon
		if i%3 == 0 {
			flags |= unix.MAP_32BIT
		}
		inj.reset()
		addr, err := m.MMap(inj, MMapOpts{Addr: uintptr(i) * 0x123457, Length: uintptr(i+1) * 1000, Prot: protRW, Flags: flags})
		if err != nil {
			t.Fatal(err)
		}
		if len(inj.calls) != 1 || inj.calls[0].nr != unix.SYS_MMAP || inj.calls[0].args[0] != addr ||
			inj.calls[0].args[3]&(unix.MAP_FIXED|unix.MAP_ANONYMOUS) != unix.MAP_FIXED|unix.MAP_ANONYMOUS ||
			inj.calls[0].args[3]&unix.MAP_32BIT != 0 {
			t.Fatalf("mmap %d at %#x injected %v", i, addr, inj.calls)
		}
		// Hinted MAP_32BIT mappings may lie below 1 GiB, as on Linux.
		if flags&unix.MAP_32BIT != 0 && addr+inj.calls[0].args[1] > 0x80000000 {
			t.Errorf("MAP_32BIT mapping at %#x", addr)
		}
	}
	// No two mappings overlap, and each one is where it was injected.
	vs := m.VMAs()
	for i := 1; i < len(vs); i++ {
		if vs[i-1].End > vs[i].Start {
			t.Fatalf("overlap:%s", fmtVMAs(vs))
		}
	}
}

// ---- Munmap ----

func TestMunmap(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(t *testing.T, m *MM, inj *fakeInjector)
		addr, len uintptr
		wantErr   error
		wantCalls []injCall
		wantVMAs  []VMA
	}{
		{name: "unaligned address", addr: X + 1, len: P, wantErr: unix.EINVAL},
		{name: "zero length", addr: X, len: 0, wantErr: unix.EINVAL},
		{name: "length overflows", addr: X, len: ^uintptr(0), wantErr: unix.EINVAL},
		{name: "beyond the host's address space", addr: 1 << 47, len: P, wantErr: unix.EINVAL},
		{name: "range ends beyond the host's address space", addr: hostTaskSize - P, len: 2 * P, wantErr: unix.EINVAL},
		{name: "nothing mapped", addr: X, len: 16 * P, wantVMAs: reservedVMAs()},
		{
			name:      "middle of a VMA",
			setup:     func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(0), 6*P, protRW) },
			addr:      pg(2),
			len:       P + 1, // rounded up
			wantCalls: []injCall{call(unix.SYS_MUNMAP, pg(2), 2*P)},
			wantVMAs:  withReserved(anon(pg(0), pg(2), protRW), anon(pg(4), pg(6), protRW)),
		},
		{
			name: "across VMAs and holes",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, pg(0), 2*P, protRW)
				mustMap(t, m, inj, pg(3), 2*P, protR)
				mustMap(t, m, inj, pg(6), 2*P, protRX)
			},
			addr:      pg(1),
			len:       6 * P,
			wantCalls: []injCall{call(unix.SYS_MUNMAP, pg(1), 6*P)},
			wantVMAs:  withReserved(anon(pg(0), pg(1), protRW), anon(pg(7), pg(8), protRX)),
		},
		{
			name:      "clipped at the limit",
			setup:     func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, testLimit-2*P, 2*P, protRW) },
			addr:      testLimit - P,
			len:       1 << 40,
			wantCalls: []injCall{call(unix.SYS_MUNMAP, testLimit-P, P)},
			wantVMAs:  append(reservedVMAs(), anon(testLimit-2*P, testLimit-P, protRW)),
		},
		{name: "entirely beyond the limit", addr: testLimit, len: 16 * P, wantVMAs: reservedVMAs()},
		{name: "only reserved mappings", addr: vvarStart, len: vdsoEnd - vvarStart, wantVMAs: reservedVMAs()},
		{
			name:      "up to a reserved mapping",
			setup:     func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, vvarStart-2*P, 2*P, protRW) },
			addr:      vvarStart - P,
			len:       3 * P,
			wantCalls: []injCall{call(unix.SYS_MUNMAP, vvarStart-P, P)},
			wantVMAs:  withReserved(anon(vvarStart-2*P, vvarStart-P, protRW)),
		},
		{
			name: "around reserved mappings",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, vvarStart-2*P, 2*P, protRW)
				mustMap(t, m, inj, vdsoEnd, 2*P, protRW)
			},
			addr: vvarStart - P,
			len:  vdsoEnd - vvarStart + 2*P,
			wantCalls: []injCall{
				call(unix.SYS_MUNMAP, vvarStart-P, P),
				call(unix.SYS_MUNMAP, vdsoEnd, P),
			},
			wantVMAs: append(withReserved(anon(vvarStart-2*P, vvarStart-P, protRW)), anon(vdsoEnd+P, vdsoEnd+2*P, protRW)),
		},
		{
			name: "the whole address space",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, MinAddr, P, protRW)
				mustMap(t, m, inj, X, 8*P, protRX)
				mustMap(t, m, inj, testTop-4*P, 4*P, protRW)
				mustMap(t, m, inj, vvarStart-P, P, protR)
				mustMap(t, m, inj, vdsoEnd, P, protR)
				mustMap(t, m, inj, testLimit-P, P, protRW)
				if _, err := m.MMap(inj, MMapOpts{Length: P, Prot: protRW, Flags: mapPrivAnon | unix.MAP_32BIT}); err != nil {
					t.Fatal(err)
				}
			},
			addr: 0,
			len:  1<<47 - 4096,
			wantCalls: []injCall{
				call(unix.SYS_MUNMAP, 0, vvarStart),
				call(unix.SYS_MUNMAP, vdsoEnd, testLimit-vdsoEnd),
			},
			wantVMAs: reservedVMAs(),
		},
		{
			name:     "the whole address space, nothing to unmap",
			addr:     0,
			len:      1<<47 - 4096,
			wantVMAs: reservedVMAs(),
		},
		{
			name: "injector failure",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, X, P, protRW)
				inj.errs = map[uintptr]error{unix.SYS_MUNMAP: unix.EFAULT}
			},
			addr:      X,
			len:       P,
			wantErr:   unix.EFAULT,
			wantCalls: []injCall{call(unix.SYS_MUNMAP, X, P)},
			wantVMAs:  withReserved(anon(X, X+P, protRW)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inj, _ := newTestMM(t)
			if tt.setup != nil {
				tt.setup(t, m, inj)
			}
			before := m.VMAs()
			inj.reset()
			err := m.Munmap(inj, tt.addr, tt.len)
			checkErr(t, err, tt.wantErr)
			checkCalls(t, inj.calls, tt.wantCalls)
			want := tt.wantVMAs
			if tt.wantErr != nil && want == nil {
				want = before
			}
			checkVMAs(t, m.VMAs(), want)
			for _, c := range inj.calls {
				s, e := c.args[0], c.args[0]+c.args[1]
				if s < vdsoEnd && vvarStart < e {
					t.Errorf("%v covers a reserved range", c)
				}
				if e > testLimit {
					t.Errorf("%v goes beyond the limit", c)
				}
			}
		})
	}
}

// ---- Mprotect ----

func TestMprotect(t *testing.T) {
	ro := &fakeFile{fd: 5, readOnly: true}
	oneVMA := func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(0), 4*P, protRW) }
	tests := []struct {
		name      string
		setup     func(t *testing.T, m *MM, inj *fakeInjector)
		addr, len uintptr
		prot      int
		wantErr   error
		wantCalls []injCall
		wantVMAs  []VMA
	}{
		{name: "unknown prot bit", setup: oneVMA, addr: pg(0), len: P, prot: protR | 0x10, wantErr: unix.EINVAL},
		{name: "PROT_GROWSDOWN", setup: oneVMA, addr: pg(0), len: P, prot: protR | unix.PROT_GROWSDOWN, wantErr: unix.EINVAL},
		{name: "unaligned address", setup: oneVMA, addr: pg(0) + 8, len: P, prot: protR, wantErr: unix.EINVAL},
		{name: "length overflows", setup: oneVMA, addr: pg(0), len: ^uintptr(0), prot: protR, wantErr: unix.ENOMEM},
		{name: "unmapped", addr: X, len: P, prot: protR, wantErr: unix.ENOMEM},
		{name: "hole at the end", setup: oneVMA, addr: pg(2), len: 4 * P, prot: protR, wantErr: unix.ENOMEM},
		{
			name: "hole in the middle",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, pg(0), P, protRW)
				mustMap(t, m, inj, pg(2), P, protRW)
			},
			addr: pg(0), len: 3 * P, prot: protR, wantErr: unix.ENOMEM,
		},
		{name: "beyond the limit", addr: testLimit, len: P, prot: protR, wantErr: unix.ENOMEM},
		{
			name:  "across the limit",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, testLimit-P, P, protRW) },
			addr:  testLimit - P, len: 2 * P, prot: protR, wantErr: unix.ENOMEM,
		},
		{name: "reserved", addr: vdsoStart, len: P, prot: protRW, wantErr: unix.EACCES},
		{
			name: "PROT_WRITE on a shared read-only file",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				if _, err := m.MMap(inj, MMapOpts{Addr: X, Length: P, Prot: protR, Flags: unix.MAP_SHARED | unix.MAP_FIXED, File: ro}); err != nil {
					t.Fatal(err)
				}
			},
			addr: X, len: P, prot: protRW, wantErr: unix.EACCES,
		},
		{name: "zero length", addr: X, len: 0, prot: protR, wantVMAs: reservedVMAs()},
		{
			name:  "split in three",
			setup: oneVMA,
			addr:  pg(1), len: 2*P - 100, prot: protR,
			wantCalls: []injCall{call(unix.SYS_MPROTECT, pg(1), 2*P, protR)},
			wantVMAs:  withReserved(anon(pg(0), pg(1), protRW), anon(pg(1), pg(3), protR), anon(pg(3), pg(4), protRW)),
		},
		{
			name:  "prefix",
			setup: oneVMA,
			addr:  pg(0), len: P, prot: protNone,
			wantCalls: []injCall{call(unix.SYS_MPROTECT, pg(0), P, protNone)},
			wantVMAs:  withReserved(anon(pg(0), pg(1), protNone), anon(pg(1), pg(4), protRW)),
		},
		{
			name: "merge back when restored",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				oneVMA(t, m, inj)
				if err := m.Mprotect(inj, pg(1), 2*P, protR); err != nil || len(m.VMAs()) != 5 {
					t.Fatalf("setup: %v%s", err, fmtVMAs(m.VMAs()))
				}
			},
			addr: pg(1), len: 2 * P, prot: protRW,
			wantCalls: []injCall{call(unix.SYS_MPROTECT, pg(1), 2*P, protRW)},
			wantVMAs:  withReserved(anon(pg(0), pg(4), protRW)),
		},
		{
			name: "across VMAs, merging them",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, pg(0), 2*P, protR)
				mustMap(t, m, inj, pg(2), 2*P, protRW)
				mustMap(t, m, inj, pg(4), 2*P, protRX)
			},
			addr: pg(1), len: 4 * P, prot: protR,
			wantCalls: []injCall{call(unix.SYS_MPROTECT, pg(1), 4*P, protR)},
			wantVMAs:  withReserved(anon(pg(0), pg(5), protR), anon(pg(5), pg(6), protRX)),
		},
		{
			name:  "PROT_SEM accepted and dropped",
			setup: oneVMA,
			addr:  pg(0), len: 4 * P, prot: protR | protSem,
			wantCalls: []injCall{call(unix.SYS_MPROTECT, pg(0), 4*P, protR)},
			wantVMAs:  withReserved(anon(pg(0), pg(4), protR)),
		},
		{
			name: "injector failure",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				oneVMA(t, m, inj)
				inj.errs = map[uintptr]error{unix.SYS_MPROTECT: unix.EACCES}
			},
			addr: pg(1), len: P, prot: protRX, wantErr: unix.EACCES,
			wantCalls: []injCall{call(unix.SYS_MPROTECT, pg(1), P, protRX)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inj, _ := newTestMM(t)
			if tt.setup != nil {
				tt.setup(t, m, inj)
			}
			before := m.VMAs()
			inj.reset()
			err := m.Mprotect(inj, tt.addr, tt.len, tt.prot)
			checkErr(t, err, tt.wantErr)
			checkCalls(t, inj.calls, tt.wantCalls)
			want := tt.wantVMAs
			if tt.wantErr != nil {
				want = before
			}
			checkVMAs(t, m.VMAs(), want)
		})
	}
}

// ---- Mremap ----

func TestMremap(t *testing.T) {
	f := &fakeFile{fd: 6}
	base := func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(0), 4*P, protRW) }
	blocked := func(t *testing.T, m *MM, inj *fakeInjector) {
		base(t, m, inj)
		mustMap(t, m, inj, pg(4), P, protR)
	}
	const mayMove, fixed, dontUnmap = unix.MREMAP_MAYMOVE, unix.MREMAP_FIXED, unix.MREMAP_DONTUNMAP
	tests := []struct {
		name              string
		setup             func(t *testing.T, m *MM, inj *fakeInjector)
		old, oldLen, nLen uintptr
		flags             int
		newAddr           uintptr
		want              uintptr
		wantErr           error
		wantCalls         []injCall
		wantVMAs          []VMA
	}{
		{name: "unknown flag", setup: base, old: pg(0), oldLen: 4 * P, nLen: 8 * P, flags: mayMove | 0x10, wantErr: unix.EINVAL},
		{name: "unaligned old address", setup: base, old: pg(0) + 1, oldLen: P, nLen: 2 * P, flags: mayMove, wantErr: unix.EINVAL},
		{name: "zero new length", setup: base, old: pg(0), oldLen: 4 * P, nLen: 0, wantErr: unix.EINVAL},
		{name: "MREMAP_FIXED without MAYMOVE", setup: base, old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: fixed, newAddr: pg(100), wantErr: unix.EINVAL},
		{name: "DONTUNMAP without MAYMOVE", setup: base, old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: dontUnmap, wantErr: unix.EINVAL},
		{name: "DONTUNMAP changing size", setup: base, old: pg(0), oldLen: 4 * P, nLen: 8 * P, flags: mayMove | dontUnmap, wantErr: unix.EINVAL},
		{name: "old range unmapped", setup: base, old: pg(8), oldLen: P, nLen: 2 * P, flags: mayMove, wantErr: unix.EFAULT},
		{name: "old range unmapped, shrinking", old: X, oldLen: 2 * P, nLen: P, wantErr: unix.EFAULT},
		{name: "old range runs into a hole", setup: base, old: pg(2), oldLen: 4 * P, nLen: 8 * P, flags: mayMove, wantErr: unix.EFAULT},
		{
			name: "old range spans VMAs",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				base(t, m, inj)
				mustMap(t, m, inj, pg(4), 2*P, protR)
			},
			old: pg(0), oldLen: 6 * P, nLen: 8 * P, flags: mayMove, wantErr: unix.EFAULT,
		},
		{name: "reserved", old: vdsoStart, oldLen: P, nLen: 2 * P, flags: mayMove, wantErr: unix.EFAULT},
		{name: "unaligned new address", setup: base, old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed, newAddr: pg(100) + 1, wantErr: unix.EINVAL},
		{name: "new range overlaps old, above", setup: base, old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed, newAddr: pg(2), wantErr: unix.EINVAL},
		{name: "new range overlaps old, below", setup: base, old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed, newAddr: pg(-3), wantErr: unix.EINVAL},
		{name: "new range equals old", setup: base, old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed, newAddr: pg(0), wantErr: unix.EINVAL},
		{name: "new range over a reserved range", setup: base, old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed, newAddr: vdsoStart, wantErr: unix.EINVAL},
		{name: "new range beyond the limit", setup: base, old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed, newAddr: testLimit - P, wantErr: unix.EINVAL},
		{name: "grow blocked without MAYMOVE", setup: blocked, old: pg(0), oldLen: 4 * P, nLen: 6 * P, wantErr: unix.ENOMEM},
		{name: "grow of a VMA's prefix without MAYMOVE", setup: base, old: pg(0), oldLen: 2 * P, nLen: 3 * P, wantErr: unix.ENOMEM},
		{name: "grow beyond the limit", setup: func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, testLimit-P, P, protRW) },
			old: testLimit - P, oldLen: P, nLen: 2 * P, wantErr: unix.ENOMEM},
		{
			name: "grow in place over RLIMIT_AS",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				base(t, m, inj)
				m.SetLimits(limitOf(uint64(5*P)), nil)
			},
			old: pg(0), oldLen: 4 * P, nLen: 6 * P, wantErr: unix.ENOMEM,
		},
		{
			name: "move over RLIMIT_AS",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				blocked(t, m, inj)
				m.SetLimits(limitOf(uint64(6*P)), nil)
			},
			old: pg(0), oldLen: 4 * P, nLen: 6 * P, flags: mayMove, wantErr: unix.ENOMEM,
		},
		{
			name: "injector failure",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				base(t, m, inj)
				inj.errs = map[uintptr]error{unix.SYS_MREMAP: unix.ENOMEM}
			},
			old: pg(0), oldLen: 4 * P, nLen: 6 * P, wantErr: unix.ENOMEM,
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 6*P, 0)},
		},
		{
			name: "host moved elsewhere",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				blocked(t, m, inj)
				inj.ret = map[uintptr]uintptr{unix.SYS_MREMAP: pg(1000)}
			},
			old: pg(0), oldLen: 4 * P, nLen: 6 * P, flags: mayMove, wantErr: unix.EFAULT,
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 6*P, mayMove|fixed, testTop-6*P)},
		},
		{
			name: "shrink in place", setup: base,
			old: pg(0), oldLen: 4 * P, nLen: 2*P - 1, want: pg(0),
			wantCalls: []injCall{call(unix.SYS_MUNMAP, pg(2), 2*P)},
			wantVMAs:  withReserved(anon(pg(0), pg(2), protRW)),
		},
		{
			name: "shrink in the middle of a VMA", setup: base,
			old: pg(1), oldLen: 2 * P, nLen: P, flags: mayMove, want: pg(1),
			wantCalls: []injCall{call(unix.SYS_MUNMAP, pg(2), P)},
			wantVMAs:  withReserved(anon(pg(0), pg(2), protRW), anon(pg(3), pg(4), protRW)),
		},
		{
			name: "same size", setup: base,
			old: pg(0), oldLen: 4 * P, nLen: 4 * P, want: pg(0),
			wantVMAs: withReserved(anon(pg(0), pg(4), protRW)),
		},
		{
			name: "grow in place", setup: base,
			old: pg(0), oldLen: 4 * P, nLen: 6 * P, want: pg(0),
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 6*P, 0)},
			wantVMAs:  withReserved(anon(pg(0), pg(6), protRW)),
		},
		{
			name: "grow in place with MAYMOVE", setup: base,
			old: pg(2), oldLen: 2 * P, nLen: 3 * P, flags: mayMove, want: pg(2),
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(2), 2*P, 3*P, 0)},
			wantVMAs:  withReserved(anon(pg(0), pg(5), protRW)),
		},
		{
			name: "grow in place up to the next mapping", setup: blocked,
			old: pg(2), oldLen: 2 * P, nLen: 2 * P, want: pg(2),
			wantVMAs: withReserved(anon(pg(0), pg(4), protRW), anon(pg(4), pg(5), protR)),
		},
		{
			name: "grow of a file mapping keeps offsets",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				if _, err := m.MMap(inj, MMapOpts{Addr: X, Length: 2 * P, Prot: protR, Flags: unix.MAP_PRIVATE | unix.MAP_FIXED, File: f, Offset: 4 * P}); err != nil {
					t.Fatal(err)
				}
			},
			old: X, oldLen: 2 * P, nLen: 5 * P, want: X,
			wantCalls: []injCall{call(unix.SYS_MREMAP, X, 2*P, 5*P, 0)},
			wantVMAs:  withReserved(VMA{Start: X, End: X + 5*P, Prot: protR, File: f, Offset: 4 * P}),
		},
		{
			name: "move when blocked", setup: blocked,
			old: pg(0), oldLen: 4 * P, nLen: 6 * P, flags: mayMove, want: testTop - 6*P,
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 6*P, mayMove|fixed, testTop-6*P)},
			wantVMAs:  withReserved(anon(pg(4), pg(5), protR), anon(testTop-6*P, testTop, protRW)),
		},
		{
			name: "move a VMA's middle", setup: base,
			old: pg(1), oldLen: 2 * P, nLen: 3 * P, flags: mayMove, want: testTop - 3*P,
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(1), 2*P, 3*P, mayMove|fixed, testTop-3*P)},
			wantVMAs:  withReserved(anon(pg(0), pg(1), protRW), anon(pg(3), pg(4), protRW), anon(testTop-3*P, testTop, protRW)),
		},
		{
			name: "move of a file mapping's tail keeps its offset",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				if _, err := m.MMap(inj, MMapOpts{Addr: X, Length: 4 * P, Prot: protR, Flags: unix.MAP_SHARED | unix.MAP_FIXED, File: f, Offset: 8 * P}); err != nil {
					t.Fatal(err)
				}
				mustMap(t, m, inj, X+4*P, P, protR)
			},
			old: X + 2*P, oldLen: 2 * P, nLen: 3 * P, flags: mayMove, want: testTop - 3*P,
			wantCalls: []injCall{call(unix.SYS_MREMAP, X+2*P, 2*P, 3*P, mayMove|fixed, testTop-3*P)},
			wantVMAs: withReserved(
				VMA{Start: X, End: X + 2*P, Prot: protR, Shared: true, File: f, Offset: 8 * P},
				anon(X+4*P, X+5*P, protR),
				VMA{Start: testTop - 3*P, End: testTop, Prot: protR, Shared: true, File: f, Offset: 10 * P},
			),
		},
		{
			name: "MREMAP_FIXED", setup: base,
			old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed, newAddr: pg(100), want: pg(100),
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 4*P, mayMove|fixed, pg(100))},
			wantVMAs:  withReserved(anon(pg(100), pg(104), protRW)),
		},
		{
			name: "MREMAP_FIXED shrinking", setup: base,
			old: pg(0), oldLen: 4 * P, nLen: P, flags: mayMove | fixed, newAddr: pg(100), want: pg(100),
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, P, mayMove|fixed, pg(100))},
			wantVMAs:  withReserved(anon(pg(100), pg(101), protRW)),
		},
		{
			name: "MREMAP_FIXED adjacent to the old range", setup: base,
			old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed, newAddr: pg(4), want: pg(4),
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 4*P, mayMove|fixed, pg(4))},
			wantVMAs:  withReserved(anon(pg(4), pg(8), protRW)),
		},
		{
			name: "MREMAP_FIXED replaces mappings",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				base(t, m, inj)
				mustMap(t, m, inj, pg(99), 3*P, protR)
			},
			old: pg(0), oldLen: 4 * P, nLen: 2 * P, flags: mayMove | fixed, newAddr: pg(100), want: pg(100),
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 2*P, mayMove|fixed, pg(100))},
			wantVMAs:  withReserved(anon(pg(99), pg(100), protR), anon(pg(100), pg(102), protRW)),
		},
		{
			name: "MREMAP_FIXED over a mapping within RLIMIT_AS",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				base(t, m, inj)
				mustMap(t, m, inj, pg(100), 4*P, protR)
				m.SetLimits(limitOf(uint64(8*P)), nil)
			},
			old: pg(0), oldLen: 4 * P, nLen: 6 * P, flags: mayMove | fixed, newAddr: pg(100), want: pg(100),
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 6*P, mayMove|fixed, pg(100))},
			wantVMAs:  withReserved(anon(pg(100), pg(106), protRW)),
		},
		{
			name: "DONTUNMAP keeps the old mapping", setup: base,
			old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | fixed | dontUnmap, newAddr: pg(100), want: pg(100),
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 4*P, mayMove|fixed|dontUnmap, pg(100))},
			wantVMAs:  withReserved(anon(pg(0), pg(4), protRW), anon(pg(100), pg(104), protRW)),
		},
		{
			name: "DONTUNMAP without FIXED moves", setup: base,
			old: pg(0), oldLen: 4 * P, nLen: 4 * P, flags: mayMove | dontUnmap, want: testTop - 4*P,
			wantCalls: []injCall{call(unix.SYS_MREMAP, pg(0), 4*P, 4*P, mayMove|fixed|dontUnmap, testTop-4*P)},
			wantVMAs:  withReserved(anon(pg(0), pg(4), protRW), anon(testTop-4*P, testTop, protRW)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inj, _ := newTestMM(t)
			if tt.setup != nil {
				tt.setup(t, m, inj)
			}
			before := m.VMAs()
			inj.reset()
			got, err := m.Mremap(inj, tt.old, tt.oldLen, tt.nLen, tt.flags, tt.newAddr)
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("Mremap = %#x, want %#x", got, tt.want)
			}
			checkCalls(t, inj.calls, tt.wantCalls)
			want := tt.wantVMAs
			if tt.wantErr != nil {
				want = before
			}
			checkVMAs(t, m.VMAs(), want)
		})
	}
}

// ---- Brk ----

func TestBrk(t *testing.T) {
	heap := func(start, end uintptr) VMA { return VMA{Start: start, End: end, Prot: protRW, Name: "[heap]"} }
	heapMap := func(addr, length uintptr) injCall {
		return call(unix.SYS_MMAP, addr, length, protRW, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED, ^uintptr(0), 0)
	}
	const B = brkStart
	type step struct {
		addr      uintptr
		want      uintptr
		wantCalls []injCall
	}
	tests := []struct {
		name     string
		setup    func(t *testing.T, m *MM, inj *fakeInjector)
		steps    []step
		wantVMAs []VMA
	}{
		{
			name:  "query",
			steps: []step{{addr: 0, want: B}, {addr: B - P, want: B}, {addr: B, want: B}},
		},
		{
			name: "grow and shrink",
			steps: []step{
				{addr: B + 100, want: B + 100, wantCalls: []injCall{heapMap(B, P)}},
				{addr: B + 200, want: B + 200},                                          // same page
				{addr: B + 3*P, want: B + 3*P, wantCalls: []injCall{heapMap(B+P, 2*P)}}, // merges
				{addr: 0, want: B + 3*P},
				{addr: B + P + 1, want: B + P + 1, wantCalls: []injCall{call(unix.SYS_MUNMAP, B+2*P, P)}},
				{addr: B - 1, want: B + P + 1}, // below the start: current break
			},
			wantVMAs: []VMA{heap(B, B+2*P)},
		},
		{
			name: "shrink to the start",
			steps: []step{
				{addr: B + 4*P, want: B + 4*P, wantCalls: []injCall{heapMap(B, 4*P)}},
				{addr: B, want: B, wantCalls: []injCall{call(unix.SYS_MUNMAP, B, 4*P)}},
			},
		},
		{
			// Linux keeps a page between the heap and the next mapping.
			name:  "growth into an existing mapping",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, B+3*P, P, protR) },
			steps: []step{
				{addr: B + P, want: B + P, wantCalls: []injCall{heapMap(B, P)}},
				{addr: B + 4*P, want: B + P},
				{addr: B + 3*P, want: B + P},
				{addr: B + 2*P, want: B + 2*P, wantCalls: []injCall{heapMap(B+P, P)}},
			},
			wantVMAs: []VMA{heap(B, B+2*P), anon(B+3*P, B+4*P, protR)},
		},
		{
			name:  "RLIMIT_DATA",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { m.SetLimits(nil, limitOf(uint64(2*P))) },
			steps: []step{
				{addr: B + 2*P, want: B + 2*P, wantCalls: []injCall{heapMap(B, 2*P)}},
				{addr: B + 2*P + 1, want: B + 2*P},
				{addr: B + P, want: B + P, wantCalls: []injCall{call(unix.SYS_MUNMAP, B+P, P)}},
			},
			wantVMAs: []VMA{heap(B, B+P)},
		},
		{
			// Linux charges whole heap pages against RLIMIT_DATA
			// (may_expand_vm), and the break itself (check_data_rlimit).
			name:  "RLIMIT_DATA within the last page",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { m.SetLimits(nil, limitOf(P+100)) },
			steps: []step{
				{addr: B + 50, want: B + 50, wantCalls: []injCall{heapMap(B, P)}},
				{addr: B + P + 101, want: B + 50},
				{addr: B + 100, want: B + 100},
			},
			wantVMAs: []VMA{heap(B, B+P)},
		},
		{
			name: "RLIMIT_AS",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				mustMap(t, m, inj, X, 2*P, protRW)
				m.SetLimits(limitOf(uint64(4*P)), limitOf(unix.RLIM_INFINITY))
			},
			steps: []step{
				{addr: B + 3*P, want: B},
				{addr: B + 2*P, want: B + 2*P, wantCalls: []injCall{heapMap(B, 2*P)}},
			},
			wantVMAs: []VMA{anon(X, X+2*P, protRW), heap(B, B+2*P)},
		},
		{
			name: "beyond the limit",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				m.SetBrk(testLimit - P)
			},
			steps: []step{
				{addr: testLimit - 1, want: testLimit - 1, wantCalls: []injCall{heapMap(testLimit-P, P)}},
				{addr: testLimit + 1, want: testLimit - 1},
				{addr: ^uintptr(0), want: testLimit - 1},
			},
			wantVMAs: []VMA{heap(testLimit-P, testLimit)},
		},
		{
			name:  "injector failure",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) { inj.errs = map[uintptr]error{unix.SYS_MMAP: unix.ENOMEM} },
			steps: []step{{addr: B + P, want: B, wantCalls: []injCall{heapMap(B, P)}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inj, _ := newTestMM(t)
			if tt.setup != nil {
				tt.setup(t, m, inj)
			}
			for i, s := range tt.steps {
				inj.reset()
				if got := m.Brk(inj, s.addr); got != s.want {
					t.Errorf("step %d: Brk(%#x) = %#x, want %#x", i, s.addr, got, s.want)
				}
				checkCalls(t, inj.calls, s.wantCalls)
			}
			var got []VMA
			for _, v := range m.VMAs() {
				if !v.Reserved {
					got = append(got, v)
				}
			}
			checkVMAs(t, got, tt.wantVMAs)
		})
	}
}

// ---- Madvise ----

func TestMadvise(t *testing.T) {
	const (
		dontneed = madvDontneed
		normal   = madvNormal
	)
	dontFork := func(v VMA) VMA { v.DontFork = true; return v }
	holey := func(t *testing.T, m *MM, inj *fakeInjector) {
		mustMap(t, m, inj, pg(0), 2*P, protRW)
		mustMap(t, m, inj, pg(3), P, protR)
		mustMap(t, m, inj, pg(4), P, protRW)
	}
	oneVMA := func(t *testing.T, m *MM, inj *fakeInjector) { mustMap(t, m, inj, pg(0), 4*P, protRW) }
	tests := []struct {
		name      string
		setup     func(t *testing.T, m *MM, inj *fakeInjector)
		addr, len uintptr
		advice    int
		wantErr   error
		wantCalls []injCall
		wantVMAs  []VMA // nil: unchanged
	}{
		{name: "unknown advice", setup: oneVMA, addr: pg(0), len: P, advice: 7, wantErr: unix.EINVAL},
		{name: "unknown advice 99", setup: oneVMA, addr: pg(0), len: P, advice: 99, wantErr: unix.EINVAL},
		{name: "negative advice", setup: oneVMA, addr: pg(0), len: P, advice: -1, wantErr: unix.EINVAL},
		{name: "MADV_HWPOISON", setup: oneVMA, addr: pg(0), len: P, advice: madvHwpoison, wantErr: unix.EPERM},
		{name: "unaligned address", setup: oneVMA, addr: pg(0) + 1, len: P, advice: dontneed, wantErr: unix.EINVAL},
		{name: "length overflows", setup: oneVMA, addr: pg(0), len: ^uintptr(0), advice: dontneed, wantErr: unix.EINVAL},
		{name: "zero length", addr: X, len: 0, advice: dontneed},
		{name: "unmapped", addr: X, len: P, advice: dontneed, wantErr: unix.ENOMEM},
		{name: "beyond the limit", addr: testLimit, len: P, advice: dontneed, wantErr: unix.ENOMEM},
		{name: "reserved", addr: vvarStart, len: P, advice: dontneed, wantErr: unix.EINVAL},
		{
			name: "MADV_DONTNEED", setup: oneVMA, addr: pg(1), len: 2*P - 1, advice: dontneed,
			wantCalls: []injCall{call(unix.SYS_MADVISE, pg(1), 2*P, dontneed)},
		},
		{name: "MADV_NORMAL stays in the Sentry", setup: oneVMA, addr: pg(0), len: 4 * P, advice: normal},
		{
			name: "holes: mapped parts still advised", setup: holey,
			addr: pg(1), len: 5 * P, advice: dontneed, wantErr: unix.ENOMEM,
			wantCalls: []injCall{
				call(unix.SYS_MADVISE, pg(1), P, dontneed),
				call(unix.SYS_MADVISE, pg(3), 2*P, dontneed), // adjacent VMAs in one call
			},
		},
		{name: "holes, advice without host call", setup: holey, addr: pg(0), len: 6 * P, advice: normal, wantErr: unix.ENOMEM},
		{
			name: "MADV_DONTFORK recorded", setup: oneVMA, addr: pg(1), len: 2 * P, advice: madvDontfork,
			wantCalls: []injCall{call(unix.SYS_MADVISE, pg(1), 2*P, madvDontfork)},
			wantVMAs:  withReserved(anon(pg(0), pg(1), protRW), dontFork(anon(pg(1), pg(3), protRW)), anon(pg(3), pg(4), protRW)),
		},
		{
			name: "MADV_DOFORK merges back",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				oneVMA(t, m, inj)
				if err := m.Madvise(inj, pg(1), 2*P, madvDontfork); err != nil {
					t.Fatal(err)
				}
			},
			addr: pg(0), len: 4 * P, advice: madvDofork,
			wantCalls: []injCall{call(unix.SYS_MADVISE, pg(0), 4*P, madvDofork)},
			wantVMAs:  withReserved(anon(pg(0), pg(4), protRW)),
		},
		{
			name: "MADV_DONTFORK with holes", setup: holey, addr: pg(1), len: 5 * P, advice: madvDontfork, wantErr: unix.ENOMEM,
			wantCalls: []injCall{
				call(unix.SYS_MADVISE, pg(1), P, madvDontfork),
				call(unix.SYS_MADVISE, pg(3), 2*P, madvDontfork),
			},
			wantVMAs: withReserved(anon(pg(0), pg(1), protRW), dontFork(anon(pg(1), pg(2), protRW)),
				dontFork(anon(pg(3), pg(4), protR)), dontFork(anon(pg(4), pg(5), protRW))),
		},
		{
			name: "MADV_WIPEONFORK recorded", setup: oneVMA, addr: pg(0), len: 4 * P, advice: madvWipeonfork,
			wantCalls: []injCall{call(unix.SYS_MADVISE, pg(0), 4*P, madvWipeonfork)},
			wantVMAs:  withReserved(VMA{Start: pg(0), End: pg(4), Prot: protRW, WipeOnFork: true}),
		},
		{
			name: "injector failure",
			setup: func(t *testing.T, m *MM, inj *fakeInjector) {
				oneVMA(t, m, inj)
				inj.errs = map[uintptr]error{unix.SYS_MADVISE: unix.EAGAIN}
			},
			addr: pg(0), len: P, advice: madvDontfork, wantErr: unix.EAGAIN,
			wantCalls: []injCall{call(unix.SYS_MADVISE, pg(0), P, madvDontfork)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, inj, _ := newTestMM(t)
			if tt.setup != nil {
				tt.setup(t, m, inj)
			}
			before := m.VMAs()
			inj.reset()
			err := m.Madvise(inj, tt.addr, tt.len, tt.advice)
			checkErr(t, err, tt.wantErr)
			checkCalls(t, inj.calls, tt.wantCalls)
			want := tt.wantVMAs
			if want == nil {
				want = before
			}
			checkVMAs(t, m.VMAs(), want)
		})
	}
}

// ---- copies ----

func TestCopyInString(t *testing.T) {
	const Q = uintptr(0x20000000) // a mapped page; Q+P is not mapped
	tests := []struct {
		name    string
		setup   func(mem *fakeMemory)
		addr    uintptr
		max     int
		want    string
		wantErr error
	}{
		{
			name:  "ends right before an unmapped page",
			setup: func(mem *fakeMemory) { mem.put(Q+P-6, []byte("hello\x00")) },
			addr:  Q + P - 6, max: 255, want: "hello",
		},
		{
			name: "ends right before an unmapped page, long",
			setup: func(mem *fakeMemory) {
				mem.put(Q+P-1001, append([]byte(strings.Repeat("x", 1000)), 0))
			},
			addr: Q + P - 1001, max: 4095, want: strings.Repeat("x", 1000),
		},
		{
			name:  "NUL is the last byte before an unmapped page",
			setup: func(mem *fakeMemory) { mem.put(Q, []byte("abc\x00")); mem.put(Q+P-1, []byte{0}) },
			addr:  Q + P - 1, max: 10, want: "",
		},
		{
			name:  "crosses into a mapped page",
			setup: func(mem *fakeMemory) { mem.put(Q+P-3, []byte("abcdef\x00")) },
			addr:  Q + P - 3, max: 10, want: "abcdef",
		},
		{
			name:  "crosses many chunks",
			setup: func(mem *fakeMemory) { mem.put(Q+17, append([]byte(strings.Repeat("y", 3000)), 0)) },
			addr:  Q + 17, max: 4095, want: strings.Repeat("y", 3000),
		},
		{
			name:  "exactly max bytes",
			setup: func(mem *fakeMemory) { mem.put(Q, []byte("hello\x00")) },
			addr:  Q, max: 5, want: "hello",
		},
		{
			name:  "one byte too long",
			setup: func(mem *fakeMemory) { mem.put(Q, []byte("hello\x00")) },
			addr:  Q, max: 4, wantErr: unix.ENAMETOOLONG,
		},
		{
			name:  "too long, over a chunk",
			setup: func(mem *fakeMemory) { mem.put(Q, append([]byte(strings.Repeat("z", 600)), 0)) },
			addr:  Q, max: 300, wantErr: unix.ENAMETOOLONG,
		},
		{
			name:  "too long before an unmapped page",
			setup: func(mem *fakeMemory) { mem.put(Q+P-20, []byte(strings.Repeat("z", 20))) },
			addr:  Q + P - 20, max: 10, wantErr: unix.ENAMETOOLONG,
		},
		{
			name:  "runs into an unmapped page",
			setup: func(mem *fakeMemory) { mem.put(Q+P-20, []byte(strings.Repeat("z", 20))) },
			addr:  Q + P - 20, max: 4095, wantErr: unix.EFAULT,
		},
		{name: "unmapped", addr: Q + 5*P, max: 10, wantErr: unix.EFAULT},
		{name: "beyond the limit", addr: testLimit + 8, max: 10, wantErr: unix.EFAULT},
		{name: "wraps the address space", addr: ^uintptr(0) - 3, max: 10, wantErr: unix.EFAULT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, mem := newTestMM(t)
			mem.mapPage(Q)
			if tt.setup != nil {
				tt.setup(mem)
			}
			got, err := m.CopyInString(tt.addr, tt.max)
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("CopyInString = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCopies(t *testing.T) {
	const Q = uintptr(0x20000000)
	m, _, mem := newTestMM(t)
	mem.mapPage(Q)
	if err := m.CopyOut(Q+P-4, []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	if err := m.CopyIn(Q+P-4, b); err != nil || !reflect.DeepEqual(b, []byte{1, 2, 3, 4}) {
		t.Errorf("CopyIn = %v, %v", b, err)
	}
	if err := m.CopyIn(Q+P-2, b); err != unix.EFAULT {
		t.Errorf("CopyIn across an unmapped page: %v", err)
	}
	if n, err := m.CopyInPartial(Q+P-2, b); n != 2 || err != unix.EFAULT {
		t.Errorf("CopyInPartial = %d, %v", n, err)
	}
	if err := m.CopyOut(testLimit-2, b); err != unix.EFAULT {
		t.Errorf("CopyOut across the limit: %v", err)
	}
	if n, err := m.CopyOutPartial(Q+P-1, b); n != 1 || err != unix.EFAULT {
		t.Errorf("CopyOutPartial = %d, %v", n, err)
	}

	// argv: two pointers and a NUL.
	ptrs := []byte{0x11, 0, 0, 0, 0, 0, 0, 0, 0x22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	mem.put(Q, ptrs)
	if got, err := m.CopyInPointers(Q, 2); err != nil || !reflect.DeepEqual(got, []uintptr{0x11, 0x22}) {
		t.Errorf("CopyInPointers = %v, %v", got, err)
	}
	if _, err := m.CopyInPointers(Q, 1); err != unix.E2BIG {
		t.Errorf("CopyInPointers over max: %v", err)
	}
	if _, err := m.CopyInPointers(Q+P-8, 10); err != unix.EFAULT {
		t.Errorf("CopyInPointers into an unmapped page: %v", err)
	}
}

func TestSharedKey(t *testing.T) {
	m, inj, _ := newTestMM(t)
	const X = 0x10000000
	if _, err := m.MMap(inj, MMapOpts{Addr: X, Length: 4 * P, Prot: protRW, Flags: unix.MAP_SHARED | unix.MAP_ANONYMOUS | unix.MAP_FIXED}); err != nil {
		t.Fatal(err)
	}
	id, off, ok := m.SharedKey(X + P + 8)
	if !ok || id == 0 || off != P+8 {
		t.Fatalf("SharedKey = %d %d %v", id, off, ok)
	}
	// A split keeps the object and the offsets.
	if err := m.Mprotect(inj, X+P, P, protR); err != nil {
		t.Fatal(err)
	}
	if id2, off2, ok := m.SharedKey(X + P + 8); !ok || id2 != id || off2 != off {
		t.Errorf("after split: %d %d %v", id2, off2, ok)
	}
	// A fork shares the object.
	c := m.Fork(m.mem)
	if id3, off3, ok := c.SharedKey(X + 3*P); !ok || id3 != id || off3 != 3*P {
		t.Errorf("forked: %d %d %v", id3, off3, ok)
	}
	if _, err := m.MMap(inj, MMapOpts{Addr: X + 8*P, Length: P, Prot: protRW, Flags: unix.MAP_PRIVATE | unix.MAP_ANONYMOUS | unix.MAP_FIXED}); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := m.SharedKey(X + 8*P); ok {
		t.Errorf("private memory has a shared key")
	}
}
