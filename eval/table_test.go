package eval

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Writing the scores of the stored outputs reproduces results.csv byte for byte.
func TestWriteCSVReproducesResultsFile(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(lgbDir(t), "outputs-llama31-8b-fullcache", "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	row := Row{Name: "ALLKV+None"}
	for _, s := range subsets {
		_, score, _, err := ScoreOutputs(storedOutputs(t, s))
		if err != nil {
			t.Fatal(err)
		}
		row.Values = append(row.Values, score)
	}
	var b bytes.Buffer
	tab := Table{Corner: "dataset", Columns: subsets, Rows: []Row{row}}
	if err := tab.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Fatalf("got %q\nwant %q", b.String(), want)
	}
	// The paper's Avg. for Full Cache (4K) is 59.78.
	avg := tab.WithAverage("Avg.")
	if v := avg.Rows[0].Values[3]; math.Abs(v-59.7750) > 5e-4 || len(tab.Columns) != 3 {
		t.Fatalf("avg %v", v)
	}
}

func TestTableFormats(t *testing.T) {
	tab := Table{Corner: "method", Columns: []string{"a|b", "c"}, Decimals: 3, Rows: []Row{
		{Name: "x", Values: []float64{50, 12.34567}},
		{Name: "y", Values: []float64{math.NaN()}},
	}}
	var c, m bytes.Buffer
	if err := tab.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if got := c.String(); got != "method,a|b,c\r\nx,50.0,12.3457\r\ny,-1,-1\r\n" {
		t.Fatalf("csv %q", got)
	}
	if err := tab.WriteMarkdown(&m); err != nil {
		t.Fatal(err)
	}
	want := "| method | a\\|b | c |\n|---|---:|---:|\n| x | 50.000 | 12.346 |\n| y | – | – |\n"
	if m.String() != want {
		t.Fatalf("markdown %q", m.String())
	}
	back, err := ReadTableCSV(&c)
	if err != nil || len(back.Rows) != 2 || back.Rows[1].Values[0] == back.Rows[1].Values[0] || back.Rows[0].Values[1] != 12.3457 {
		t.Fatalf("read back %+v %v", back, err)
	}
	avg := tab.WithAverage("avg")
	if !math.IsNaN(avg.Rows[1].Values[1]) || avg.Rows[0].Values[2] != (50+12.34567)/2 {
		t.Fatalf("average %+v", avg.Rows)
	}
}

func TestReadTableCSVErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":      "",
		"not number": "dataset,a\nm,x\n",
		"short row":  "dataset,a,b\nm,1\n",
	} {
		if _, err := ReadTableCSV(strings.NewReader(in)); !errors.Is(err, ErrBadRecord) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
