// Command moat runs Linux programs in a sandbox behind moat's own
// application kernel, the Sentry.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

// exitError carries a status for main to exit with, after printing msg.
type exitError struct {
	status int
	msg    string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	root := newRootCommand()
	if err := root.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "moat: "+ee.msg)
			}
			os.Exit(ee.status)
		}
		fmt.Fprintln(os.Stderr, "moat: "+err.Error())
		os.Exit(2) // a usage error: bad flag, bad arguments
	}
}

// globalFlags are the flags every verb takes.
type globalFlags struct {
	debugLog string
}

func newRootCommand() *cobra.Command {
	var g globalFlags
	root := &cobra.Command{
		Use:   "moat",
		Short: "Run Linux programs in a sandbox behind moat's own kernel",
		Long: `moat runs unmodified Linux programs behind the Sentry, an application
kernel written in Go: their system calls never reach the host kernel.

  moat do [flags] [--] CMD [ARG...]   run CMD sandboxed
  moat bench [SUITE...]               measure moat against native Linux`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.debugLog, "debug-log", "", "write diagnostics to `FILE` (never to the application's output)")
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newDoCommand(&g), newVersionCommand(), newBenchCommand(&g))
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print moat's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Printf("moat version %s\n", Version)
		},
	}
}
