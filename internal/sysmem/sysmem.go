// Package sysmem reports the host's memory, read from /proc/meminfo the first time it is
// asked for (never when a package loads).
package sysmem

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Total returns the host's RAM in bytes, or 0 when unknown.
var Total = sync.OnceValue(func() int64 { return meminfo("MemTotal:") })

// meminfo returns one field of /proc/meminfo in bytes, or 0.
func meminfo(field string) int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == field {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil || kb < 0 {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}
