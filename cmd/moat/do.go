package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/moat-sandbox/moat/internal/sandbox"
)

func newDoCommand(g *globalFlags) *cobra.Command {
	var (
		plat     string
		strace   string
		maxTasks int
		noPin    bool
		rootfs   string
		volumes  []string
		network  string
	)
	cmd := &cobra.Command{
		Use:   "do [flags] [--] CMD [ARG...]",
		Short: "Run a command in a sandbox",
		Long: `Run CMD in a new sandbox. CMD is looked up in PATH, gets the caller's
environment, working directory and stdio, and moat exits with its status
(128+N when signal N killed it).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("do: no command given (usage: moat do [flags] [--] CMD [ARG...])")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			log, closeLog, err := openDebugLog(g.debugLog)
			if err != nil {
				return &exitError{125, err.Error()}
			}
			defer closeLog()
			var straceOut io.Writer
			if cmd.Flags().Changed("strace") {
				if strace == "" || strace == "-" {
					straceOut = os.Stderr
				} else {
					f, err := os.OpenFile(strace, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
					if err != nil {
						return &exitError{125, fmt.Sprintf("--strace: %v", err)}
					}
					defer f.Close()
					straceOut = f
				}
			}
			var vols []sandbox.Volume
			for _, v := range volumes {
				vol, err := sandbox.ParseVolume(v)
				if err != nil {
					return &exitError{125, err.Error()}
				}
				vols = append(vols, vol)
			}
			status, err := sandbox.Do(sandbox.Options{
				Rootfs:   rootfs,
				Volumes:  vols,
				Argv:     args,
				Env:      os.Environ(),
				Platform: plat,
				NoPin:    noPin,
				Strace:   straceOut,
				Log:      log,
				MaxTasks: maxTasks,
				Network:  network,
			})
			if err != nil {
				var ce *sandbox.CommandError
				if errors.As(err, &ce) {
					return &exitError{ce.Status, ce.Msg}
				}
				return &exitError{125, err.Error()}
			}
			return &exitError{status: status}
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags stop at CMD: `moat do ls -la`
	f.StringVar(&plat, "platform", "ptrace", "how application code is run: "+strings.Join(sandbox.Platforms, ", "))
	f.StringVar(&strace, "strace", "", "print every system call to `FILE` (stderr when no file is given)")
	f.Lookup("strace").NoOptDefVal = "-"
	f.StringVar(&rootfs, "rootfs", "/", "the host `DIR` shown as the sandbox's root, read-only under an in-memory writable layer")
	f.StringArrayVar(&volumes, "volume", nil, "bind host directory HOST at CONTAINER, writable unless :ro (`HOST:CONTAINER[:ro]`)")
	f.StringVar(&network, "network", "none", "the application's network: none (loopback only) or host (the host's, through sockets moat holds)")
	f.IntVar(&maxTasks, "max-tasks", 0, "the sandbox's task limit (default 4096)")
	f.BoolVar(&noPin, "no-pin", false, "do not pin each application thread and its tracer to one CPU (for measurement)")
	f.MarkHidden("no-pin")
	return cmd
}

// openDebugLog opens the --debug-log file; without one, diagnostics are
// dropped.
func openDebugLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("--debug-log: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { f.Close() }, nil
}
