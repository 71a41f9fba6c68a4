//go:build cgo && !novulkan && linux

package vk

// misuseForTest (used by the tests) records a barrier into the command buffer while it is not recording.
func (d *Device) misuseForTest() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.recordBarrier(stageCompute, stageCompute, accShaderWrite, accShaderRead)
}
