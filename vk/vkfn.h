// vkfn.h: signatures of the Vulkan entry points that package vk calls, as X-macro lists
// X(name, return type, (parameters)). Each becomes a function-pointer type skfn_<name>;
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
	X(vkGetPhysicalDeviceProperties, void, (VkPhysicalDevice, VkPhysicalDeviceProperties*)) \
	X(vkGetPhysicalDeviceProperties2, void, (VkPhysicalDevice, VkPhysicalDeviceProperties2*)) \
	X(vkGetPhysicalDeviceFeatures2, void, (VkPhysicalDevice, VkPhysicalDeviceFeatures2*)) \
	X(vkGetPhysicalDeviceMemoryProperties, void, (VkPhysicalDevice, VkPhysicalDeviceMemoryProperties*)) \
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
	X(vkDeviceWaitIdle, VkResult, (VkDevice)) \
	X(vkAllocateMemory, VkResult, (VkDevice, const VkMemoryAllocateInfo*, const VkAllocationCallbacks*, VkDeviceMemory*)) \
	X(vkFreeMemory, void, (VkDevice, VkDeviceMemory, const VkAllocationCallbacks*)) \
	X(vkMapMemory, VkResult, (VkDevice, VkDeviceMemory, VkDeviceSize, VkDeviceSize, VkMemoryMapFlags, void**)) \
	X(vkUnmapMemory, void, (VkDevice, VkDeviceMemory)) \
	X(vkFlushMappedMemoryRanges, VkResult, (VkDevice, uint32_t, const VkMappedMemoryRange*)) \
	X(vkInvalidateMappedMemoryRanges, VkResult, (VkDevice, uint32_t, const VkMappedMemoryRange*)) \
	X(vkCreateBuffer, VkResult, (VkDevice, const VkBufferCreateInfo*, const VkAllocationCallbacks*, VkBuffer*)) \
	X(vkDestroyBuffer, void, (VkDevice, VkBuffer, const VkAllocationCallbacks*)) \
	X(vkGetBufferMemoryRequirements, void, (VkDevice, VkBuffer, VkMemoryRequirements*)) \
	X(vkBindBufferMemory, VkResult, (VkDevice, VkBuffer, VkDeviceMemory, VkDeviceSize)) \
	X(vkCreateShaderModule, VkResult, (VkDevice, const VkShaderModuleCreateInfo*, const VkAllocationCallbacks*, VkShaderModule*)) \
	X(vkDestroyShaderModule, void, (VkDevice, VkShaderModule, const VkAllocationCallbacks*)) \
	X(vkCreateDescriptorSetLayout, VkResult, (VkDevice, const VkDescriptorSetLayoutCreateInfo*, const VkAllocationCallbacks*, VkDescriptorSetLayout*)) \
	X(vkDestroyDescriptorSetLayout, void, (VkDevice, VkDescriptorSetLayout, const VkAllocationCallbacks*)) \
	X(vkCreatePipelineLayout, VkResult, (VkDevice, const VkPipelineLayoutCreateInfo*, const VkAllocationCallbacks*, VkPipelineLayout*)) \
	X(vkDestroyPipelineLayout, void, (VkDevice, VkPipelineLayout, const VkAllocationCallbacks*)) \
	X(vkCreateComputePipelines, VkResult, (VkDevice, VkPipelineCache, uint32_t, const VkComputePipelineCreateInfo*, const VkAllocationCallbacks*, VkPipeline*)) \
	X(vkDestroyPipeline, void, (VkDevice, VkPipeline, const VkAllocationCallbacks*)) \
	X(vkCreateDescriptorPool, VkResult, (VkDevice, const VkDescriptorPoolCreateInfo*, const VkAllocationCallbacks*, VkDescriptorPool*)) \
	X(vkDestroyDescriptorPool, void, (VkDevice, VkDescriptorPool, const VkAllocationCallbacks*)) \
	X(vkAllocateDescriptorSets, VkResult, (VkDevice, const VkDescriptorSetAllocateInfo*, VkDescriptorSet*)) \
	X(vkUpdateDescriptorSets, void, (VkDevice, uint32_t, const VkWriteDescriptorSet*, uint32_t, const VkCopyDescriptorSet*)) \
	X(vkCreateCommandPool, VkResult, (VkDevice, const VkCommandPoolCreateInfo*, const VkAllocationCallbacks*, VkCommandPool*)) \
	X(vkDestroyCommandPool, void, (VkDevice, VkCommandPool, const VkAllocationCallbacks*)) \
	X(vkAllocateCommandBuffers, VkResult, (VkDevice, const VkCommandBufferAllocateInfo*, VkCommandBuffer*)) \
	X(vkResetCommandBuffer, VkResult, (VkCommandBuffer, VkCommandBufferResetFlags)) \
	X(vkBeginCommandBuffer, VkResult, (VkCommandBuffer, const VkCommandBufferBeginInfo*)) \
	X(vkEndCommandBuffer, VkResult, (VkCommandBuffer)) \
	X(vkCmdBindPipeline, void, (VkCommandBuffer, VkPipelineBindPoint, VkPipeline)) \
	X(vkCmdBindDescriptorSets, void, (VkCommandBuffer, VkPipelineBindPoint, VkPipelineLayout, uint32_t, uint32_t, const VkDescriptorSet*, uint32_t, const uint32_t*)) \
	X(vkCmdPushConstants, void, (VkCommandBuffer, VkPipelineLayout, VkShaderStageFlags, uint32_t, uint32_t, const void*)) \
	X(vkCmdDispatch, void, (VkCommandBuffer, uint32_t, uint32_t, uint32_t)) \
	X(vkCmdPipelineBarrier, void, (VkCommandBuffer, VkPipelineStageFlags, VkPipelineStageFlags, VkDependencyFlags, uint32_t, const VkMemoryBarrier*, uint32_t, const VkBufferMemoryBarrier*, uint32_t, const VkImageMemoryBarrier*)) \
	X(vkCmdCopyBuffer, void, (VkCommandBuffer, VkBuffer, VkBuffer, uint32_t, const VkBufferCopy*)) \
	X(vkCmdFillBuffer, void, (VkCommandBuffer, VkBuffer, VkDeviceSize, VkDeviceSize, uint32_t)) \
	X(vkCmdWriteTimestamp, void, (VkCommandBuffer, VkPipelineStageFlagBits, VkQueryPool, uint32_t)) \
	X(vkCmdResetQueryPool, void, (VkCommandBuffer, VkQueryPool, uint32_t, uint32_t)) \
	X(vkCreateQueryPool, VkResult, (VkDevice, const VkQueryPoolCreateInfo*, const VkAllocationCallbacks*, VkQueryPool*)) \
	X(vkDestroyQueryPool, void, (VkDevice, VkQueryPool, const VkAllocationCallbacks*)) \
	X(vkGetQueryPoolResults, VkResult, (VkDevice, VkQueryPool, uint32_t, uint32_t, size_t, void*, VkDeviceSize, VkQueryResultFlags)) \
	X(vkQueueSubmit, VkResult, (VkQueue, uint32_t, const VkSubmitInfo*, VkFence)) \
	X(vkCreateFence, VkResult, (VkDevice, const VkFenceCreateInfo*, const VkAllocationCallbacks*, VkFence*)) \
	X(vkDestroyFence, void, (VkDevice, VkFence, const VkAllocationCallbacks*)) \
	X(vkWaitForFences, VkResult, (VkDevice, uint32_t, const VkFence*, VkBool32, uint64_t)) \
	X(vkResetFences, VkResult, (VkDevice, uint32_t, const VkFence*))

#define SK_DECLARE_PFN(name, ret, params) typedef ret(*skfn_##name) params;
SK_GLOBAL_FUNCS(SK_DECLARE_PFN)
SK_INSTANCE_FUNCS(SK_DECLARE_PFN)
SK_DEVICE_FUNCS(SK_DECLARE_PFN)
#undef SK_DECLARE_PFN

#endif
