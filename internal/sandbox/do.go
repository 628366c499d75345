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
	// Rootfs is the host directory shown as the root ("/" by default).
	Rootfs string
	// Volumes bind host directories into the sandbox.
	Volumes []Volume
	// Network is "none" (the default: loopback only) or "host" (the
	// host's network, through sockets the Sentry holds).
	Network string
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
	if err := setupNetwork(opts.Network); err != nil {
		return 0, err
	}
	loader.ReadHostAuxv()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	rootfs := opts.Rootfs
	if rootfs == "" {
		rootfs = "/"
	}
	ns, err := buildMounts(rootfs, opts.Volumes, controllingTTY())
	if err != nil {
		return 0, err
	}
	cwd := startDir(ns, rootfs)

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
	status, _ := os.ReadFile("/proc/self/status")
	creds := auth.FromHost(uint32(os.Getuid()), uint32(os.Geteuid()), uint32(os.Getgid()), uint32(os.Getegid()),
		gids, string(status))
	path, err := lookPath(ns, creds, cwd, opts.Argv[0], envPath(opts.Env))
	if err != nil {
		fds.Release()
		return 0, err
	}
	fsctx := kernel.NewFSContext(ns.Root(), uint32(unix.Umask(0o022)))
	unix.Umask(int(fsctx.Umask()))
	fsctx.SetCwd(cwd)

	k := kernel.New(kernel.Config{
		Platform: plat,
		Syscalls: syscalls.New(syscalls.Options{Strace: opts.Strace, Log: log}),
		Log:      log,
		MaxTasks: opts.MaxTasks,
		Mounts:   ns,
	})
	attachKernel(ns, k)
	err = k.StartInit(kernel.InitArgs{
		ExecArgs: kernel.ExecArgs{Path: path, Argv: opts.Argv, Envv: opts.Env},
		Creds:    creds,
		FDs:      fds,
		FS:       fsctx,
		Limits:   kernel.HostLimits(),
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

// lookPath finds cmd as a shell does, in the sandbox's view of the
// filesystem: a name with a slash is used as is, others are searched in
// path for a regular file the user may execute.
func lookPath(ns *vfs.MountNamespace, creds *auth.Credentials, cwd vfs.VirtualDentry, cmd, path string) (string, error) {
	ctx := credCtx{creds}
	if strings.Contains(cmd, "/") {
		vd, err := ns.Walk(ctx, cmd, vfs.WalkOpts{Root: ns.Root(), Start: cwd, FollowFinal: true})
		if err == nil {
			if st, err := vd.Inode().Stat(ctx); err == nil && st.IsDir() {
				return "", &CommandError{126, cmd + ": Is a directory"}
			}
		}
		return cmd, nil
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + cmd
		vd, err := ns.Walk(ctx, p, vfs.WalkOpts{Root: ns.Root(), Start: cwd, FollowFinal: true})
		if err != nil {
			continue
		}
		st, err := vd.Inode().Stat(ctx)
		if err == nil && st.IsRegular() && vfs.Permission(creds, &st, vfs.MayExec) == nil {
			return p, nil
		}
	}
	return "", &CommandError{127, cmd + ": command not found"}
}

type credCtx struct{ c *auth.Credentials }

func (c credCtx) Creds() *auth.Credentials { return c.c }

// execError reports a failed exec as bash does.
func execError(cmd string, err error) error {
	switch err {
	case unix.ENOENT:
		return &CommandError{127, cmd + ": No such file or directory"}
	case unix.ENOEXEC:
		return &CommandError{126, cmd + ": cannot execute binary file: Exec format error"}
	case unix.EISDIR:
		return &CommandError{126, cmd + ": Is a directory"}
	case unix.EACCES:
		return &CommandError{126, cmd + ": Permission denied"}
	}
	var e unix.Errno
	if errors.As(err, &e) {
		msg := e.Error()
		return &CommandError{126, cmd + ": " + strings.ToUpper(msg[:1]) + msg[1:]}
	}
	return &CommandError{126, cmd + ": " + err.Error()}
}
