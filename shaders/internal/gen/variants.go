package main

// variant is one compiled kernel: a GLSL source and the macros it is compiled with.
// Names follow op_<weight type>_<activation type>.
type variant struct {
	Name    string
	Source  string
	Defines []string
}

var variants = []variant{
	{Name: "add_f32", Source: "add.comp"},
}
