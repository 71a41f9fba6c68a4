package run

import (
	"context"
	"fmt"
	"slices"

	"github.com/scopekv/scope/runtime"
	"github.com/scopekv/scope/scope"
)

// DriftOptions configures the heavy-hitter drift probe (claim C2).
type DriftOptions struct {
	MaxTokens int           // T: new tokens per prompt
	Steps     []int         // decode steps to probe; nil = 1, T/8, T/4, T/2 (step 1 is always added)
	Layers    []int         // layers to probe; nil = first, middle and last
	Top       float64       // fraction of resident keys in the top set; 0 = 0.15
	Recent    int           // window of newest positions reported apart; 0 = 32
	KV        *scope.Config // policy (nil = full cache)
	NoBOS     bool
}

// DriftLayer is the probe of one layer, averaged over the prompts that reached each step.
type DriftLayer struct {
	Layer           int       `json:"layer"`
	Steps           []int     `json:"steps"`
	TopKeys         []float64 `json:"top_keys"`         // mean size of the top set
	DecodedFraction []float64 `json:"decoded_fraction"` // share of the top set at positions >= prompt length
	RecentFraction  []float64 `json:"recent_fraction"`  // share of the top set among the newest Recent positions
	DecodedMass     []float64 `json:"decoded_mass"`     // attention probability on decoded keys
	OldDecodedMass  []float64 `json:"old_decoded_mass"` // ... on decoded keys older than the newest Recent
	DecodedCover    []float64 `json:"decoded_cover80"`  // decoded keys holding 80% of the decoded attention
	Overlap         []float64 `json:"overlap_step1"`    // Jaccard overlap with the step-1 top set
	Prompts         []int     `json:"prompts"`          // prompts that reached the step
}

// Drift is the result of the drift probe over a set of prompts.
type Drift struct {
	Top        float64      `json:"top_fraction"`
	Recent     int          `json:"recent"`
	Prompts    int          `json:"prompts"`
	PromptLens []int        `json:"prompt_lens"`
	Generated  []int        `json:"generated"`
	Layers     []DriftLayer `json:"layers"`
}

// DefaultDriftSteps returns 1, T/8, T/4 and T/2 (distinct, at least 1).
func DefaultDriftSteps(t int) []int {
	return uniqueSorted([]int{1, max(1, t/8), max(1, t/4), max(1, t/2)})
}

// DefaultLayers returns the first, middle and last layer of a model of n layers.
func DefaultLayers(n int) []int {
	return uniqueSorted([]int{0, n / 2, n - 1})
}

func uniqueSorted(v []int) []int {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// RunDrift generates greedily from each prompt with a probe at the chosen steps and
// layers, and measures where the top keys of the head-averaged current-query attention lie.
func RunDrift(ctx context.Context, m *runtime.Model, prompts []string, o DriftOptions) (Drift, error) {
	if o.MaxTokens <= 0 || len(prompts) == 0 {
		return Drift{}, fmt.Errorf("%w: drift probe needs prompts and a positive token count", ErrInput)
	}
	if o.Top == 0 {
		o.Top = 0.15
	}
	if o.Recent == 0 {
		o.Recent = 32
	}
	if o.Top < 0 || o.Top > 1 || o.Recent < 0 {
		return Drift{}, fmt.Errorf("%w: top fraction %g outside (0, 1]", ErrInput, o.Top)
	}
	steps := o.Steps
	if steps == nil {
		steps = DefaultDriftSteps(o.MaxTokens)
	}
	steps = uniqueSorted(append(slices.Clone(steps), 1))
	steps = slices.DeleteFunc(steps, func(s int) bool { return s < 1 })
	layers := o.Layers
	if layers == nil {
		layers = DefaultLayers(m.Config().NLayers)
	}
	for _, l := range layers {
		if l < 0 || l >= m.Config().NLayers {
			return Drift{}, fmt.Errorf("%w: layer %d outside 0..%d", ErrInput, l, m.Config().NLayers-1)
		}
	}
	s, err := m.NewSession(runtime.SessionOptions{KV: o.KV})
	if err != nil {
		return Drift{}, err
	}
	defer s.Close()
	c := newDriftCollector(o.Top, o.Recent, steps, layers)
	s.SetProbe(&runtime.Probe{Steps: steps, Layers: layers, Fn: c.observe})
	d := Drift{Top: o.Top, Recent: o.Recent, Prompts: len(prompts)}
	for i, p := range prompts {
		res, err := s.Generate(ctx, p, runtime.GenerateOptions{MaxTokens: o.MaxTokens, NoBOS: o.NoBOS})
		if err != nil {
			return Drift{}, fmt.Errorf("prompt %d: %w", i, err)
		}
		c.endPrompt()
		d.PromptLens = append(d.PromptLens, res.PromptTokens)
		d.Generated = append(d.Generated, len(res.Tokens))
	}
	d.Layers = c.result()
	return d, nil
}

type layerStep struct{ layer, step int }

// driftCollector turns probe samples into per-prompt top sets and sums them over prompts.
type driftCollector struct {
	top           float64
	recent        int
	steps, layers []int
	cur           map[layerStep][]int32 // this prompt's top sets
	frac          map[layerStep]float64 // this prompt's decoded fractions
	near          map[layerStep]float64 // this prompt's recent-window fractions
	mass, old     map[layerStep]float64 // this prompt's decoded and old decoded attention
	cover         map[layerStep]float64 // this prompt's decoded keys covering 80% of it
	sumFrac       map[layerStep]float64
	sumNear       map[layerStep]float64
	sumMass       map[layerStep]float64
	sumOld        map[layerStep]float64
	sumCover      map[layerStep]float64
	sumOverlap    map[layerStep]float64
	sumTop        map[layerStep]float64
	count         map[layerStep]int
}

func newDriftCollector(top float64, recent int, steps, layers []int) *driftCollector {
	return &driftCollector{top: top, recent: recent, steps: steps, layers: layers,
		cur: map[layerStep][]int32{}, frac: map[layerStep]float64{}, near: map[layerStep]float64{},
		mass: map[layerStep]float64{}, old: map[layerStep]float64{}, cover: map[layerStep]float64{},
		sumCover: map[layerStep]float64{},
		sumFrac:  map[layerStep]float64{}, sumNear: map[layerStep]float64{}, sumOverlap: map[layerStep]float64{},
		sumMass: map[layerStep]float64{}, sumOld: map[layerStep]float64{},
		sumTop: map[layerStep]float64{}, count: map[layerStep]int{}}
}

func (c *driftCollector) observe(s runtime.ProbeSample) error {
	keys, err := HeadAverage(s)
	if err != nil {
		return err
	}
	top := TopKeys(keys, c.top)
	k := layerStep{s.Layer, s.Step}
	c.cur[k] = top
	c.frac[k] = DecodedFraction(top, s.PromptLen)
	newest := s.PromptLen + s.Step - 1 // the current token's position
	c.near[k] = DecodedFraction(top, newest-c.recent+1)
	c.mass[k] = MassFrom(keys, s.PromptLen)
	c.old[k] = c.mass[k] - MassFrom(keys, max(s.PromptLen, newest-c.recent+1))
	c.cover[k] = float64(Cover(keys, s.PromptLen, 0.8))
	return nil
}

// endPrompt folds the finished prompt's sets into the sums and clears them.
func (c *driftCollector) endPrompt() {
	for k, top := range c.cur {
		c.sumFrac[k] += c.frac[k]
		c.sumNear[k] += c.near[k]
		c.sumMass[k] += c.mass[k]
		c.sumOld[k] += c.old[k]
		c.sumCover[k] += c.cover[k]
		c.sumOverlap[k] += Jaccard(top, c.cur[layerStep{k.layer, 1}])
		c.sumTop[k] += float64(len(top))
		c.count[k]++
	}
	clear(c.cur)
	clear(c.frac)
	clear(c.near)
	clear(c.mass)
	clear(c.old)
	clear(c.cover)
}

func (c *driftCollector) result() []DriftLayer {
	var out []DriftLayer
	for _, l := range c.layers {
		dl := DriftLayer{Layer: l}
		for _, st := range c.steps {
			k := layerStep{l, st}
			n := c.count[k]
			if n == 0 {
				continue
			}
			dl.Steps = append(dl.Steps, st)
			dl.TopKeys = append(dl.TopKeys, c.sumTop[k]/float64(n))
			dl.DecodedFraction = append(dl.DecodedFraction, c.sumFrac[k]/float64(n))
			dl.RecentFraction = append(dl.RecentFraction, c.sumNear[k]/float64(n))
			dl.DecodedMass = append(dl.DecodedMass, c.sumMass[k]/float64(n))
			dl.OldDecodedMass = append(dl.OldDecodedMass, c.sumOld[k]/float64(n))
			dl.DecodedCover = append(dl.DecodedCover, c.sumCover[k]/float64(n))
			dl.Overlap = append(dl.Overlap, c.sumOverlap[k]/float64(n))
			dl.Prompts = append(dl.Prompts, n)
		}
		out = append(out, dl)
	}
	return out
}
