package eval

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sampleRecord(i int) Record {
	return Record{
		Prompt: "<<SYS>>\n x \n<</SYS>>\n\nQ" + strings.Repeat("é", i), Questions: []string{"q"},
		Answers: []string{"A"}, Length: 25 + i, Pred: "Answer_6: The answer is (A)", Index: i,
		Meta: map[string]any{"method": "slide", "tokens": 17.0},
	}
}

func TestOutputsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	w, err := CreateOutputs(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := w.Write(sampleRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil || w.Close() != nil {
		t.Fatalf("close: %v", err)
	}
	if err := w.Write(sampleRecord(9)); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Count(string(raw), "\n") != 3 || !strings.Contains(string(raw), "<<SYS>>") {
		t.Fatalf("file:\n%s", raw)
	}
	recs, err := ReadOutputs(path)
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for i, r := range recs {
		want := sampleRecord(i)
		if r.Prompt != want.Prompt || r.Index != i || r.Length != want.Length || r.Pred != want.Pred ||
			r.Meta["method"] != "slide" || r.Meta["tokens"] != 17.0 {
			t.Fatalf("record %d: %+v", i, r)
		}
	}
}

// Files of the reference runner have no index: it reads as -1.
func TestReadOutputsReferenceFile(t *testing.T) {
	recs, err := ReadOutputs(storedOutputs(t, CSQA))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 30 || recs[0].Index != -1 || recs[0].Length != 8085 || recs[0].Pred == "" {
		t.Fatalf("%d records, first %+v", len(recs), recs[0].Index)
	}
	done, err := Completed(storedOutputs(t, CSQA))
	if err != nil || len(done) != 30 || !done[0] || !done[29] {
		t.Fatalf("completed %v %v", done, err)
	}
	// The MMLU file lacks lines 21, 30, 31, 48 of its set: matching by prompt finds that.
	tasks, err := LoadLongGenBench(lgbDir(t), MMLU)
	if err != nil {
		t.Fatal(err)
	}
	left, err := Remaining(storedOutputs(t, MMLU), tasks)
	if err != nil || len(left) != 0 {
		t.Fatalf("remaining %d, %v", len(left), err)
	}
}

func TestReadOutputsErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"bad json":     `{"prompt":"p","pred":"x"}` + "\n{oops\n",
		"missing pred": `{"prompt":"p"}` + "\n",
		"torn line":    `{"prompt":"p","pred":"x"}` + "\n" + `{"prompt":"p","pr`,
	}
	for name, body := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(path, []byte(body), 0o644)
		if _, err := ReadOutputs(path); !errors.Is(err, ErrBadRecord) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ReadOutputs(filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// Resuming after a crash in the middle of a write: the torn line is ignored by Completed,
// cut by AppendOutputs, and the file reads cleanly afterwards.
func TestResumeAfterTornWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	if done, err := Completed(path); err != nil || len(done) != 0 {
		t.Fatalf("missing file: %v %v", done, err)
	}
	w, _ := CreateOutputs(path)
	w.Write(sampleRecord(4))
	w.Write(sampleRecord(7))
	w.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"prompt": "half a rec`)
	f.Close()

	done, err := Completed(path)
	if err != nil || len(done) != 2 || !done[4] || !done[7] {
		t.Fatalf("completed %v %v", done, err)
	}
	tasks := []Task{{Index: 3}, {Index: 4}, {Index: 7}, {Index: 8}}
	left, err := Remaining(path, tasks)
	if err != nil || len(left) != 2 || left[0].Index != 3 || left[1].Index != 8 {
		t.Fatalf("remaining %+v %v", left, err)
	}
	w, err = AppendOutputs(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(sampleRecord(3))
	w.Close()
	recs, err := ReadOutputs(path)
	if err != nil || len(recs) != 3 || recs[2].Index != 3 {
		t.Fatalf("after resume: %d records, %v", len(recs), err)
	}
}

// A complete last record without its newline is kept, and the next one starts a new line.
func TestAppendAfterMissingNewline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	os.WriteFile(path, []byte(`{"prompt":"p","pred":"x","index":2}`), 0o644)
	w, err := AppendOutputs(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(sampleRecord(5))
	w.Close()
	recs, err := ReadOutputs(path)
	if err != nil || len(recs) != 2 || recs[0].Index != 2 || recs[1].Index != 5 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	// A corrupt line that is not the last one is not a torn write: refuse to append.
	os.WriteFile(path, []byte("{bad\n"+`{"prompt":"p","pred":"x"}`+"\n"), 0o644)
	if _, err := AppendOutputs(path); !errors.Is(err, ErrBadRecord) {
		t.Fatalf("corrupt middle line: %v", err)
	}
}

func TestNewRecordLengthCountsCodePoints(t *testing.T) {
	r := NewRecord(Task{Prompt: "a’b", Index: 5, Subset: GSM8K}, "out")
	if r.Length != 3 || r.Index != 5 || r.Pred != "out" || r.Subset != GSM8K {
		t.Fatalf("%+v", r)
	}
}
