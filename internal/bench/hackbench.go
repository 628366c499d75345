package bench

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"regexp"
	"strconv"
)

//go:embed helpers/hackbench.c
var hackbenchSource []byte

// hackbenchSuite passes messages between groups of processes or threads
// over pipes or Unix sockets: scheduler and IPC cost (gVisor runs
// hackbench; the guide publishes no figure of it).
type hackbenchSuite struct {
	helper string
}

// Groups of 20 senders and 20 receivers; loops per sender and receiver
// pair at WorkScale 1.
const (
	hackbenchGroups     = 2
	hackbenchLoops      = 500
	hackbenchLoopsQuick = 100
)

func (s *hackbenchSuite) Name() string { return "hackbench" }
func (s *hackbenchSuite) Describe() string {
	return "Message passing (hackbench-style; gVisor runs hackbench, the guide has no figure): 100-byte messages between groups of 20 senders and 20 receivers over pipes or Unix sockets, as processes or threads; ns per message"
}
func (s *hackbenchSuite) Needs() string      { return "gcc and a static libc to build its helper" }
func (s *hackbenchSuite) Packages() []string { return []string{"gcc", "libc6-dev"} }

func (s *hackbenchSuite) Notes(env *Env) []string {
	return []string{fmt.Sprintf("%d groups (%d tasks; hackbench's default is 10 groups) for a 2-core machine; %d loops natively, fewer under intercepting runtimes (WorkScale): the result is per message either way.",
		hackbenchGroups, hackbenchGroups*40, hackbenchLoopCount(env.Quick, 1))}
}

func (s *hackbenchSuite) Prepare(ctx context.Context, env *Env) error {
	exe, err := buildHelper(ctx, env, "hackbench", hackbenchSource, "-pthread")
	if err != nil {
		return err
	}
	s.helper = exe
	return nil
}

func hackbenchLoopCount(quick bool, scale float64) int {
	n := hackbenchLoops
	if quick {
		n = hackbenchLoopsQuick
	}
	if scale > 0 && scale < 1 {
		n = int(math.Round(float64(n) * scale))
	}
	return max(n, 5)
}

var hackbenchRE = regexp.MustCompile(`ns_per_message=([0-9.]+)`)

func (s *hackbenchSuite) Workloads(env *Env) []Workload {
	m := Metric{Name: "time_per_message", Unit: "ns", LowerIsBetter: true}
	var ws []Workload
	for _, mode := range []string{"pipe", "socket"} {
		for _, kind := range []string{"process", "thread"} {
			ws = append(ws, single(mode+"-"+kind, m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
				loops := hackbenchLoopCount(env.Quick, rt.WorkScale())
				out, err := runSpec(ctx, env, rt, Spec{Argv: []string{s.helper, mode, kind, strconv.Itoa(hackbenchGroups), strconv.Itoa(loops)}})
				if err != nil {
					return 0, err
				}
				return parseFloatRE(hackbenchRE, string(out))
			}))
		}
	}
	return ws
}
