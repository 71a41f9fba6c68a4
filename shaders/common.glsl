// common.glsl: helpers shared by every kernel.

// group_index folds a 2-D dispatch back into one linear workgroup index: the host splits
// more than maxComputeWorkGroupCount[0] groups over x and y.
uint group_index() {
	return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}
