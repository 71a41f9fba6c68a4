// Package shaders holds the GLSL compute kernels of the Vulkan backend, their SPIR-V
// (compiled with glslc and committed, so users never need a shader compiler) and a table of
// what each kernel expects: descriptor bindings, push-constant size and workgroup size.
//
// Each .comp source starts with a comment naming its bindings, push constants, dispatch
// geometry and the reference function it must match. The compiled variants are listed in
// internal/gen/variants.go; "go generate ./shaders" recompiles them and rewrites
// table_gen.go, and "make check-shaders" fails when that changes anything.
package shaders

//go:generate go run ./internal/gen

import (
	"embed"
	"fmt"
	"sync"
)

//go:embed spv/*.spv
var spvFS embed.FS

// Kernel describes one compiled compute kernel.
type Kernel struct {
	Name        string
	Source      string    // GLSL file
	Defines     []string  // macros it was compiled with
	Bindings    []uint32  // storage-buffer descriptors per binding 0..n-1 (set 0)
	PushSize    uint32    // bytes of push constants
	PushBlock   string    // GLSL name of the push-constant block
	PushMembers []Member  // its members, in order
	LocalSize   [3]uint32 // default workgroup size
	SpecIDs     []uint32  // specialisation constant ids
	// Features are the optional device features the kernel needs ("float16",
	// "subgroup-arithmetic", ...: spirv.Module.Features), nil when it needs none.
	Features []string
}

// Member is one member of a push-constant block.
type Member struct {
	Name   string
	Offset uint32
	Kind   string // "uint", "int" or "float"
}

// SPIRV returns the kernel's SPIR-V module.
func (k Kernel) SPIRV() ([]byte, error) {
	return spvFS.ReadFile("spv/" + k.Name + ".spv")
}

var (
	indexOnce sync.Once
	index     map[string]Kernel
)

// Lookup returns the kernel with the given name.
func Lookup(name string) (Kernel, error) {
	indexOnce.Do(func() {
		index = make(map[string]Kernel, len(table))
		for _, k := range table {
			index[k.Name] = k
		}
	})
	k, ok := index[name]
	if !ok {
		return Kernel{}, fmt.Errorf("shaders: no kernel %q", name)
	}
	return k, nil
}

// All returns every kernel, sorted by name.
func All() []Kernel { return append([]Kernel(nil), table...) }
