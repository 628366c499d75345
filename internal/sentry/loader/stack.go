package loader

import (
	"crypto/rand"
	"encoding/binary"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/mm"
)

// Auxiliary vector keys (getauxval(3)).
const (
	AT_NULL         = 0
	AT_PHDR         = 3
	AT_PHENT        = 4
	AT_PHNUM        = 5
	AT_PAGESZ       = 6
	AT_BASE         = 7
	AT_FLAGS        = 8
	AT_ENTRY        = 9
	AT_UID          = 11
	AT_EUID         = 12
	AT_GID          = 13
	AT_EGID         = 14
	AT_PLATFORM     = 15
	AT_HWCAP        = 16
	AT_CLKTCK       = 17
	AT_SECURE       = 23
	AT_RANDOM       = 25
	AT_HWCAP2       = 26
	AT_EXECFN       = 31
	AT_SYSINFO_EHDR = 33
	AT_MINSIGSTKSZ  = 51
)

// AuxEntry is one auxiliary vector entry.
type AuxEntry struct {
	Key, Value uint64
}

var (
	hostAuxOnce sync.Once
	hostAuxv    map[uint64]uint64
)

// ReadHostAuxv records the Sentry's own auxiliary vector: machine facts such
// as AT_HWCAP come from the host, never invented. Call it before the Sentry
// loses access to /proc.
func ReadHostAuxv() {
	hostAuxOnce.Do(func() {
		hostAuxv = map[uint64]uint64{}
		b, err := os.ReadFile("/proc/self/auxv")
		if err != nil {
			return
		}
		for i := 0; i+16 <= len(b); i += 16 {
			k := binary.LittleEndian.Uint64(b[i:])
			if k == AT_NULL {
				break
			}
			hostAuxv[k] = binary.LittleEndian.Uint64(b[i+8:])
		}
	})
}

func hostAux(key, def uint64) uint64 {
	ReadHostAuxv()
	if v, ok := hostAuxv[key]; ok {
		return v
	}
	return def
}

const (
	// maxArgStrlen is MAX_ARG_STRLEN: one argument or variable.
	maxArgStrlen = 32 * mm.PageSize
	platform     = "x86_64"
)

// buildStack writes the initial stack below top, as Linux lays it out:
// from the top, the executable's name, the environment and argument strings,
// the platform string and 16 random bytes; then, 16-byte aligned, argc, the
// argv and envp pointer arrays and the auxiliary vector.
func buildStack(m *mm.MM, prog *Program, bottom, top uintptr, a Args, aux []AuxEntry) error {
	// The strings area is built in a Go buffer that ends at top.
	var strs []byte
	total := 0
	for _, s := range append(append([]string{}, a.Argv...), a.Envv...) {
		if len(s)+1 > maxArgStrlen {
			return unix.E2BIG
		}
		total += len(s) + 1 + 8
	}
	// Linux allows a quarter of the stack limit for arguments and environment.
	if uintptr(total) > (top-bottom)/4 {
		return unix.E2BIG
	}
	push := func(s string) uintptr {
		strs = append([]byte(s+"\x00"), strs...)
		return top - 8 - uintptr(len(strs))
	}
	// Pushed in reverse: the last pushed is lowest.
	execfn := push(a.Filename)
	envp := make([]uintptr, len(a.Envv))
	for i := len(a.Envv) - 1; i >= 0; i-- {
		envp[i] = push(a.Envv[i])
	}
	argv := make([]uintptr, len(a.Argv))
	for i := len(a.Argv) - 1; i >= 0; i-- {
		argv[i] = push(a.Argv[i])
	}
	prog.EnvEnd = execfn
	prog.EnvStart = execfn
	if len(envp) > 0 {
		prog.EnvStart = envp[0]
	}
	prog.ArgvStart = prog.EnvStart
	prog.ArgvEnd = prog.EnvStart
	if len(argv) > 0 {
		prog.ArgvStart = argv[0]
	}
	plat := push(platform)
	var rnd [16]byte
	rand.Read(rnd[:])
	strs = append(rnd[:], strs...)
	randAddr := top - 8 - uintptr(len(strs))
	stringsBase := randAddr

	for i := range aux {
		switch aux[i].Key {
		case AT_RANDOM:
			aux[i].Value = uint64(randAddr)
		case AT_EXECFN:
			aux[i].Value = uint64(execfn)
		case AT_PLATFORM:
			aux[i].Value = uint64(plat)
		}
	}
	aux = append(aux, AuxEntry{AT_NULL, 0})
	prog.Auxv = aux

	words := 1 + len(argv) + 1 + len(envp) + 1 + 2*len(aux)
	sp := (stringsBase - uintptr(words*8)) &^ 15
	if sp < bottom+mm.PageSize {
		return unix.E2BIG
	}
	tbl := make([]byte, 0, words*8)
	put := func(v uint64) { tbl = binary.LittleEndian.AppendUint64(tbl, v) }
	put(uint64(len(argv)))
	for _, p := range argv {
		put(uint64(p))
	}
	put(0)
	for _, p := range envp {
		put(uint64(p))
	}
	put(0)
	for _, e := range aux {
		put(e.Key)
		put(e.Value)
	}
	if err := m.CopyOut(stringsBase, strs); err != nil {
		return err
	}
	if err := m.CopyOut(sp, tbl); err != nil {
		return err
	}
	prog.Stack = sp
	return nil
}
