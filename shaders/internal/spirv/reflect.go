// Package spirv reads the few facts about a compute shader module that the Vulkan backend
// needs: its descriptor bindings, its push-constant block and its workgroup size.
package spirv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// Module is what Reflect finds in a SPIR-V compute module.
type Module struct {
	Bindings  []Binding // set 0, sorted by binding number
	Push      *Block    // nil when the shader has no push constants
	LocalSize [3]uint32 // default workgroup size
	SpecIDs   []uint32  // specialisation constant ids, sorted
	// Capabilities the module declares, sorted (Shader and the like included).
	Capabilities []uint32
}

// Binding is one descriptor binding; Count > 1 for arrays of buffers.
type Binding struct {
	Set, Binding, Count uint32
}

// Block is a push-constant block.
type Block struct {
	Name    string
	Size    uint32
	Members []Member
}

// Member is one scalar member of a block.
type Member struct {
	Name   string
	Offset uint32
	Kind   string // "uint", "int", "float" (or a larger type's SPIR-V description)
	Size   uint32
}

// SPIR-V opcodes, decorations and storage classes used here.
const (
	opName                  = 5
	opCapability            = 17
	opMemberName            = 6
	opExecutionMode         = 16
	opTypeInt               = 21
	opTypeFloat             = 22
	opTypeVector            = 23
	opTypeArray             = 28
	opTypeStruct            = 30
	opTypePointer           = 32
	opConstant              = 43
	opSpecConstant          = 50
	opSpecConstantComposite = 51
	opVariable              = 59
	opDecorate              = 71
	opMemberDecorate        = 72
	opExecutionModeID       = 331

	decSpecID        = 1
	decArrayStride   = 6
	decBuiltIn       = 11
	decBinding       = 33
	decDescriptorSet = 34
	decOffset        = 35

	builtInWorkgroupSize = 25
	modeLocalSize        = 17
	modeLocalSizeID      = 38

	storagePushConstant  = 9
	storageStorageBuffer = 12
	storageUniform       = 2
)

type typeInfo struct {
	op   uint32
	args []uint32
}

type reader struct {
	names      map[uint32]string
	members    map[uint32]map[uint32]string
	offsets    map[uint32]map[uint32]uint32
	decor      map[uint32]map[uint32]uint32
	types      map[uint32]typeInfo
	consts     map[uint32]uint32
	composites map[uint32][]uint32
	variables  []variable
	localSize  [3]uint32
	localIDs   []uint32
	caps       []uint32
}

type variable struct {
	typ, id, storage uint32
}

// Reflect parses a SPIR-V module.
func Reflect(code []byte) (*Module, error) {
	if len(code) < 20 || len(code)%4 != 0 {
		return nil, errors.New("spirv: module too short or not whole words")
	}
	words := make([]uint32, len(code)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(code[4*i:])
	}
	if words[0] != 0x07230203 {
		return nil, fmt.Errorf("spirv: bad magic %#x", words[0])
	}
	r := &reader{
		names: map[uint32]string{}, members: map[uint32]map[uint32]string{},
		offsets: map[uint32]map[uint32]uint32{}, decor: map[uint32]map[uint32]uint32{},
		types: map[uint32]typeInfo{}, consts: map[uint32]uint32{}, composites: map[uint32][]uint32{},
	}
	for i := 5; i < len(words); {
		n := int(words[i] >> 16)
		if n == 0 || i+n > len(words) {
			return nil, fmt.Errorf("spirv: bad instruction length at word %d", i)
		}
		r.instruction(words[i]&0xffff, words[i+1:i+n])
		i += n
	}
	return r.module()
}

func (r *reader) instruction(op uint32, a []uint32) {
	switch op {
	case opCapability:
		if len(a) >= 1 {
			r.caps = append(r.caps, a[0])
		}
	case opName:
		r.names[a[0]] = decodeString(a[1:])
	case opMemberName:
		if r.members[a[0]] == nil {
			r.members[a[0]] = map[uint32]string{}
		}
		r.members[a[0]][a[1]] = decodeString(a[2:])
	case opExecutionMode:
		if len(a) >= 5 && a[1] == modeLocalSize {
			copy(r.localSize[:], a[2:5])
		}
	case opExecutionModeID:
		if len(a) >= 5 && a[1] == modeLocalSizeID {
			r.localIDs = append([]uint32(nil), a[2:5]...)
		}
	case opTypeInt, opTypeFloat, opTypeVector, opTypeArray, opTypeStruct, opTypePointer:
		r.types[a[0]] = typeInfo{op: op, args: append([]uint32(nil), a[1:]...)}
	case opConstant, opSpecConstant:
		if len(a) >= 3 {
			r.consts[a[1]] = a[2]
		}
	case opSpecConstantComposite:
		r.composites[a[1]] = append([]uint32(nil), a[2:]...)
	case opVariable:
		r.variables = append(r.variables, variable{typ: a[0], id: a[1], storage: a[2]})
	case opDecorate:
		if len(a) >= 2 {
			if r.decor[a[0]] == nil {
				r.decor[a[0]] = map[uint32]uint32{}
			}
			v := uint32(0)
			if len(a) >= 3 {
				v = a[2]
			}
			r.decor[a[0]][a[1]] = v
		}
	case opMemberDecorate:
		if len(a) >= 4 && a[2] == decOffset {
			if r.offsets[a[0]] == nil {
				r.offsets[a[0]] = map[uint32]uint32{}
			}
			r.offsets[a[0]][a[1]] = a[3]
		}
	}
}

func (r *reader) module() (*Module, error) {
	m := &Module{LocalSize: r.localSize, Capabilities: r.caps}
	sort.Slice(m.Capabilities, func(i, j int) bool { return m.Capabilities[i] < m.Capabilities[j] })
	for id, d := range r.decor {
		if _, ok := d[decSpecID]; ok {
			m.SpecIDs = append(m.SpecIDs, d[decSpecID])
		}
		if b, ok := d[decBuiltIn]; ok && b == builtInWorkgroupSize {
			if parts := r.composites[id]; len(parts) == 3 {
				for i, p := range parts {
					m.LocalSize[i] = r.consts[p]
				}
			}
		}
	}
	if len(r.localIDs) == 3 {
		for i, id := range r.localIDs {
			m.LocalSize[i] = r.consts[id]
		}
	}
	sort.Slice(m.SpecIDs, func(i, j int) bool { return m.SpecIDs[i] < m.SpecIDs[j] })
	for _, v := range r.variables {
		if err := r.variable(m, v); err != nil {
			return nil, err
		}
	}
	sort.Slice(m.Bindings, func(i, j int) bool { return m.Bindings[i].Binding < m.Bindings[j].Binding })
	return m, nil
}

func (r *reader) variable(m *Module, v variable) error {
	ptr, ok := r.types[v.typ]
	if !ok || ptr.op != opTypePointer || len(ptr.args) < 2 {
		return nil
	}
	pointee := ptr.args[1]
	switch v.storage {
	case storagePushConstant:
		if m.Push != nil {
			return errors.New("spirv: more than one push-constant block")
		}
		b, err := r.block(pointee)
		if err != nil {
			return err
		}
		m.Push = b
	case storageStorageBuffer, storageUniform:
		d := r.decor[v.id]
		binding, ok := d[decBinding]
		if !ok {
			return nil
		}
		count := uint32(1)
		if t := r.types[pointee]; t.op == opTypeArray {
			count = r.consts[t.args[1]]
		}
		nb := Binding{Set: d[decDescriptorSet], Binding: binding, Count: count}
		for _, b := range m.Bindings {
			if b.Set == nb.Set && b.Binding == nb.Binding {
				// Two views of one buffer (e.g. uint and uvec4 blocks): one descriptor.
				if b.Count != nb.Count {
					return fmt.Errorf("spirv: binding %d.%d declared with %d and %d descriptors", b.Set, b.Binding, b.Count, nb.Count)
				}
				return nil
			}
		}
		m.Bindings = append(m.Bindings, nb)
	}
	return nil
}

func (r *reader) block(structID uint32) (*Block, error) {
	t := r.types[structID]
	if t.op != opTypeStruct {
		return nil, errors.New("spirv: push constants are not a struct")
	}
	b := &Block{Name: r.names[structID]}
	for i, mt := range t.args {
		off, ok := r.offsets[structID][uint32(i)]
		if !ok {
			return nil, fmt.Errorf("spirv: push-constant member %d has no offset", i)
		}
		size, kind := r.size(mt)
		b.Members = append(b.Members, Member{Name: r.members[structID][uint32(i)], Offset: off, Kind: kind, Size: size})
		b.Size = max(b.Size, off+size)
	}
	return b, nil
}

// size returns the byte size of a type and a short description of it.
func (r *reader) size(id uint32) (uint32, string) {
	t := r.types[id]
	switch t.op {
	case opTypeInt:
		if t.args[1] == 1 {
			return t.args[0] / 8, "int"
		}
		return t.args[0] / 8, "uint"
	case opTypeFloat:
		return t.args[0] / 8, "float"
	case opTypeVector:
		s, k := r.size(t.args[0])
		return s * t.args[1], fmt.Sprintf("vec%d<%s>", t.args[1], k)
	case opTypeArray:
		n := r.consts[t.args[1]]
		stride := r.decor[id][decArrayStride]
		if stride == 0 {
			stride, _ = r.size(t.args[0])
		}
		_, k := r.size(t.args[0])
		return stride * n, fmt.Sprintf("%s[%d]", k, n)
	case opTypeStruct:
		var s uint32
		for i, mt := range t.args {
			ms, _ := r.size(mt)
			s = max(s, r.offsets[id][uint32(i)]+ms)
		}
		return s, "struct"
	}
	return 0, "unknown"
}

func decodeString(words []uint32) string {
	var b []byte
	for _, w := range words {
		for i := 0; i < 4; i++ {
			c := byte(w >> (8 * i))
			if c == 0 {
				return string(b)
			}
			b = append(b, c)
		}
	}
	return string(b)
}
