//go:build cgo && !novulkan && (linux || freebsd || darwin)

// shim_cmd.c: command buffers, recording, submission, fences and timestamp queries.
#include <string.h>

#include "shim_internal.h"

VkResult sk_create_commands(sk_ctx* c, uint64_t* poolOut, uint64_t* cmdOut, uint64_t* fenceOut) {
	VkCommandPoolCreateInfo pi = {0};
	pi.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
	pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
	VkCommandPool pool;
	VkResult r = c->vkCreateCommandPool(c->device, &pi, NULL, &pool);
	if (r != VK_SUCCESS) {
		return r;
	}
	VkCommandBufferAllocateInfo ai = {0};
	ai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
	ai.commandPool = pool;
	ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
	ai.commandBufferCount = 1;
	VkCommandBuffer cmd;
	r = c->vkAllocateCommandBuffers(c->device, &ai, &cmd);
	VkFence fence;
	if (r == VK_SUCCESS) {
		VkFenceCreateInfo fi = {0};
		fi.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
		r = c->vkCreateFence(c->device, &fi, NULL, &fence);
	}
	if (r != VK_SUCCESS) {
		c->vkDestroyCommandPool(c->device, pool, NULL);
		return r;
	}
	*poolOut = U(pool);
	*cmdOut = U(cmd);
	*fenceOut = U(fence);
	return VK_SUCCESS;
}

void sk_destroy_commands(sk_ctx* c, uint64_t pool, uint64_t fence) {
	c->vkDestroyFence(c->device, H(VkFence, fence), NULL);
	c->vkDestroyCommandPool(c->device, H(VkCommandPool, pool), NULL);
}

VkResult sk_create_query_pool(sk_ctx* c, uint32_t count, uint64_t* poolOut) {
	VkQueryPoolCreateInfo qi = {0};
	qi.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
	qi.queryType = VK_QUERY_TYPE_TIMESTAMP;
	qi.queryCount = count;
	VkQueryPool pool;
	VkResult r = c->vkCreateQueryPool(c->device, &qi, NULL, &pool);
	if (r == VK_SUCCESS) {
		*poolOut = U(pool);
	}
	return r;
}

void sk_destroy_query_pool(sk_ctx* c, uint64_t pool) {
	c->vkDestroyQueryPool(c->device, H(VkQueryPool, pool), NULL);
}

VkResult sk_query_results(sk_ctx* c, uint64_t pool, uint32_t count, uint64_t* out) {
	return c->vkGetQueryPoolResults(c->device, H(VkQueryPool, pool), 0, count, (size_t)count * 8, out, 8,
		VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
}

VkResult sk_begin(sk_ctx* c, uint64_t cmd) {
	VkCommandBuffer cb = (VkCommandBuffer)(uintptr_t)cmd;
	VkResult r = c->vkResetCommandBuffer(cb, 0);
	if (r != VK_SUCCESS) {
		return r;
	}
	VkCommandBufferBeginInfo bi = {0};
	bi.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
	bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
	return c->vkBeginCommandBuffer(cb, &bi);
}

VkResult sk_end(sk_ctx* c, uint64_t cmd) {
	return c->vkEndCommandBuffer((VkCommandBuffer)(uintptr_t)cmd);
}

void sk_dispatch(sk_ctx* c, uint64_t cmd, uint64_t pipeline, uint64_t layout, uint64_t set,
	const void* push, uint32_t pushSize, uint32_t gx, uint32_t gy, uint32_t gz) {
	VkCommandBuffer cb = (VkCommandBuffer)(uintptr_t)cmd;
	VkPipelineLayout pl = H(VkPipelineLayout, layout);
	VkDescriptorSet ds = H(VkDescriptorSet, set);
	c->vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, H(VkPipeline, pipeline));
	c->vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pl, 0, 1, &ds, 0, NULL);
	if (pushSize > 0) {
		c->vkCmdPushConstants(cb, pl, VK_SHADER_STAGE_COMPUTE_BIT, 0, pushSize, push);
	}
	c->vkCmdDispatch(cb, gx, gy, gz);
}

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

void sk_fill(sk_ctx* c, uint64_t cmd, uint64_t buf, uint64_t off, uint64_t size, uint32_t value) {
	c->vkCmdFillBuffer((VkCommandBuffer)(uintptr_t)cmd, H(VkBuffer, buf), off, size, value);
}

void sk_reset_queries(sk_ctx* c, uint64_t cmd, uint64_t pool, uint32_t count) {
	c->vkCmdResetQueryPool((VkCommandBuffer)(uintptr_t)cmd, H(VkQueryPool, pool), 0, count);
}

void sk_timestamp(sk_ctx* c, uint64_t cmd, uint64_t pool, uint32_t query) {
	c->vkCmdWriteTimestamp((VkCommandBuffer)(uintptr_t)cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
		H(VkQueryPool, pool), query);
}

VkResult sk_submit(sk_ctx* c, uint64_t cmd, uint64_t fence) {
	VkFence f = H(VkFence, fence);
	VkResult r = c->vkResetFences(c->device, 1, &f);
	if (r != VK_SUCCESS) {
		return r;
	}
	VkCommandBuffer cb = (VkCommandBuffer)(uintptr_t)cmd;
	VkSubmitInfo si = {0};
	si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
	si.commandBufferCount = 1;
	si.pCommandBuffers = &cb;
	return c->vkQueueSubmit(c->queue, 1, &si, f);
}

VkResult sk_wait(sk_ctx* c, uint64_t fence, uint64_t timeoutNs) {
	VkFence f = H(VkFence, fence);
	return c->vkWaitForFences(c->device, 1, &f, VK_TRUE, timeoutNs);
}
