//go:build cgo && !novulkan && linux

package vk

// misuseForTest (used by the tests) records into the command buffer while it is not
// recording: a barrier through the shim, or with binding set a fill of a through the Go
// binding.
func (d *Device) misuseForTest(binding bool, a allocation) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if binding {
		d.recordFill(a, 0)
		return
	}
	d.recordBarrier(stageCompute, stageCompute, accShaderWrite, accShaderRead)
}
