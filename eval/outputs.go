package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// Record is one line of an outputs JSONL file: the fields the reference runner writes
// (prompt, questions, answers, length, pred) plus optional metadata of this project.
type Record struct {
	Prompt    string   `json:"prompt"`
	Questions []string `json:"questions"`
	Answers   []string `json:"answers"`
	Length    int      `json:"length"` // prompt length in Unicode code points, as Python's len()
	Pred      string   `json:"pred"`   // the generated text, special tokens removed
	// Index is the task's index in its source set; -1 when the line has none (reference files).
	Index  int            `json:"index"`
	Subset string         `json:"subset,omitempty"`
	Meta   map[string]any `json:"meta,omitempty"` // free-form: method, budgets, tokens, timings
}

// NewRecord makes the record of a finished task.
func NewRecord(t Task, pred string) Record {
	return Record{
		Prompt: t.Prompt, Questions: t.Questions, Answers: t.Answers,
		Length: utf8.RuneCountInString(t.Prompt), Pred: pred, Index: t.Index, Subset: t.Subset,
	}
}

// ReadOutputs reads every record of an outputs file. Any line that does not decode is an
// error wrapping ErrBadRecord, including a torn last line left by an interrupted run.
func ReadOutputs(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, _, err := readRecords(f, path, false)
	return recs, err
}

// readRecords decodes records; lenient skips a final line that has no newline and does not
// decode (a write cut short) and reports the byte length of the well-formed prefix.
func readRecords(r io.Reader, name string, lenient bool) ([]Record, int64, error) {
	var recs []Record
	var good int64
	err := forEachLine(r, func(n int, end int64, line []byte) error {
		rec, err := decodeRecord(line)
		if err != nil {
			if lenient && line[len(line)-1] != '\n' {
				return nil
			}
			return fmt.Errorf("%w: %s line %d: %v", ErrBadRecord, name, n+1, err)
		}
		recs = append(recs, rec)
		good = end
		return nil
	})
	return recs, good, err
}

func decodeRecord(line []byte) (Record, error) {
	var raw struct {
		Record
		Index  *int    `json:"index"`
		Prompt *string `json:"prompt"`
		Pred   *string `json:"pred"`
	}
	if err := json.Unmarshal(line, &raw); err != nil {
		return Record{}, err
	}
	if raw.Prompt == nil || raw.Pred == nil {
		return Record{}, errors.New("missing prompt or pred")
	}
	rec := raw.Record
	rec.Prompt, rec.Pred, rec.Index = *raw.Prompt, *raw.Pred, -1
	if raw.Index != nil {
		rec.Index = *raw.Index
	}
	return rec, nil
}

// Completed reports which task indices an outputs file already holds, for resuming. A
// missing file means none. Records without an index (files of the reference runner) count
// by their position in the file; use Remaining to match those by prompt instead. A torn
// last line is ignored.
func Completed(path string) (map[int]bool, error) {
	recs, err := readLenient(path)
	done := map[int]bool{}
	for i, r := range recs {
		if r.Index >= 0 {
			done[r.Index] = true
		} else {
			done[i] = true
		}
	}
	return done, err
}

// Remaining returns the tasks an outputs file does not hold yet, matching records by index
// when they have one and by prompt text otherwise.
func Remaining(path string, tasks []Task) ([]Task, error) {
	recs, err := readLenient(path)
	if err != nil {
		return nil, err
	}
	byIndex, byPrompt := map[int]bool{}, map[string]bool{}
	for _, r := range recs {
		if r.Index >= 0 {
			byIndex[r.Index] = true
		} else {
			byPrompt[r.Prompt] = true
		}
	}
	var left []Task
	for _, t := range tasks {
		if !byIndex[t.Index] && !byPrompt[t.Prompt] {
			left = append(left, t)
		}
	}
	return left, nil
}

func readLenient(path string) ([]Record, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, _, err := readRecords(f, path, true)
	return recs, err
}

// OutputWriter appends records to an outputs file, one JSON line each, synced to disk after
// every record so that an interrupted run loses at most the prompt in progress.
type OutputWriter struct {
	f *os.File
}

// CreateOutputs starts a new outputs file, replacing any existing one.
func CreateOutputs(path string) (*OutputWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &OutputWriter{f: f}, nil
}

// AppendOutputs opens an outputs file for resuming (creating it if needed). A torn last
// line from an interrupted write is cut off first, so appended lines stay well-formed.
func AppendOutputs(path string) (*OutputWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	_, good, err := readRecords(f, path, true)
	if err == nil {
		err = f.Truncate(good)
	}
	if err == nil {
		_, err = f.Seek(good, io.SeekStart)
	}
	if err == nil {
		err = endWithNewline(f, good)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &OutputWriter{f: f}, nil
}

// endWithNewline adds the newline a well-formed last record may lack (the file offset is
// at its end), so the next record starts on a line of its own.
func endWithNewline(f *os.File, size int64) error {
	if size == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	_, err := f.Write([]byte{'\n'})
	return err
}

// Write appends one record as a single line.
func (w *OutputWriter) Write(r Record) error {
	if w.f == nil {
		return os.ErrClosed
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "<<SYS>>" readable
	if err := enc.Encode(r); err != nil {
		return err
	}
	if _, err := w.f.Write(buf.Bytes()); err != nil {
		return err
	}
	return w.f.Sync()
}

// Close closes the file; a second Close is harmless.
func (w *OutputWriter) Close() error {
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
