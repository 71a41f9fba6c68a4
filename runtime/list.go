package runtime

import "sync"

// listers describe the devices of each backend; backends add themselves in init.
var (
	listersMu sync.Mutex
	listers   []func(threads int) []string
)

func addLister(f func(threads int) []string) {
	listersMu.Lock()
	defer listersMu.Unlock()
	listers = append(listers, f)
}

// ListDevices describes every compute device this binary can use, one line each.
func ListDevices(threads int) []string {
	listersMu.Lock()
	defer listersMu.Unlock()
	var out []string
	for _, f := range listers {
		out = append(out, f(threads)...)
	}
	out = append(out, "ref: scalar reference backend (slow; for tests)")
	return out
}
