// prom-parse reads the Prometheus text exposition format on stdin with the Prometheus project's own
// parser (github.com/prometheus/common/expfmt) and writes its metric families as JSON on stdout.
// The tests use it to check what /metrics serves with the parser Prometheus itself scrapes with.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// number is a sample value: a JSON number, or the string "NaN", "+Inf" or "-Inf" that JSON has no number for.
type number float64

func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return json.Marshal(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return json.Marshal(f)
}

type bucket struct {
	UpperBound string `json:"le"`
	Count      uint64 `json:"count"`
}

type sample struct {
	Labels  map[string]string `json:"labels"`
	Value   *number           `json:"value,omitempty"`
	Count   *uint64           `json:"count,omitempty"`
	Sum     *number           `json:"sum,omitempty"`
	Buckets []bucket          `json:"buckets,omitempty"`
}

type family struct {
	Name    string   `json:"name"`
	Help    string   `json:"help"`
	Type    string   `json:"type"`
	Samples []sample `json:"samples"`
}

func main() {
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	names := make([]string, 0, len(families))
	for name := range families {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]family, 0, len(names))
	for _, name := range names {
		mf := families[name]
		f := family{Name: name, Help: mf.GetHelp(), Type: mf.GetType().String()}
		for _, m := range mf.GetMetric() {
			s := sample{Labels: map[string]string{}}
			for _, l := range m.GetLabel() {
				s.Labels[l.GetName()] = l.GetValue()
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				v := number(m.GetCounter().GetValue())
				s.Value = &v
			case dto.MetricType_GAUGE:
				v := number(m.GetGauge().GetValue())
				s.Value = &v
			case dto.MetricType_UNTYPED:
				v := number(m.GetUntyped().GetValue())
				s.Value = &v
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				c, sum := h.GetSampleCount(), number(h.GetSampleSum())
				s.Count, s.Sum = &c, &sum
				for _, b := range h.GetBucket() {
					s.Buckets = append(s.Buckets, bucket{UpperBound: strconv.FormatFloat(b.GetUpperBound(), 'g', -1, 64), Count: b.GetCumulativeCount()})
				}
			case dto.MetricType_SUMMARY:
				sm := m.GetSummary()
				c, sum := sm.GetSampleCount(), number(sm.GetSampleSum())
				s.Count, s.Sum = &c, &sum
			}
			f.Samples = append(f.Samples, s)
		}
		out = append(out, f)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
