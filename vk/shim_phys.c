//go:build cgo && !novulkan && linux

// shim_phys.c: the physical-device queries the Go binding cannot make: the Vulkan 1.1+
// property, feature and memory-budget chains, the queue-family list (an array of structs)
// and the device extension list.
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

#define API_1_1 ((1u << 22) | (1u << 12))
#define API_1_2 ((1u << 22) | (2u << 12))
#define API_1_3 ((1u << 22) | (3u << 12))

int sk_device_has_extension(sk_ctx* c, VkPhysicalDevice p, const char* name) {
	uint32_t n = 0;
	if (c->vkEnumerateDeviceExtensionProperties(p, NULL, &n, NULL) != VK_SUCCESS || n == 0) {
		return 0;
	}
	VkExtensionProperties* props = calloc(n, sizeof *props);
	if (props == NULL) {
		return 0;
	}
	int found = 0;
	if (c->vkEnumerateDeviceExtensionProperties(p, NULL, &n, props) >= 0) {
		for (uint32_t i = 0; i < n && !found; i++) {
			found = strcmp(props[i].extensionName, name) == 0;
		}
	}
	free(props);
	return found;
}

// has_integer_dot reports whether the integer dot product structures may be chained:
// Vulkan 1.3 on both sides, or the device lists VK_KHR_shader_integer_dot_product.
static int has_integer_dot(sk_ctx* c, VkPhysicalDevice p, uint32_t api) {
	return api >= API_1_3 || sk_device_has_extension(c, p, "VK_KHR_shader_integer_dot_product");
}

static void query_properties2(sk_ctx* c, VkPhysicalDevice p, int idot, sk_physinfo* out) {
	VkPhysicalDeviceSubgroupProperties sub = {0};
	sub.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
	VkPhysicalDeviceShaderIntegerDotProductProperties dot = {0};
	dot.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES;
	if (idot) {
		sub.pNext = &dot;
	}
	VkPhysicalDeviceMaintenance3Properties m3 = {0};
	m3.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES;
	m3.pNext = &sub;
	VkPhysicalDeviceProperties2 props = {0};
	props.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
	props.pNext = &m3;
	c->vkGetPhysicalDeviceProperties2(p, &props);
	out->subgroupSize = sub.subgroupSize;
	out->subgroupOps = sub.supportedOperations;
	out->subgroupStages = sub.supportedStages;
	out->maxMemoryAllocationSize = m3.maxMemoryAllocationSize;
	out->integerDot4x8Signed = dot.integerDotProduct4x8BitPackedSignedAccelerated;
}

static void query_features2(sk_ctx* c, VkPhysicalDevice p, uint32_t deviceApi, int idot, sk_physinfo* out) {
	VkPhysicalDeviceShaderIntegerDotProductFeatures dot = {0};
	dot.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES;
	VkPhysicalDevice8BitStorageFeatures s8 = {0};
	s8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES;
	VkPhysicalDeviceShaderFloat16Int8Features f16 = {0};
	f16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
	VkPhysicalDevice16BitStorageFeatures s16 = {0};
	s16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
	VkPhysicalDeviceFeatures2 feats = {0};
	feats.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
	feats.pNext = &s16;
	// The 1.2 structures may only be chained where the device knows them.
	if (deviceApi >= API_1_2) {
		s16.pNext = &f16;
		f16.pNext = &s8;
	}
	if (idot) {
		dot.pNext = s16.pNext;
		s16.pNext = &dot;
	}
	c->vkGetPhysicalDeviceFeatures2(p, &feats);
	out->storageBuffer16 = s16.storageBuffer16BitAccess;
	out->shaderFloat16 = f16.shaderFloat16;
	out->shaderInt8 = f16.shaderInt8;
	out->storageBuffer8 = s8.storageBuffer8BitAccess;
	out->integerDotProduct = dot.shaderIntegerDotProduct;
}

static void query_budget(sk_ctx* c, VkPhysicalDevice p, sk_physinfo* out) {
	out->hasMemoryBudget = sk_device_has_extension(c, p, "VK_EXT_memory_budget");
	if (!out->hasMemoryBudget) {
		return;
	}
	VkPhysicalDeviceMemoryBudgetPropertiesEXT budget = {0};
	budget.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT;
	VkPhysicalDeviceMemoryProperties2 mem2 = {0};
	mem2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2;
	mem2.pNext = &budget;
	c->vkGetPhysicalDeviceMemoryProperties2(p, &mem2);
	for (uint32_t i = 0; i < mem2.memoryProperties.memoryHeapCount && i < VK_MAX_MEMORY_HEAPS; i++) {
		out->memoryHeapBudget[i] = budget.heapBudget[i];
	}
}

// pick_queue_family prefers a compute family that writes timestamps.
static void pick_queue_family(sk_ctx* c, VkPhysicalDevice p, sk_physinfo* out) {
	VkQueueFamilyProperties fams[32];
	uint32_t n = 32;
	c->vkGetPhysicalDeviceQueueFamilyProperties(p, &n, fams);
	out->queueFamily = -1;
	for (uint32_t i = 0; i < n; i++) {
		if (!(fams[i].queueFlags & VK_QUEUE_COMPUTE_BIT) || fams[i].queueCount == 0) {
			continue;
		}
		if (out->queueFamily < 0 || (out->timestampValidBits == 0 && fams[i].timestampValidBits > 0)) {
			out->queueFamily = (int32_t)i;
			out->timestampValidBits = fams[i].timestampValidBits;
		}
	}
}

void sk_phys_info(sk_ctx* c, uint64_t phys, uint32_t instanceApi, uint32_t deviceApi, sk_physinfo* out) {
	VkPhysicalDevice p = (VkPhysicalDevice)(uintptr_t)phys;
	memset(out, 0, sizeof *out);
	int v2 = instanceApi >= API_1_1 && deviceApi >= API_1_1 &&
		c->vkGetPhysicalDeviceProperties2 != NULL && c->vkGetPhysicalDeviceFeatures2 != NULL &&
		c->vkGetPhysicalDeviceMemoryProperties2 != NULL;
	if (v2) {
		uint32_t api = instanceApi < deviceApi ? instanceApi : deviceApi;
		int idot = has_integer_dot(c, p, api);
		query_properties2(c, p, idot, out);
		query_features2(c, p, deviceApi, idot, out);
		query_budget(c, p, out);
	}
	pick_queue_family(c, p, out);
}
