// Package sandbox assembles a Sentry: it builds the platform, the kernel and
// the system call table, gives the application its first process, and
// reports how it ended. For now the Sentry runs inside the calling process;
// the gofer and sandbox processes come later.
package sandbox

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
	"github.com/moat-sandbox/moat/internal/platform/ptrace"
	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/hostfd"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/loader"
	"github.com/moat-sandbox/moat/internal/sentry/syscalls"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Options describe one `moat do`.
type Options struct {
	// Argv is the command and its arguments; Argv[0] is looked up in PATH.
	Argv []string
	// Env is the application's environment.
	Env []string
	// Platform names the platform ("ptrace").
	Platform string
	// NoPin leaves application threads unpinned (measurement only).
	NoPin bool
	// Strace receives a line per system call, when set.
	Strace io.Writer
	// Log receives diagnostics.
	Log *slog.Logger
	// MaxTasks bounds the sandbox's tasks (0: the default).
	MaxTasks int
}

// CommandError is a failure to start the command, reported as a shell
// would, with its exit status (126: found but not runnable, 127: not found).
type CommandError struct {
	Status int
	Msg    string
}

func (e *CommandError) Error() string { return e.Msg }

// Platforms lists the platforms --platform accepts.
var Platforms = []string{"ptrace"}

func newPlatform(name string, noPin bool) (platform.Platform, error) {
	switch name {
	case "", "ptrace":
		return ptrace.New(ptrace.Options{NoPin: noPin}), nil
	}
	return nil, fmt.Errorf("unknown platform %q (have: %s)", name, strings.Join(Platforms, ", "))
}

// Do runs a command in a new sandbox over the caller's stdio and returns the
// status a shell would report for it.
func Do(opts Options) (int, error) {
	if len(opts.Argv) == 0 {
		return 0, errors.New("no command given")
	}
	if os.Geteuid() != 0 {
		return 0, errors.New("moat needs root for now (ptrace of its stub processes and their seccomp filters)")
	}
	plat, err := newPlatform(opts.Platform, opts.NoPin)
	if err != nil {
		return 0, err
	}
	loader.ReadHostAuxv()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	path, err := lookPath(opts.Argv[0], envPath(opts.Env))
	if err != nil {
		return 0, err
	}
	img, err := openImage(path, opts.Argv[0])
	if err != nil {
		return 0, err
	}
	defer img.Close()

	fds := vfs.NewFDTable()
	for fd := 0; fd < 3; fd++ {
		f, err := hostfd.Import(fd)
		if err != nil {
			continue // a closed stdio fd stays closed
		}
		fds.SetFD(int32(fd), f, false, 3)
		f.DecRef()
	}
	groups, _ := os.Getgroups()
	var gids []uint32
	for _, g := range groups {
		gids = append(gids, uint32(g))
	}

	k := kernel.New(kernel.Config{
		Platform: plat,
		Syscalls: syscalls.New(syscalls.Options{Strace: opts.Strace, Log: log}),
		Log:      log,
		MaxTasks: opts.MaxTasks,
	})
	err = k.StartInit(kernel.InitArgs{
		ExecArgs: kernel.ExecArgs{
			Image: img, Filename: opts.Argv[0], Argv: opts.Argv, Envv: opts.Env,
		},
		Creds:  auth.New(uint32(os.Getuid()), uint32(os.Getgid()), gids),
		FDs:    fds,
		Limits: kernel.HostLimits(),
	})
	if err != nil {
		fds.Release()
		return 0, execError(opts.Argv[0], err)
	}

	// Signals a terminal or a runtime sends moat go to the application.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGALRM)
	defer signal.Stop(sigs)
	done := make(chan kernel.ExitStatus, 1)
	go func() { done <- k.Wait() }()
	for {
		select {
		case s := <-sigs:
			k.SignalInit(linux.Signal(s.(syscall.Signal)))
		case st := <-done:
			return st.ShellCode(), nil
		}
	}
}

// envPath is PATH from env, or the default a shell uses without one.
func envPath(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			return v
		}
	}
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

// lookPath finds cmd as a shell does: a name with a slash is used as is,
// others are searched in path.
func lookPath(cmd, path string) (string, error) {
	if strings.Contains(cmd, "/") {
		return cmd, nil
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, cmd)
		st, err := os.Stat(p)
		if err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &CommandError{127, cmd + ": command not found"}
}

// hostImage is an executable opened from the host for the first process.
type hostImage struct {
	*os.File
	name string
}

func (h *hostImage) HostFD() int         { return int(h.File.Fd()) }
func (h *hostImage) MappingName() string { return h.name }

func openImage(path, cmd string) (*hostImage, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, execError(cmd, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, execError(cmd, err)
	}
	switch {
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		unix.Close(fd)
		return nil, &CommandError{126, cmd + ": Is a directory"}
	case st.Mode&unix.S_IFMT != unix.S_IFREG || st.Mode&0o111 == 0:
		unix.Close(fd)
		return nil, &CommandError{126, cmd + ": Permission denied"}
	}
	abs, _ := filepath.Abs(path)
	return &hostImage{File: os.NewFile(uintptr(fd), path), name: abs}, nil
}

// execError reports a failed exec as bash does.
func execError(cmd string, err error) error {
	switch err {
	case unix.ENOENT:
		return &CommandError{127, cmd + ": No such file or directory"}
	case unix.ENOEXEC:
		return &CommandError{126, cmd + ": cannot execute binary file: Exec format error"}
	case unix.EACCES:
		return &CommandError{126, cmd + ": Permission denied"}
	}
	var e unix.Errno
	if errors.As(err, &e) {
		return &CommandError{126, cmd + ": " + e.Error()}
	}
	return &CommandError{126, cmd + ": " + err.Error()}
}
