//go:build cgo && !novulkan && (linux || freebsd || darwin)

// shim_dev.c: logical device, memory blocks, pipelines and descriptor sets.
#include <string.h>

#include "shim_internal.h"

VkResult sk_create_device(sk_ctx* c, uint64_t phys, uint32_t family, int f16, int i8) {
	VkPhysicalDevice p = (VkPhysicalDevice)(uintptr_t)phys;
	float priority = 1.0f;
	VkDeviceQueueCreateInfo q = {0};
	q.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
	q.queueFamilyIndex = family;
	q.queueCount = 1;
	q.pQueuePriorities = &priority;

	VkPhysicalDeviceFeatures feats;
	memset(&feats, 0, sizeof feats);
	feats.shaderStorageBufferArrayDynamicIndexing = VK_TRUE;
	VkPhysicalDevice16BitStorageFeatures s16 = {0};
	s16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
	VkPhysicalDeviceShaderFloat16Int8Features fi = {0};
	fi.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
	VkPhysicalDevice8BitStorageFeatures s8 = {0};
	s8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES;
	void* next = NULL;
	if (f16 || i8) {
		fi.shaderFloat16 = f16 ? VK_TRUE : VK_FALSE;
		fi.shaderInt8 = i8 ? VK_TRUE : VK_FALSE;
		fi.pNext = next;
		next = &fi;
	}
	if (f16) {
		s16.storageBuffer16BitAccess = VK_TRUE;
		s16.pNext = next;
		next = &s16;
	}
	if (i8) {
		s8.storageBuffer8BitAccess = VK_TRUE;
		s8.pNext = next;
		next = &s8;
	}

	VkDeviceCreateInfo info = {0};
	info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
	info.pNext = next;
	info.queueCreateInfoCount = 1;
	info.pQueueCreateInfos = &q;
	// A portability device (MoltenVK) requires its subset extension to be enabled.
	const char* exts[1] = {"VK_KHR_portability_subset"};
	if (sk_device_has_extension(c, p, exts[0])) {
		info.enabledExtensionCount = 1;
		info.ppEnabledExtensionNames = exts;
	}
	info.pEnabledFeatures = &feats;
	VkResult r = c->vkCreateDevice(p, &info, NULL, &c->device);
	if (r != VK_SUCCESS) {
		c->device = NULL;
		return r;
	}
	c->phys = p;
#define X(name, ret, params) c->name = (skfn_##name)c->vkGetDeviceProcAddr(c->device, #name);
	SK_DEVICE_FUNCS(X)
#undef X
#define X(name, ret, params) if (c->name == NULL) { return VK_ERROR_INITIALIZATION_FAILED; }
	SK_DEVICE_FUNCS(X)
#undef X
	c->vkGetDeviceQueue(c->device, family, 0, &c->queue);
	return VK_SUCCESS;
}

void sk_destroy_device(sk_ctx* c) {
	if (c->device == NULL) {
		return;
	}
	if (c->vkDestroyDevice != NULL) {
		c->vkDestroyDevice(c->device, NULL);
	}
	c->device = NULL;
	c->queue = NULL;
}

VkResult sk_device_wait_idle(sk_ctx* c) { return c->vkDeviceWaitIdle(c->device); }

VkResult sk_alloc_block(sk_ctx* c, uint64_t size, uint32_t memType, int map, uint64_t* mem, uint64_t* buf, void** mapped) {
	VkBufferCreateInfo bi = {0};
	bi.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
	bi.size = size;
	bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
	bi.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
	VkBuffer b;
	VkResult r = c->vkCreateBuffer(c->device, &bi, NULL, &b);
	if (r != VK_SUCCESS) {
		return r;
	}
	VkMemoryRequirements req;
	c->vkGetBufferMemoryRequirements(c->device, b, &req);
	if (!(req.memoryTypeBits & (1u << memType))) {
		c->vkDestroyBuffer(c->device, b, NULL);
		return VK_ERROR_FEATURE_NOT_PRESENT;
	}
	VkMemoryAllocateInfo ai = {0};
	ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
	ai.allocationSize = req.size;
	ai.memoryTypeIndex = memType;
	VkDeviceMemory m;
	r = c->vkAllocateMemory(c->device, &ai, NULL, &m);
	if (r != VK_SUCCESS) {
		c->vkDestroyBuffer(c->device, b, NULL);
		return r;
	}
	r = c->vkBindBufferMemory(c->device, b, m, 0);
	void* ptr = NULL;
	if (r == VK_SUCCESS && map) {
		r = c->vkMapMemory(c->device, m, 0, VK_WHOLE_SIZE, 0, &ptr);
	}
	if (r != VK_SUCCESS) {
		c->vkDestroyBuffer(c->device, b, NULL);
		c->vkFreeMemory(c->device, m, NULL);
		return r;
	}
	*mem = U(m);
	*buf = U(b);
	*mapped = ptr;
	return VK_SUCCESS;
}

void sk_free_block(sk_ctx* c, uint64_t mem, uint64_t buf, int mapped) {
	c->vkDestroyBuffer(c->device, H(VkBuffer, buf), NULL);
	if (mapped) {
		c->vkUnmapMemory(c->device, H(VkDeviceMemory, mem));
	}
	c->vkFreeMemory(c->device, H(VkDeviceMemory, mem), NULL);
}

static VkMappedMemoryRange mapped_range(uint64_t mem, uint64_t offset, uint64_t size) {
	VkMappedMemoryRange r = {0};
	r.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
	r.memory = H(VkDeviceMemory, mem);
	r.offset = offset;
	r.size = size;
	return r;
}

VkResult sk_invalidate(sk_ctx* c, uint64_t mem, uint64_t offset, uint64_t size) {
	VkMappedMemoryRange r = mapped_range(mem, offset, size);
	return c->vkInvalidateMappedMemoryRanges(c->device, 1, &r);
}

VkResult sk_flush(sk_ctx* c, uint64_t mem, uint64_t offset, uint64_t size) {
	VkMappedMemoryRange r = mapped_range(mem, offset, size);
	return c->vkFlushMappedMemoryRanges(c->device, 1, &r);
}

static VkResult create_layouts(sk_ctx* c, const uint32_t* bindingCounts, uint32_t nbindings,
	uint32_t pushSize, VkDescriptorSetLayout* dsl, VkPipelineLayout* layout) {
	VkDescriptorSetLayoutBinding b[SK_MAX_BINDINGS];
	memset(b, 0, sizeof b);
	for (uint32_t i = 0; i < nbindings; i++) {
		b[i].binding = i;
		b[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
		b[i].descriptorCount = bindingCounts[i];
		b[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
	}
	VkDescriptorSetLayoutCreateInfo di = {0};
	di.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
	di.bindingCount = nbindings;
	di.pBindings = b;
	VkResult r = c->vkCreateDescriptorSetLayout(c->device, &di, NULL, dsl);
	if (r != VK_SUCCESS) {
		return r;
	}
	VkPushConstantRange pr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, pushSize};
	VkPipelineLayoutCreateInfo li = {0};
	li.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
	li.setLayoutCount = 1;
	li.pSetLayouts = dsl;
	li.pushConstantRangeCount = pushSize > 0 ? 1 : 0;
	li.pPushConstantRanges = &pr;
	r = c->vkCreatePipelineLayout(c->device, &li, NULL, layout);
	if (r != VK_SUCCESS) {
		c->vkDestroyDescriptorSetLayout(c->device, *dsl, NULL);
	}
	return r;
}

VkResult sk_create_pipeline(sk_ctx* c, const uint32_t* code, size_t codeSize,
	const uint32_t* bindingCounts, uint32_t nbindings, uint32_t pushSize,
	const uint32_t* specVals, uint32_t nspec,
	uint64_t* dslOut, uint64_t* layoutOut, uint64_t* pipelineOut) {
	if (nbindings > SK_MAX_BINDINGS || nspec > SK_MAX_SPEC) {
		return VK_ERROR_TOO_MANY_OBJECTS;
	}
	VkDescriptorSetLayout dsl;
	VkPipelineLayout layout;
	VkResult r = create_layouts(c, bindingCounts, nbindings, pushSize, &dsl, &layout);
	if (r != VK_SUCCESS) {
		return r;
	}
	VkShaderModuleCreateInfo si = {0};
	si.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
	si.codeSize = codeSize;
	si.pCode = code;
	VkShaderModule module;
	r = c->vkCreateShaderModule(c->device, &si, NULL, &module);
	if (r != VK_SUCCESS) {
		c->vkDestroyPipelineLayout(c->device, layout, NULL);
		c->vkDestroyDescriptorSetLayout(c->device, dsl, NULL);
		return r;
	}
	VkSpecializationMapEntry entries[SK_MAX_SPEC];
	uint32_t data[SK_MAX_SPEC];
	for (uint32_t i = 0; i < nspec; i++) {
		entries[i].constantID = i;
		entries[i].offset = i * 4;
		entries[i].size = 4;
		data[i] = specVals[i];
	}
	VkSpecializationInfo spec = {nspec, entries, nspec * 4, data};
	VkComputePipelineCreateInfo pi = {0};
	pi.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
	pi.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
	pi.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
	pi.stage.module = module;
	pi.stage.pName = "main";
	pi.stage.pSpecializationInfo = nspec > 0 ? &spec : NULL;
	pi.layout = layout;
	pi.basePipelineIndex = -1;
	VkPipeline pipeline;
	r = c->vkCreateComputePipelines(c->device, NULL, 1, &pi, NULL, &pipeline);
	c->vkDestroyShaderModule(c->device, module, NULL);
	if (r != VK_SUCCESS) {
		c->vkDestroyPipelineLayout(c->device, layout, NULL);
		c->vkDestroyDescriptorSetLayout(c->device, dsl, NULL);
		return r;
	}
	*dslOut = U(dsl);
	*layoutOut = U(layout);
	*pipelineOut = U(pipeline);
	return VK_SUCCESS;
}

void sk_destroy_pipeline(sk_ctx* c, uint64_t dsl, uint64_t layout, uint64_t pipeline) {
	c->vkDestroyPipeline(c->device, H(VkPipeline, pipeline), NULL);
	c->vkDestroyPipelineLayout(c->device, H(VkPipelineLayout, layout), NULL);
	c->vkDestroyDescriptorSetLayout(c->device, H(VkDescriptorSetLayout, dsl), NULL);
}

VkResult sk_create_descriptor_pool(sk_ctx* c, uint32_t maxSets, uint32_t maxDescriptors, uint64_t* pool) {
	VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, maxDescriptors};
	VkDescriptorPoolCreateInfo pi = {0};
	pi.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
	pi.maxSets = maxSets;
	pi.poolSizeCount = 1;
	pi.pPoolSizes = &size;
	VkDescriptorPool p;
	VkResult r = c->vkCreateDescriptorPool(c->device, &pi, NULL, &p);
	if (r == VK_SUCCESS) {
		*pool = U(p);
	}
	return r;
}

void sk_destroy_descriptor_pool(sk_ctx* c, uint64_t pool) {
	c->vkDestroyDescriptorPool(c->device, H(VkDescriptorPool, pool), NULL);
}

VkResult sk_alloc_set(sk_ctx* c, uint64_t pool, uint64_t dsl, uint64_t* set) {
	VkDescriptorSetLayout layout = H(VkDescriptorSetLayout, dsl);
	VkDescriptorSetAllocateInfo ai = {0};
	ai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
	ai.descriptorPool = H(VkDescriptorPool, pool);
	ai.descriptorSetCount = 1;
	ai.pSetLayouts = &layout;
	VkDescriptorSet s;
	VkResult r = c->vkAllocateDescriptorSets(c->device, &ai, &s);
	if (r == VK_SUCCESS) {
		*set = U(s);
	}
	return r;
}

void sk_write_set(sk_ctx* c, uint64_t set, uint32_t n, const uint32_t* bindings,
	const uint32_t* elements, const uint64_t* bufs, const uint64_t* offsets, const uint64_t* ranges) {
	VkDescriptorBufferInfo infos[SK_MAX_DESCRIPTORS];
	VkWriteDescriptorSet writes[SK_MAX_DESCRIPTORS];
	if (n > SK_MAX_DESCRIPTORS) {
		n = SK_MAX_DESCRIPTORS;
	}
	memset(writes, 0, sizeof writes);
	for (uint32_t i = 0; i < n; i++) {
		infos[i].buffer = H(VkBuffer, bufs[i]);
		infos[i].offset = offsets[i];
		infos[i].range = ranges[i];
		writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
		writes[i].dstSet = H(VkDescriptorSet, set);
		writes[i].dstBinding = bindings[i];
		writes[i].dstArrayElement = elements[i];
		writes[i].descriptorCount = 1;
		writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
		writes[i].pBufferInfo = &infos[i];
	}
	c->vkUpdateDescriptorSets(c->device, n, writes, 0, NULL);
}
