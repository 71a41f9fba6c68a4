package main

import (
	"fmt"

	scope "github.com/scopekv/scope/runtime"
)

func runDevices(args []string) error {
	fs := newFlags("devices")
	threads := fs.Int("t", 0, "CPU threads (0 = physical cores)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	for _, d := range scope.ListDevices(*threads) {
		fmt.Println(d)
	}
	return nil
}
