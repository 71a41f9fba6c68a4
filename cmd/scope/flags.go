package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// alias gives a flag a second name bound to the same variable, as llama.cpp pairs short
// and long forms (-m and --model). Go's flag package takes -x and --x alike.
func alias(fs *flag.FlagSet, name, second string) {
	f := fs.Lookup(name)
	fs.Var(f.Value, second, f.Usage)
}

// printUsage writes a command's flags, the names of one variable on one line
// ("-m, --model string").
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: scope %s [flags]\n\nflags:\n", fs.Name())
	names := map[flag.Value][]string{}
	var order []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if _, seen := names[f.Value]; !seen {
			order = append(order, f)
		}
		names[f.Value] = append(names[f.Value], f.Name)
	})
	for _, f := range order {
		ns := names[f.Value]
		sort.SliceStable(ns, func(i, j int) bool { return len(ns[i]) < len(ns[j]) })
		for i, n := range ns {
			ns[i] = "-" + n
			if len(n) > 1 {
				ns[i] = "--" + n
			}
		}
		typ, usage := flag.UnquoteUsage(f)
		line := "  " + strings.Join(ns, ", ")
		if typ != "" {
			line += " " + typ
		}
		fmt.Fprintf(w, "%s\n    \t%s%s\n", line, strings.ReplaceAll(usage, "\n", "\n    \t"), defaultText(f))
	}
}

// defaultText is " (default X)" unless the default is the zero value.
func defaultText(f *flag.Flag) string {
	switch f.DefValue {
	case "", "0", "false", "[]":
		return ""
	}
	if typ, _ := flag.UnquoteUsage(f); typ == "string" {
		return fmt.Sprintf(" (default %q)", f.DefValue)
	}
	return fmt.Sprintf(" (default %s)", f.DefValue)
}
