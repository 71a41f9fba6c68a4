package shaders

// Push-constant blocks, one Go struct per GLSL block (same member names and order, 4-byte
// scalars only). TestPushConstants checks each against the SPIR-V.

// AddPush is add.comp's block.
type AddPush struct {
	N uint32
}

// pushTypes maps each GLSL block name to its Go struct (a zero value).
var pushTypes = map[string]any{
	"AddPush": AddPush{},
}
