// shim.h: the C side of package vk. Every Vulkan call goes through these helpers, which
// build the Vulkan structs on the C stack from scalars and handles, so no Go memory is ever
// referenced by Vulkan and no Go finalizer can free what a call still reads.
#ifndef SCOPE_SHIM_H
#define SCOPE_SHIM_H

#include "vkabi.h"
#include "vkfn.h"

#define SK_MAX_BINDINGS 16
#define SK_MAX_DESCRIPTORS 64
#define SK_MAX_SPEC 16
#define SK_MAX_MESSAGES 256

typedef struct sk_ctx sk_ctx;

// sk_physinfo is a flat copy of what the runtime needs to know about a physical device.
typedef struct sk_physinfo {
	char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
	uint32_t apiVersion;
	uint32_t driverVersion;
	uint32_t vendorID;
	uint32_t deviceID;
	int32_t deviceType;
	uint32_t maxStorageBufferRange;
	uint32_t maxPushConstantsSize;
	uint32_t maxComputeSharedMemorySize;
	uint32_t maxComputeWorkGroupCount[3];
	uint32_t maxComputeWorkGroupInvocations;
	uint32_t maxComputeWorkGroupSize[3];
	uint32_t maxBoundDescriptorSets;
	uint32_t maxPerStageDescriptorStorageBuffers;
	uint64_t minStorageBufferOffsetAlignment;
	uint64_t nonCoherentAtomSize;
	uint64_t maxMemoryAllocationSize;
	float timestampPeriod;
	uint32_t timestampComputeAndGraphics;
	uint32_t subgroupSize;
	uint32_t subgroupOps;
	uint32_t shaderFloat16;
	uint32_t shaderInt8;
	uint32_t storageBuffer16;
	uint32_t storageBuffer8;
	uint32_t storageBufferArrayDynamicIndexing;
	int32_t queueFamily;
	uint32_t timestampValidBits;
	uint32_t hasMemoryBudget;
	uint32_t memoryTypeCount;
	uint32_t memoryTypeFlags[VK_MAX_MEMORY_TYPES];
	uint32_t memoryTypeHeap[VK_MAX_MEMORY_TYPES];
	uint32_t memoryHeapCount;
	uint32_t memoryHeapFlags[VK_MAX_MEMORY_HEAPS];
	uint64_t memoryHeapSize[VK_MAX_MEMORY_HEAPS];
	uint64_t memoryHeapBudget[VK_MAX_MEMORY_HEAPS];
} sk_physinfo;

// Loader and instance.
int sk_load(char* err, int errlen);
sk_ctx* sk_new(void);
void sk_free(sk_ctx* c);
uint32_t sk_loader_version(void);
int sk_has_layer(const char* name);
int sk_has_instance_extension(const char* layer, const char* name);
VkResult sk_create_instance(sk_ctx* c, uint32_t api, int validation, int debugUtils, int syncValidation, int portability);
void sk_destroy_instance(sk_ctx* c);
VkResult sk_enum_physical(sk_ctx* c, uint64_t* out, uint32_t* count);
void sk_phys_info(sk_ctx* c, uint64_t phys, uint32_t instanceApi, sk_physinfo* out);

// Validation messages recorded by the debug messenger.
int sk_msg_count(sk_ctx* c);
long sk_msg_total(sk_ctx* c);
const char* sk_msg_get(sk_ctx* c, int i);
void sk_msg_clear(sk_ctx* c);

// Device and queue.
VkResult sk_create_device(sk_ctx* c, uint64_t phys, uint32_t family, int f16, int i8);
void sk_destroy_device(sk_ctx* c);
VkResult sk_device_wait_idle(sk_ctx* c);

// Memory blocks: one allocation with one buffer spanning it.
VkResult sk_alloc_block(sk_ctx* c, uint64_t size, uint32_t memType, int map, uint64_t* mem, uint64_t* buf, void** mapped);
void sk_free_block(sk_ctx* c, uint64_t mem, uint64_t buf, int mapped);
VkResult sk_invalidate(sk_ctx* c, uint64_t mem, uint64_t offset, uint64_t size);
VkResult sk_flush(sk_ctx* c, uint64_t mem, uint64_t offset, uint64_t size);

// Pipelines: bindingCounts[i] storage-buffer descriptors at binding i; specVals[i] is
// specialisation constant i (4 bytes each).
VkResult sk_create_pipeline(sk_ctx* c, const uint32_t* code, size_t codeSize,
	const uint32_t* bindingCounts, uint32_t nbindings, uint32_t pushSize,
	const uint32_t* specVals, uint32_t nspec,
	uint64_t* dsl, uint64_t* layout, uint64_t* pipeline);
void sk_destroy_pipeline(sk_ctx* c, uint64_t dsl, uint64_t layout, uint64_t pipeline);

// Descriptor pools and sets.
VkResult sk_create_descriptor_pool(sk_ctx* c, uint32_t maxSets, uint32_t maxDescriptors, uint64_t* pool);
void sk_destroy_descriptor_pool(sk_ctx* c, uint64_t pool);
VkResult sk_alloc_set(sk_ctx* c, uint64_t pool, uint64_t dsl, uint64_t* set);
// sk_write_set writes n descriptors: descriptor k goes to binding bindings[k], array
// element elements[k], and views bufs[k] at offsets[k] for ranges[k] bytes.
void sk_write_set(sk_ctx* c, uint64_t set, uint32_t n, const uint32_t* bindings,
	const uint32_t* elements, const uint64_t* bufs, const uint64_t* offsets, const uint64_t* ranges);

// Command buffers, fences, queries.
VkResult sk_create_commands(sk_ctx* c, uint64_t* pool, uint64_t* cmd, uint64_t* fence);
void sk_destroy_commands(sk_ctx* c, uint64_t pool, uint64_t fence);
VkResult sk_create_query_pool(sk_ctx* c, uint32_t count, uint64_t* pool);
void sk_destroy_query_pool(sk_ctx* c, uint64_t pool);
VkResult sk_query_results(sk_ctx* c, uint64_t pool, uint32_t count, uint64_t* out);

VkResult sk_begin(sk_ctx* c, uint64_t cmd);
VkResult sk_end(sk_ctx* c, uint64_t cmd);
void sk_dispatch(sk_ctx* c, uint64_t cmd, uint64_t pipeline, uint64_t layout, uint64_t set,
	const void* push, uint32_t pushSize, uint32_t gx, uint32_t gy, uint32_t gz);
void sk_barrier(sk_ctx* c, uint64_t cmd, uint32_t srcStage, uint32_t dstStage, uint32_t srcAccess, uint32_t dstAccess);
void sk_copy(sk_ctx* c, uint64_t cmd, uint64_t src, uint64_t dst, uint64_t srcOff, uint64_t dstOff, uint64_t size);
void sk_fill(sk_ctx* c, uint64_t cmd, uint64_t buf, uint64_t off, uint64_t size, uint32_t value);
void sk_reset_queries(sk_ctx* c, uint64_t cmd, uint64_t pool, uint32_t count);
void sk_timestamp(sk_ctx* c, uint64_t cmd, uint64_t pool, uint32_t query);
VkResult sk_submit(sk_ctx* c, uint64_t cmd, uint64_t fence);
VkResult sk_wait(sk_ctx* c, uint64_t fence, uint64_t timeoutNs);

#endif
