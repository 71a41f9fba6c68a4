package shaders

import (
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/scopekv/scope/shaders/internal/spirv"
)

// TestTableMatchesSPIRV reflects every committed module and compares it with the table,
// so a hand-edited table or a stale module fails.
func TestTableMatchesSPIRV(t *testing.T) {
	if len(table) == 0 {
		t.Fatal("empty kernel table")
	}
	for _, k := range table {
		code, err := k.SPIRV()
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		m, err := spirv.Reflect(code)
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		if len(m.Bindings) != len(k.Bindings) {
			t.Errorf("%s: %d bindings in SPIR-V, %d in table", k.Name, len(m.Bindings), len(k.Bindings))
			continue
		}
		for i, b := range m.Bindings {
			if b.Set != 0 || b.Binding != uint32(i) || b.Count != k.Bindings[i] {
				t.Errorf("%s: binding %d: SPIR-V %+v, table count %d", k.Name, i, b, k.Bindings[i])
			}
		}
		var size uint32
		if m.Push != nil {
			size = m.Push.Size
		}
		if size != k.PushSize || m.LocalSize != k.LocalSize {
			t.Errorf("%s: SPIR-V push %d local %v, table push %d local %v", k.Name, size, m.LocalSize, k.PushSize, k.LocalSize)
		}
		if !reflect.DeepEqual(append([]uint32{}, m.SpecIDs...), append([]uint32{}, k.SpecIDs...)) {
			t.Errorf("%s: spec ids %v in SPIR-V, %v in table", k.Name, m.SpecIDs, k.SpecIDs)
		}
		if !reflect.DeepEqual(m.Features(), k.Features) {
			t.Errorf("%s: features %v in SPIR-V, %v in table", k.Name, m.Features(), k.Features)
		}
		// fp16 arithmetic exactly in the FP16 variants, named op_<weight>_f16[_tree].
		fp16 := slices.Contains(k.Defines, "FP16")
		if has := slices.Contains(k.Features, "float16"); has != fp16 {
			t.Errorf("%s: needs float16 %v, compiled with FP16 %v", k.Name, has, fp16)
		}
		if named := strings.HasSuffix(strings.TrimSuffix(k.Name, "_tree"), "_f16") && !strings.HasPrefix(k.Name, "embed_"); named != fp16 {
			t.Errorf("%s: compiled with FP16 %v, but named so %v", k.Name, fp16, named)
		}
	}
}

// TestPushConstants checks each Go push-constant struct against its GLSL block: same size,
// same member names in the same order at the same offsets, matching scalar kinds, and the
// 128-byte limit that Vulkan guarantees.
func TestPushConstants(t *testing.T) {
	used := map[string]bool{}
	for _, k := range table {
		if k.PushSize > 128 {
			t.Errorf("%s: %d bytes of push constants exceeds 128", k.Name, k.PushSize)
		}
		if k.PushSize == 0 {
			continue
		}
		v, ok := pushTypes[k.PushBlock]
		if !ok {
			t.Errorf("%s: no Go struct for push block %q", k.Name, k.PushBlock)
			continue
		}
		used[k.PushBlock] = true
		checkStruct(t, k, reflect.TypeOf(v))
	}
	for name := range pushTypes {
		if !used[name] {
			t.Errorf("push struct %s is used by no kernel", name)
		}
	}
}

func checkStruct(t *testing.T, k Kernel, typ reflect.Type) {
	t.Helper()
	if uintptr(k.PushSize) != typ.Size() {
		t.Errorf("%s: Go %s is %d bytes, GLSL block %d", k.Name, typ.Name(), typ.Size(), k.PushSize)
	}
	if typ.NumField() != len(k.PushMembers) {
		t.Errorf("%s: Go %s has %d fields, GLSL block %d", k.Name, typ.Name(), typ.NumField(), len(k.PushMembers))
		return
	}
	kinds := map[reflect.Kind]string{reflect.Uint32: "uint", reflect.Int32: "int", reflect.Float32: "float"}
	for i, m := range k.PushMembers {
		f := typ.Field(i)
		if !strings.EqualFold(f.Name, m.Name) || f.Name != exported(m.Name) {
			t.Errorf("%s: field %d is %s, GLSL member %s", k.Name, i, f.Name, m.Name)
		}
		if uint32(f.Offset) != m.Offset || kinds[f.Type.Kind()] != m.Kind {
			t.Errorf("%s: field %s at %d (%s), GLSL at %d (%s)", k.Name, f.Name, f.Offset, f.Type, m.Offset, m.Kind)
		}
	}
}

func exported(s string) string {
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// TestSourceHeaders requires the header comment every kernel source starts with.
func TestSourceHeaders(t *testing.T) {
	sources := map[string]bool{}
	for _, k := range table {
		sources[k.Source] = true
	}
	for src := range sources {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		head := string(data)
		if i := strings.Index(head, "#version"); i >= 0 {
			head = head[:i]
		}
		for _, want := range []string{"// Bindings:", "// Push:", "// Dispatch:", "// Reference:"} {
			if !strings.Contains(head, want) {
				t.Errorf("%s: header lacks %q", src, want)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	for _, k := range All() {
		got, err := Lookup(k.Name)
		if err != nil || got.Name != k.Name {
			t.Errorf("Lookup(%q) = %v, %v", k.Name, got.Name, err)
		}
	}
	if _, err := Lookup("no-such-kernel"); err == nil {
		t.Error("Lookup of an unknown name succeeded")
	}
}

// TestGLSLConstants keeps the Go copies of kv.glsl's limits in step with the GLSL.
func TestGLSLConstants(t *testing.T) {
	data, err := os.ReadFile("kv.glsl")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	for _, want := range []string{
		"#define KV_CHUNKS " + strconv.Itoa(KVChunks) + "\n",
		"#define MAX_HD " + strconv.Itoa(MaxHeadDim) + "u\n",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("kv.glsl lacks %q", strings.TrimSpace(want))
		}
	}
	arrays := 0
	for _, k := range table {
		for _, c := range k.Bindings {
			if c != 1 {
				arrays++
				if c != KVChunks {
					t.Errorf("%s: a descriptor array of %d, want KVChunks (%d)", k.Name, c, KVChunks)
				}
			}
		}
	}
	if arrays == 0 {
		t.Error("no kernel binds the KV chunk arrays")
	}
}
