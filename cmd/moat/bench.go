package main

import (
	"github.com/spf13/cobra"
)

func newBenchCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "bench [SUITE...]",
		Short: "Measure moat against native Linux",
		RunE: func(cmd *cobra.Command, args []string) error {
			return &exitError{1, "bench: not built yet"}
		},
	}
}
