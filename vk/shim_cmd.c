//go:build cgo && !novulkan && linux

// shim_cmd.c: the recording and submission calls that take arrays of structs (barriers,
// copies, submits); every other command goes through the Go binding.
#include <string.h>

#include "shim_internal.h"

void sk_barrier(sk_ctx* c, uint64_t cmd, uint32_t srcStage, uint32_t dstStage, uint32_t srcAccess, uint32_t dstAccess) {
	VkMemoryBarrier b = {0};
	b.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
	b.srcAccessMask = srcAccess;
	b.dstAccessMask = dstAccess;
	c->vkCmdPipelineBarrier((VkCommandBuffer)(uintptr_t)cmd, srcStage, dstStage, 0, 1, &b, 0, NULL, 0, NULL);
}

void sk_copy(sk_ctx* c, uint64_t cmd, uint64_t src, uint64_t dst, uint64_t srcOff, uint64_t dstOff, uint64_t size) {
	VkBufferCopy region = {srcOff, dstOff, size};
	c->vkCmdCopyBuffer((VkCommandBuffer)(uintptr_t)cmd, H(VkBuffer, src), H(VkBuffer, dst), 1, &region);
}

// sk_submit submits one command buffer; the caller has reset the fence.
VkResult sk_submit(sk_ctx* c, uint64_t cmd, uint64_t fence) {
	VkCommandBuffer cb = (VkCommandBuffer)(uintptr_t)cmd;
	VkSubmitInfo si = {0};
	si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
	si.commandBufferCount = 1;
	si.pCommandBuffers = &cb;
	return c->vkQueueSubmit(c->queue, 1, &si, H(VkFence, fence));
}
