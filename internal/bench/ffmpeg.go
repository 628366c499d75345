package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// ffmpegSuite times ffmpeg starting and transcoding a video to H.264 (the
// guide's ffmpeg figure: start + transcode a 27 MB video).
type ffmpegSuite struct {
	bin, input string
}

// The input: ffmpeg's own test sources, MPEG-4 Part 2 video at 7 Mbit/s
// plus AAC audio, about 27 MB, generated once and cached.
const (
	ffmpegInputSeconds = 30
	ffmpegPreset       = "veryfast"
	ffmpegQuickSeconds = 5
)

func (s *ffmpegSuite) Name() string { return "ffmpeg" }
func (s *ffmpegSuite) Describe() string {
	return "Media (guide figure \"ffmpeg\"): start ffmpeg and transcode a ~27 MB MPEG-4 video to H.264 (`-c:v libx264 -preset " + ffmpegPreset + "`); wall time"
}
func (s *ffmpegSuite) Needs() string      { return "ffmpeg (with libx264, as Debian's is)" }
func (s *ffmpegSuite) Packages() []string { return []string{"ffmpeg"} }

func (s *ffmpegSuite) Notes(env *Env) []string {
	notes := []string{
		fmt.Sprintf("Input: %d s of ffmpeg's testsrc2 pattern (1280x720, 30 fps) and a sine tone, MPEG-4 Part 2 at 7 Mbit/s (about 27 MB, like the guide's sample video, which cannot be fetched here), made once and cached. Preset %s rather than the guide's veryslow, so a native run takes well under a minute on 2 cores.", ffmpegInputSeconds, ffmpegPreset),
		"The output goes to the runtime's tmpfs; the page cache is dropped before each run, as the guide did.",
	}
	if env.Quick {
		notes = append(notes, fmt.Sprintf("Quick: only the first %d s of the input are transcoded.", ffmpegQuickSeconds))
	}
	return notes
}

func (s *ffmpegSuite) Prepare(ctx context.Context, env *Env) error {
	var err error
	if s.bin, err = lookTool("ffmpeg"); err != nil {
		return err
	}
	dir, err := filepath.Abs(filepath.Join(env.CacheDir, "inputs"))
	if err != nil {
		return err
	}
	s.input = filepath.Join(dir, fmt.Sprintf("testsrc2-%ds-mpeg4.mp4", ffmpegInputSeconds))
	if fi, err := os.Stat(s.input); err == nil && fi.Size() > 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := s.input + fmt.Sprintf(".tmp%d.mp4", os.Getpid())
	defer os.Remove(tmp)
	if _, err := runHost(ctx, env, s.bin, "-nostdin", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=1280x720:rate=30:duration=%d", ffmpegInputSeconds),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:duration=%d", ffmpegInputSeconds),
		"-c:v", "mpeg4", "-b:v", "7M", "-c:a", "aac", "-b:a", "128k", tmp); err != nil {
		return fmt.Errorf("making the input video: %v", err)
	}
	return os.Rename(tmp, s.input)
}

func (s *ffmpegSuite) Workloads(env *Env) []Workload {
	m := Metric{Name: "run_time", Unit: "s", LowerIsBetter: true}
	return []Workload{single("transcode", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
		if err := dropCaches(); err != nil {
			env.Log.Debug("bench: ffmpeg: page cache kept", "err", err)
		}
		out := filepath.Join(TmpDir(rt, env), "moat-bench-ffmpeg.mp4")
		argv := []string{s.bin, "-nostdin", "-loglevel", "error", "-y", "-i", s.input}
		if env.Quick {
			argv = append(argv, "-t", fmt.Sprint(ffmpegQuickSeconds))
		}
		argv = append(argv, "-c:v", "libx264", "-preset", ffmpegPreset, "-c:a", "copy", out)
		_, took, err := runSpecTimed(ctx, env, rt, Spec{Argv: argv, Tmpfs: true})
		if !rt.Isolated() {
			os.Remove(out)
		}
		if err != nil {
			return 0, err
		}
		return took.Seconds(), nil
	})}
}
