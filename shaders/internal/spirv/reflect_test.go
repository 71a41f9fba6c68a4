package spirv

import (
	"os"
	"slices"
	"testing"
)

func TestReflectRejectsBadModules(t *testing.T) {
	for name, code := range map[string][]byte{
		"empty":     nil,
		"ragged":    make([]byte, 21),
		"bad magic": make([]byte, 40),
	} {
		if _, err := Reflect(code); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	good, err := os.ReadFile("../../spv/add_f32.spv")
	if err != nil {
		t.Skip(err)
	}
	bad := append([]byte(nil), good...)
	bad[22] = 0xff // first instruction's word count: runs past the end
	bad[23] = 0xff
	if _, err := Reflect(bad); err == nil {
		t.Error("an instruction running past the end was accepted")
	}
}

func TestReflectAdd(t *testing.T) {
	code, err := os.ReadFile("../../spv/add_f32.spv")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Reflect(code)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Bindings) != 3 || m.Push == nil || m.Push.Size != 4 || m.LocalSize != [3]uint32{256, 1, 1} {
		t.Errorf("add: %+v push %+v", m, m.Push)
	}
}

func TestFeatures(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string
	}{
		{"add_f32.spv", nil},
		{"matvec_q4_0_f16_tree.spv", []string{"float16"}},
		{"matvec_q4_0_f16.spv", []string{"float16", "subgroup", "subgroup-arithmetic"}},
	} {
		code, err := os.ReadFile("../../spv/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Reflect(code)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Features(); !slices.Equal(got, c.want) {
			t.Errorf("%s: features %v (capabilities %v), want %v", c.file, got, m.Capabilities, c.want)
		}
	}
	m := &Module{Capabilities: []uint32{1, 63, 12345}}
	if got := m.Features(); !slices.Equal(got, []string{"subgroup-arithmetic", "capability-12345"}) {
		t.Errorf("features %v", got)
	}
}
