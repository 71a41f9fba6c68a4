// vkfn.h: signatures of the Vulkan entry points that the C shim calls (the rest go through
// the Go binding), as X-macro lists X(name, return type, (parameters)). Each becomes a function-pointer type skfn_<name>;
// TestABIMatchesSystemHeader checks every one against the official PFN_<name>.
#ifndef SCOPE_VKFN_H
#define SCOPE_VKFN_H

typedef void (*skfn_vkVoidFunction)(void);
typedef skfn_vkVoidFunction (*skfn_vkGetInstanceProcAddr)(VkInstance, const char*);

// Entry points fetched with a NULL instance.
#define SK_GLOBAL_FUNCS(X) \
	X(vkEnumerateInstanceVersion, VkResult, (uint32_t*)) \
	X(vkEnumerateInstanceLayerProperties, VkResult, (uint32_t*, VkLayerProperties*)) \
	X(vkEnumerateInstanceExtensionProperties, VkResult, (const char*, uint32_t*, VkExtensionProperties*)) \
	X(vkCreateInstance, VkResult, (const VkInstanceCreateInfo*, const VkAllocationCallbacks*, VkInstance*))

// Entry points fetched from the instance.
#define SK_INSTANCE_FUNCS(X) \
	X(vkDestroyInstance, void, (VkInstance, const VkAllocationCallbacks*)) \
	X(vkEnumeratePhysicalDevices, VkResult, (VkInstance, uint32_t*, VkPhysicalDevice*)) \
	X(vkGetPhysicalDeviceProperties2, void, (VkPhysicalDevice, VkPhysicalDeviceProperties2*)) \
	X(vkGetPhysicalDeviceFeatures2, void, (VkPhysicalDevice, VkPhysicalDeviceFeatures2*)) \
	X(vkGetPhysicalDeviceMemoryProperties2, void, (VkPhysicalDevice, VkPhysicalDeviceMemoryProperties2*)) \
	X(vkGetPhysicalDeviceQueueFamilyProperties, void, (VkPhysicalDevice, uint32_t*, VkQueueFamilyProperties*)) \
	X(vkEnumerateDeviceExtensionProperties, VkResult, (VkPhysicalDevice, const char*, uint32_t*, VkExtensionProperties*)) \
	X(vkCreateDevice, VkResult, (VkPhysicalDevice, const VkDeviceCreateInfo*, const VkAllocationCallbacks*, VkDevice*)) \
	X(vkGetDeviceProcAddr, skfn_vkVoidFunction, (VkDevice, const char*)) \
	X(vkCreateDebugUtilsMessengerEXT, VkResult, (VkInstance, const VkDebugUtilsMessengerCreateInfoEXT*, const VkAllocationCallbacks*, VkDebugUtilsMessengerEXT*)) \
	X(vkDestroyDebugUtilsMessengerEXT, void, (VkInstance, VkDebugUtilsMessengerEXT, const VkAllocationCallbacks*))

// Entry points fetched from the device.
#define SK_DEVICE_FUNCS(X) \
	X(vkDestroyDevice, void, (VkDevice, const VkAllocationCallbacks*)) \
	X(vkGetDeviceQueue, void, (VkDevice, uint32_t, uint32_t, VkQueue*)) \
	X(vkCreateComputePipelines, VkResult, (VkDevice, VkPipelineCache, uint32_t, const VkComputePipelineCreateInfo*, const VkAllocationCallbacks*, VkPipeline*)) \
	X(vkUpdateDescriptorSets, void, (VkDevice, uint32_t, const VkWriteDescriptorSet*, uint32_t, const VkCopyDescriptorSet*)) \
	X(vkCmdPipelineBarrier, void, (VkCommandBuffer, VkPipelineStageFlags, VkPipelineStageFlags, VkDependencyFlags, uint32_t, const VkMemoryBarrier*, uint32_t, const VkBufferMemoryBarrier*, uint32_t, const VkImageMemoryBarrier*)) \
	X(vkCmdCopyBuffer, void, (VkCommandBuffer, VkBuffer, VkBuffer, uint32_t, const VkBufferCopy*)) \
	X(vkQueueSubmit, VkResult, (VkQueue, uint32_t, const VkSubmitInfo*, VkFence))

#define SK_DECLARE_PFN(name, ret, params) typedef ret(*skfn_##name) params;
SK_GLOBAL_FUNCS(SK_DECLARE_PFN)
SK_INSTANCE_FUNCS(SK_DECLARE_PFN)
SK_DEVICE_FUNCS(SK_DECLARE_PFN)
#undef SK_DECLARE_PFN

#endif
