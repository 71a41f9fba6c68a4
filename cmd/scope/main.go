// Command scope runs transformer models (GGUF, llama2.c) on Vulkan or the CPU, with
// SCOPE KV-cache compression.
package main

import (
	"context"
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
	"version":  {"print the version and the source revision", runVersion},
	"serve":    {"serve the model over an OpenAI-compatible HTTP API", runServe},
}

// errUsage marks an error already explained by a usage line.
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(os.Stdout)
		return 0
	case "--version", "-version":
		args[0] = "version"
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "scope: unknown command %q (run 'scope help')\n", args[0])
		return 2
	}
	return exitCode(stderr, args[0], cmd.run(args[1:]))
}

// exitCode reports err and maps it to the exit status: 0 for -h, 130 (the shell's code for
// SIGINT) when Ctrl-C interrupted the command, 1 for other errors.
func exitCode(stderr io.Writer, name string, err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, context.Canceled):
		msg := err.Error()
		if !strings.HasPrefix(msg, "interrupted") {
			msg = "interrupted: " + msg
		}
		fmt.Fprintf(stderr, "scope %s: %s\n", name, msg)
		return 130
	}
	fmt.Fprintf(stderr, "scope %s: %v\n", name, err)
	return 1
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

// parse parses args of a command that takes no positional arguments; a stray one is an
// error, never silently dropped. -h prints the flags to stdout.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	rest, err := parseArgs(fs, args)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected argument %q (flags come first; run 'scope %s -h')", rest[0], fs.Name())
	}
	return rest, err
}

// parseArgs parses args; -h prints the flags to stdout. Positional arguments are returned.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(os.Stdout, fs)
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
		rest, err := parseArgs(fs, args)
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

// requireModel is for the commands that open model files by path (the built-in model is
// not one).
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
