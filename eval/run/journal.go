package run

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// journalEntry is one finished run of a recall sweep, as a line of the journal.
type journalEntry struct {
	Model   string    `json:"model"`
	Set     string    `json:"set"`
	Prompts int       `json:"prompts"`
	Run     RecallRun `json:"run"`
}

func (e journalEntry) key() string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%s", e.Model, e.Set, e.Prompts, e.Run.Spec.Name)
}

// readJournal returns the runs a journal holds, by model, set, prompt count and spec. A
// missing file holds none; a line that does not parse (one cut short when the sweep was
// killed) is skipped, so that run is done again.
func readJournal(path string) (map[string]RecallRun, error) {
	done := map[string]RecallRun{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return done, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var e journalEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Run.Spec.Name != "" {
			done[e.key()] = e.Run
		}
	}
	return done, sc.Err()
}

// journal appends finished runs to a JSONL file; workers share it.
type journal struct {
	mu sync.Mutex
	f  *os.File
}

// openJournal opens path for appending, first ending a line cut short by a kill.
func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	if err := endLine(f); err != nil {
		f.Close()
		return nil, err
	}
	return &journal{f: f}, nil
}

// endLine writes a newline when f is not empty and does not end with one.
func endLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil && err != io.EOF {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	_, err = f.Write([]byte{'\n'})
	return err
}

// add appends one run as a single write.
func (j *journal) add(e journalEntry) error {
	if j == nil {
		return nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, err = j.f.Write(append(b, '\n'))
	return err
}

func (j *journal) close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}
