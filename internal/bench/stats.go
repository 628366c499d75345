package bench

import (
	"math"
	"slices"
)

// Median returns the median of vs (the mean of the middle two for an even
// count) and false when vs is empty. vs is not modified.
func Median(vs []float64) (float64, bool) {
	if len(vs) == 0 {
		return math.NaN(), false
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m], true
	}
	return (s[m-1] + s[m]) / 2, true
}

// PairedRatio returns the median over runs i of vs[i]/base[i]: runs are
// interleaved (base, other, base, other…), so run i of each was taken under
// the same conditions, and the median of per-pair ratios cancels drift that a
// ratio of medians would not. Pairs with a non-positive base are skipped;
// false when no pair is left.
func PairedRatio(vs, base []float64) (float64, bool) {
	var rs []float64
	for i := 0; i < len(vs) && i < len(base); i++ {
		if base[i] > 0 {
			rs = append(rs, vs[i]/base[i])
		}
	}
	return Median(rs)
}

// Summary is what the table shows for one runtime's runs of one workload.
type Summary struct {
	Runs             int
	Median, Min, Max float64
	Ratio            float64 // Median of per-pair ratios to the baseline
	HasRatio         bool
}

// Summarize describes vs; base, the baseline runtime's runs of the same
// workload, may be nil.
func Summarize(vs, base []float64) Summary {
	s := Summary{Runs: len(vs), Median: math.NaN(), Min: math.NaN(), Max: math.NaN(), Ratio: math.NaN()}
	if len(vs) == 0 {
		return s
	}
	s.Median, _ = Median(vs)
	s.Min, s.Max = slices.Min(vs), slices.Max(vs)
	if base != nil {
		s.Ratio, s.HasRatio = PairedRatio(vs, base)
	}
	return s
}
