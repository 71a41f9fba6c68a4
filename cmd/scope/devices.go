package main

import (
	"fmt"

	"github.com/scopekv/scope/model/builtin"
	scope "github.com/scopekv/scope/runtime"
)

func runDevices(args []string) error {
	fs := newFlags("devices")
	threads := fs.Int("t", 0, "CPU threads (0 = physical cores)")
	alias(fs, "t", "threads")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	for _, d := range scope.ListDevices(*threads) {
		fmt.Println(d)
	}
	fmt.Printf("default model: %s (built in; used when no -m is given)\n", builtin.Name)
	return nil
}
