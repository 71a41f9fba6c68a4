package eval

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Table is a results table: one row per method, one column per subset. Missing values are
// NaN (the reference writes -1 for them).
type Table struct {
	Corner   string // header of the first column; "dataset" in the reference files
	Columns  []string
	Rows     []Row
	Decimals int // decimals in Markdown (CSV always uses the reference's 4); 0 means 2
}

// Row is one method's scores, aligned with Table.Columns.
type Row struct {
	Name   string
	Values []float64
}

// WithAverage returns a copy with a column holding each row's mean over the existing
// columns (the paper's "Avg."); a row with a missing value gets a missing average.
func (t Table) WithAverage(name string) Table {
	out := t
	out.Columns = append(append([]string(nil), t.Columns...), name)
	out.Rows = make([]Row, len(t.Rows))
	for i, r := range t.Rows {
		sum := 0.0
		for _, v := range r.Values {
			sum += v
		}
		avg := math.NaN()
		if len(r.Values) > 0 {
			avg = sum / float64(len(r.Values))
		}
		out.Rows[i] = Row{Name: r.Name, Values: append(append([]float64(nil), r.Values...), avg)}
	}
	return out
}

// WriteCSV writes the table as the reference's results.csv: values rounded to 4 decimals
// and printed as Python prints floats ("53.2558", "50.0"), -1 for missing, lines ended by
// CRLF as Python's csv module ends them.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	corner := t.Corner
	if corner == "" {
		corner = "dataset"
	}
	if err := cw.Write(append([]string{corner}, t.Columns...)); err != nil {
		return err
	}
	for _, r := range t.Rows {
		rec := []string{r.Name}
		for i := range t.Columns {
			rec = append(rec, pyFloat(r.value(i)))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteMarkdown writes the table as a Markdown table with fixed decimals, "–" for missing.
func (t Table) WriteMarkdown(w io.Writer) error {
	dec := t.Decimals
	if dec <= 0 {
		dec = 2
	}
	var b strings.Builder
	b.WriteString("| " + mdEscape(t.Corner) + " |")
	for _, c := range t.Columns {
		b.WriteString(" " + mdEscape(c) + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(t.Columns)) + "\n")
	for _, r := range t.Rows {
		b.WriteString("| " + mdEscape(r.Name) + " |")
		for i := range t.Columns {
			cell := "–"
			if v := r.value(i); !math.IsNaN(v) {
				cell = strconv.FormatFloat(v, 'f', dec, 64)
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ReadTableCSV reads a results CSV (the reference's or WriteCSV's); -1 reads as missing.
func ReadTableCSV(r io.Reader) (Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return Table{}, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	if len(recs) == 0 || len(recs[0]) == 0 {
		return Table{}, fmt.Errorf("%w: empty results table", ErrBadRecord)
	}
	t := Table{Corner: recs[0][0], Columns: recs[0][1:]}
	for n, rec := range recs[1:] {
		if len(rec) != len(recs[0]) {
			return Table{}, fmt.Errorf("%w: results row %d has %d fields, header %d", ErrBadRecord, n+2, len(rec), len(recs[0]))
		}
		row := Row{Name: rec[0]}
		for _, s := range rec[1:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return Table{}, fmt.Errorf("%w: results row %d: %v", ErrBadRecord, n+2, err)
			}
			if v == -1 {
				v = math.NaN()
			}
			row.Values = append(row.Values, v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func (r Row) value(i int) float64 {
	if i < len(r.Values) {
		return r.Values[i]
	}
	return math.NaN()
}

// pyFloat prints round(v, 4) the way Python's str(float) does for these magnitudes.
func pyFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-1"
	}
	s := strconv.FormatFloat(Round4(v), 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func mdEscape(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
