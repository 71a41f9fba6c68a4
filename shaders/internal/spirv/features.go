package spirv

import "fmt"

// Capabilities that every Vulkan 1.1 compute device has.
var baseCapabilities = map[uint32]bool{
	1: true, // Shader
}

// featureNames names the capabilities that need an optional device feature.
var featureNames = map[uint32]string{
	9:    "float16",             // Float16: shaderFloat16
	10:   "float64",             // Float64: shaderFloat64
	22:   "int16",               // Int16: shaderInt16
	39:   "int8",                // Int8: shaderInt8
	61:   "subgroup",            // GroupNonUniform
	62:   "subgroup-vote",       // GroupNonUniformVote
	63:   "subgroup-arithmetic", // GroupNonUniformArithmetic
	64:   "subgroup-ballot",     // GroupNonUniformBallot
	65:   "subgroup-shuffle",    // GroupNonUniformShuffle
	4433: "storage16",           // StorageBuffer16BitAccess
	4448: "storage8",            // StorageBuffer8BitAccess
	6018: "int-dot-4x8-packed",  // DotProductInput4x8BitPacked: shaderIntegerDotProduct
	6019: "int-dot",             // DotProduct: shaderIntegerDotProduct
}

// Features names the optional device features the module needs, in capability order;
// a capability it does not know is named "capability-<number>", so that a device checking
// the list refuses it.
func (m *Module) Features() []string {
	var out []string
	for _, c := range m.Capabilities {
		if baseCapabilities[c] {
			continue
		}
		name, ok := featureNames[c]
		if !ok {
			name = fmt.Sprintf("capability-%d", c)
		}
		out = append(out, name)
	}
	return out
}
