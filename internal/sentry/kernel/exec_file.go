package kernel

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/linux"

	"github.com/moat-sandbox/moat/internal/sentry/loader"
	"github.com/moat-sandbox/moat/internal/sentry/mm"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// maxInterpDepth is how many #! interpreters may nest (Linux's
// BINPRM_MAX_RECURSION); deeper gives ELOOP.
const maxInterpDepth = 4

// binprmBufSize is how much of a script's first line Linux reads.
const binprmBufSize = 256

// fileImage lets the loader read and map an executable opened through the
// VFS.
type fileImage struct {
	f    *vfs.File
	t    vfs.Task
	name string
}

func (i *fileImage) ReadAt(p []byte, off int64) (int, error) {
	n, err := i.f.PRead(i.t, p, off)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

func (i *fileImage) HostFD() int {
	if m, ok := i.f.Impl().(mm.Mappable); ok {
		return m.HostFD()
	}
	return -1
}

func (i *fileImage) MappingName() string { return i.name }

// openExecutable resolves path (following links) and opens it for
// execution: a regular file the caller may execute on a mount that allows
// it. The ELF interpreter (interp) need only be readable, and is resolved
// from the root.
func (t *Task) openExecutable(path string, fs *FSContext, interp bool) (*vfs.File, vfs.VirtualDentry, error) {
	o := vfs.WalkOpts{Root: fs.Root(), Start: fs.Cwd(), FollowFinal: true}
	if interp {
		o.Start = o.Root
	}
	vd, err := t.k.Mounts.Walk(t, path, o)
	if err != nil {
		return nil, vd, err
	}
	st, err := vd.Inode().Stat(t)
	if err != nil {
		return nil, vd, err
	}
	if !st.IsRegular() {
		return nil, vd, unix.EACCES
	}
	if !interp {
		if vd.Mount.Flags&vfs.MountNoExec != 0 {
			return nil, vd, unix.EACCES
		}
		if err := vfs.Permission(t.Creds(), &st, vfs.MayExec); err != nil {
			return nil, vd, err
		}
	}
	impl, err := vd.Inode().Open(t, unix.O_RDONLY)
	if err != nil {
		return nil, vd, err
	}
	return vfs.NewFile(impl, vd, unix.O_RDONLY|linux.O_LARGEFILE), vd, nil
}

// resolvedExec is an executable ready for the loader.
type resolvedExec struct {
	file *vfs.File
	vd   vfs.VirtualDentry
	argv []string
	// filename is what AT_EXECFN and /proc/PID/exe start from.
	filename string
}

// resolveExec opens path and follows #! lines to the ELF program that will
// run, rewriting argv as Linux does: interpreter, its optional argument,
// the script's path, then the original arguments after argv[0].
func (t *Task) resolveExec(path string, argv []string, fs *FSContext) (*resolvedExec, error) {
	for depth := 0; ; depth++ {
		f, vd, err := t.openExecutable(path, fs, false)
		if err != nil {
			return nil, err
		}
		head := make([]byte, binprmBufSize)
		n, _ := f.PRead(t, head, 0)
		head = head[:n]
		if !bytes.HasPrefix(head, []byte("#!")) {
			return &resolvedExec{file: f, vd: vd, argv: argv, filename: path}, nil
		}
		f.DecRef()
		if depth >= maxInterpDepth {
			return nil, unix.ELOOP
		}
		interp, arg, err := parseShebang(head[2:])
		if err != nil {
			return nil, err
		}
		newArgv := []string{interp}
		if arg != "" {
			newArgv = append(newArgv, arg)
		}
		newArgv = append(newArgv, path)
		if len(argv) > 1 {
			newArgv = append(newArgv, argv[1:]...)
		}
		path, argv = interp, newArgv
	}
}

// parseShebang splits a #! line into the interpreter and its one optional
// argument (the rest of the line, trimmed), as Linux's binfmt_script does.
func parseShebang(line []byte) (string, string, error) {
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	} else if len(line) >= binprmBufSize-2 {
		// The interpreter name must fit in the first 256 bytes.
		if trimmed := strings.TrimLeft(string(line), " \t"); !strings.ContainsAny(trimmed, " \t") {
			return "", "", unix.ENOEXEC
		}
	}
	s := strings.Trim(string(line), " \t")
	if s == "" {
		return "", "", unix.ENOEXEC
	}
	interp, arg := s, ""
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		interp, arg = s[:i], strings.Trim(s[i+1:], " \t")
	}
	return interp, arg, nil
}

// interpreterOpener opens ld.so for the loader, resolved in the sandbox.
func (t *Task) interpreterOpener(fs *FSContext) func(string) (loader.Image, error) {
	return func(path string) (loader.Image, error) {
		f, vd, err := t.openExecutable(path, fs, true)
		if err != nil {
			return nil, err
		}
		return &fileImage{f: f, t: t, name: vd.PathFrom(fs.Root())}, nil
	}
}
