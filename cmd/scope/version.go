package main

import (
	"fmt"
	"runtime/debug"
)

// revision is the source revision when the build sets it (the Makefile passes
// -ldflags "-X main.revision=..."): builds made with -buildvcs=false carry no VCS stamp.
var revision string

// runVersion prints the module version, the source revision and the Go version.
func runVersion(args []string) error {
	fs := newFlags("version")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Println(versionLine())
	return nil
}

func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "scope (no build information)"
	}
	line := "scope " + bi.Main.Version
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev == "" && revision != "" {
		line += ", revision " + revision
	} else if rev != "" {
		line += ", revision " + rev
		if t := settings["vcs.time"]; t != "" {
			line += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			line += ", modified"
		}
	}
	return fmt.Sprintf("%s, %s %s/%s", line, bi.GoVersion, settings["GOOS"], settings["GOARCH"])
}
