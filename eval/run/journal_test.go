package run

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func journalLines(t *testing.T, path string) (valid int, lines []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	done, err := readJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	return len(done), lines
}

// TestSweepResumes cuts a sweep's journal short, as a kill would, and runs the sweep again:
// only the missing runs run, and the result equals the uninterrupted one.
func TestSweepResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.jsonl")
	opts := RecallSweepOptions{Models: []string{synthModel(t)}, Sets: []string{recallSet(t, 4, 1)}, Grid: smallGrid(),
		Journal: path, Workers: 2}
	whole, err := SweepRecall(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	n, lines := journalLines(t, path)
	if n != len(whole.Sets[0].Runs) || len(lines) != n {
		t.Fatalf("journal holds %d runs in %d lines, the sweep %d", n, len(lines), len(whole.Sets[0].Runs))
	}
	// Keep two runs and half of a third line.
	cut := strings.Join(lines[:2], "\n") + "\n" + lines[2][:len(lines[2])/2]
	if err := os.WriteFile(path, []byte(cut), 0o644); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	opts.Progress = &progress
	resumed, err := SweepRecall(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "2 of 6 runs already in") {
		t.Errorf("progress %q does not report the resumed runs", progress.String())
	}
	a, _ := WithoutTiming(whole)
	b, _ := WithoutTiming(resumed)
	if !bytes.Equal(a, b) {
		t.Errorf("resumed sweep differs:\n%s\n%s", a, b)
	}
	// Two kept runs, the broken line, then the four runs done again: nothing ran twice.
	if n, lines := journalLines(t, path); n != 6 || len(lines) != 7 {
		t.Errorf("journal after resuming: %d runs in %d lines, want 6 in 7", n, len(lines))
	}
}

// TestSweepChartsLeaveOutEmptyPanels draws a sweep whose plug-in pairs and larger recent
// windows do not fit the set: the panels without data are left out, the rest drawn.
func TestSweepChartsLeaveOutEmptyPanels(t *testing.T) {
	g := smallGrid()
	g.Recents = []int{2, 64} // R=64 exceeds every decode budget of K=4
	g.PluginRecent = 64
	sw, err := SweepRecall(context.Background(), RecallSweepOptions{Models: []string{synthModel(t)},
		Sets: []string{recallSet(t, 4, 1)}, Grid: g})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sw.Sets[0].Runs {
		if r.Spec.Group == GroupPlugin || r.Spec.Recent == 64 {
			t.Fatalf("run %s should not fit this set", r.Spec.Name)
		}
	}
	dir := t.TempDir()
	written, err := RecallCharts(&sw.Sets[0], g, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(written, " "), "_decode") {
		t.Errorf("no decode chart among %v", written)
	}
	if _, err := SweepCharts(sw, dir); err != nil {
		t.Errorf("summary chart: %v", err)
	}
}
