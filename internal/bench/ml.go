package bench

import (
	"context"
	_ "embed"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

//go:embed helpers/cnn.py
var cnnPy []byte

// mlSuite times training a small CNN, start-up included (the guide's
// tensorflow figure: its convolutional network example).
type mlSuite struct {
	python, script, framework string
}

func (s *mlSuite) Name() string { return "ml" }
func (s *mlSuite) Describe() string {
	return "Machine learning (guide figure \"tensorflow\"): start Python and train a small CNN for a fixed number of steps on generated data; wall time"
}
func (s *mlSuite) Needs() string {
	return "python3 with numpy (python3-numpy), or PyTorch (python3-torch) when installed"
}
func (s *mlSuite) Packages() []string { return []string{"python3", "python3-numpy"} }

func (s *mlSuite) steps(env *Env) int {
	if env.Quick {
		return 50
	}
	return 400
}

func (s *mlSuite) Notes(env *Env) []string {
	fw := s.framework
	if fw == "" {
		fw = "PyTorch if installed, else numpy"
	}
	return []string{fmt.Sprintf("Framework: %s (TensorFlow is not packaged in Debian). One 3x3 convolution with 16 filters, max-pool, a dense layer, SGD; %d steps of 64 generated 28x28 images (the guide trained on MNIST, which cannot be fetched here). The time includes Python's and the framework's start-up.", fw, s.steps(env))}
}

func (s *mlSuite) Prepare(ctx context.Context, env *Env) error {
	var err error
	if s.python, err = lookTool("python3"); err != nil {
		return err
	}
	s.framework = "numpy"
	if exec.CommandContext(ctx, s.python, "-c", "import torch").Run() == nil {
		s.framework = "torch"
	} else if out, err := exec.CommandContext(ctx, s.python, "-c", "import numpy").CombinedOutput(); err != nil {
		return fmt.Errorf("%s cannot import numpy (apt-get install python3-numpy): %s", s.python, FirstLine(string(out)))
	}
	s.script, err = writeHelperFile(env, "cnn.py", cnnPy)
	return err
}

func (s *mlSuite) Workloads(env *Env) []Workload {
	m := Metric{Name: "run_time", Unit: "s", LowerIsBetter: true}
	return []Workload{single("cnn-train", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
		out, took, err := runSpecTimed(ctx, env, rt, Spec{Argv: []string{s.python, s.script, strconv.Itoa(s.steps(env)), s.framework}})
		if err != nil {
			return 0, err
		}
		if !strings.Contains(string(out), "last_loss=") {
			return 0, fmt.Errorf("unparsable output: %q", FirstLine(string(out)))
		}
		return took.Seconds(), nil
	})}
}
