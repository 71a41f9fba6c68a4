package runtime

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/ref"
)

// openers maps a backend name to its constructor; backends add themselves in init.
var openers = map[string]func(*Config) (backend.Device, error){
	"ref": func(*Config) (backend.Device, error) { return ref.NewDevice(), nil },
}

// openDevice opens the configured backend. "auto" prefers Vulkan and falls back to the CPU
// with one notice saying why.
func openDevice(cfg *Config) (backend.Device, error) {
	name := cfg.Backend
	if name == "auto" {
		if open, ok := openers["vulkan"]; ok {
			dev, err := open(cfg)
			switch {
			case err != nil:
				cfg.Log("vulkan unavailable (%v); using the CPU backend", err)
			case dev.Caps().Kind == "software" || dev.Caps().Kind == "cpu":
				// A software rasteriser (lavapipe) is slower than the CPU backend itself.
				cfg.Log("vulkan device %q is a software renderer; using the CPU backend (--backend vulkan forces it)", dev.Caps().Name)
				dev.Close()
			default:
				return dev, nil
			}
		}
		name = "cpu"
	}
	open, ok := openers[name]
	if !ok && name == "cpu" {
		open = openers["ref"]
	}
	if open == nil {
		return nil, fmt.Errorf("backend %s: %w (not built into this binary)", name, backend.ErrUnsupported)
	}
	dev, err := open(cfg)
	if err != nil {
		return nil, fmt.Errorf("backend %s: %w", name, err)
	}
	return dev, nil
}

// Backends lists the backends built into this binary ("ref" always; "cpu"; "vulkan" when
// built with cgo).
func Backends() []string {
	var out []string
	for _, n := range []string{"vulkan", "cpu", "ref"} {
		if _, ok := openers[n]; ok {
			out = append(out, n)
		}
	}
	return out
}
