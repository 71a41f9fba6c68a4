// Command scope runs transformer models (GGUF, llama2.c) on Vulkan or the CPU, with
// SCOPE KV-cache compression.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{
	"generate": {"generate text from a prompt", runGenerate},
	"tokenize": {"print the token ids of a text", runTokenize},
	"inspect":  {"print a model's metadata, hyper-parameters and tensors", runInspect},
	"synth":    {"write a random-weight model for tests and benchmarks", runSynth},
	"devices":  {"list compute devices", runDevices},
	"chat":     {"hold a conversation with a model's chat template", runChat},
	"template": {"print a chat template's rendering of a conversation", runTemplate},
}

// errUsage marks an error already explained by a usage line.
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "scope: unknown command %q (run 'scope help')\n", args[0])
		return 2
	}
	if err := cmd.run(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "scope %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: scope COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nrun 'scope COMMAND -h' for a command's flags")
}

// newFlags makes a flag set whose errors come back as one line instead of a usage dump.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args; -h prints the flags to stderr. Positional arguments are returned.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(os.Stderr)
		fmt.Fprintf(os.Stderr, "usage of scope %s:\n", fs.Name())
		fs.PrintDefaults()
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%v (run 'scope %s -h')", err, fs.Name())
	}
	return fs.Args(), nil
}

// interspersed lets flags follow positional arguments (scope tokenize TEXT -m M).
func interspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		rest, err := parse(fs, args)
		if err != nil {
			return nil, err
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
		if rest[0] == "--" {
			return append(pos[:len(pos)-1], args...), nil
		}
	}
}

func requireModel(path string) error {
	if strings.TrimSpace(path) == "" {
		return errors.New("no model: pass -m MODEL (a .gguf file or a llama2.c .bin)")
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
