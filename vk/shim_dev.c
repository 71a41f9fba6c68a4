//go:build cgo && !novulkan && linux

// shim_dev.c: logical device, compute pipelines and descriptor writes.
#include <string.h>

#include "shim_internal.h"

VkResult sk_create_device(sk_ctx* c, uint64_t phys, uint32_t family, int f16, int i8, int idot) {
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
	VkPhysicalDeviceShaderIntegerDotProductFeatures dot = {0};
	dot.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES;
	void* next = NULL;
	if (idot) {
		dot.shaderIntegerDotProduct = VK_TRUE;
		next = &dot;
	}
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
	// A portability device (MoltenVK) requires its subset extension to be enabled; the
	// integer dot products are enabled through their extension where the device lists it
	// (below Vulkan 1.3 it must).
	const char* exts[2];
	uint32_t n = 0;
	if (sk_device_has_extension(c, p, "VK_KHR_portability_subset")) {
		exts[n++] = "VK_KHR_portability_subset";
	}
	if (idot && sk_device_has_extension(c, p, "VK_KHR_shader_integer_dot_product")) {
		exts[n++] = "VK_KHR_shader_integer_dot_product";
	}
	info.enabledExtensionCount = n;
	info.ppEnabledExtensionNames = n > 0 ? exts : NULL;
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

uint64_t sk_device(sk_ctx* c) { return SK_HANDLE_TO_U64(c->device); }

VkResult sk_create_pipeline(sk_ctx* c, uint64_t module, uint64_t layout,
	const uint32_t* specVals, uint32_t nspec, uint64_t* pipelineOut) {
	if (nspec > SK_MAX_SPEC) {
		return VK_ERROR_TOO_MANY_OBJECTS;
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
	pi.stage.module = H(VkShaderModule, module);
	pi.stage.pName = "main";
	pi.stage.pSpecializationInfo = nspec > 0 ? &spec : NULL;
	pi.layout = H(VkPipelineLayout, layout);
	pi.basePipelineIndex = -1;
	VkPipeline pipeline;
	VkResult r = c->vkCreateComputePipelines(c->device, NULL, 1, &pi, NULL, &pipeline);
	if (r == VK_SUCCESS) {
		*pipelineOut = U(pipeline);
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
