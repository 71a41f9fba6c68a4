// shim.h: the C side of package vk. It opens the loader, creates the instance (with its
// debug messenger) and the device, makes the Vulkan 1.1+ queries that the Go binding
// lacks, and makes the calls that the binding does not do safely (those taking arrays of
// structs: the binding frees its C copy of such an array from a finalizer that can run
// while Vulkan still reads it). Each helper builds its structs on the C stack from scalars
// and handles, so Vulkan never reads Go memory here. doc.go lists which call goes where.
#ifndef SCOPE_SHIM_H
#define SCOPE_SHIM_H

#include "vkabi.h"
#include "vkfn.h"

#define SK_MAX_DESCRIPTORS 64
#define SK_MAX_SPEC 16
#define SK_MAX_MESSAGES 256

typedef struct sk_ctx sk_ctx;

// sk_physinfo holds what the Vulkan 1.1+ queries and the queue-family list report about a
// physical device (the binding reads the Vulkan 1.0 properties, features and memory).
typedef struct sk_physinfo {
	uint64_t maxMemoryAllocationSize; // 0 when maintenance3 is not reported
	uint32_t subgroupSize;
	uint32_t subgroupOps;
	uint32_t subgroupStages;
	uint32_t shaderFloat16;
	uint32_t shaderInt8;
	uint32_t storageBuffer16;
	uint32_t storageBuffer8;
	uint32_t integerDotProduct;     // shaderIntegerDotProduct (Vulkan 1.3 or the KHR extension)
	uint32_t integerDot4x8Signed;   // integerDotProduct4x8BitPackedSignedAccelerated
	int32_t queueFamily;
	uint32_t timestampValidBits;
	uint32_t hasMemoryBudget;
	uint64_t memoryHeapBudget[VK_MAX_MEMORY_HEAPS];
} sk_physinfo;

// Loader and instance.
int sk_load(char* err, int errlen);
void* sk_get_instance_proc_addr(void);
sk_ctx* sk_new(void);
void sk_free(sk_ctx* c);
uint32_t sk_loader_version(void);
int sk_has_layer(const char* name);
int sk_has_instance_extension(const char* layer, const char* name);
VkResult sk_create_instance(sk_ctx* c, uint32_t api, int validation, int debugUtils, int syncValidation, int portability);
uint64_t sk_instance(sk_ctx* c);
void sk_destroy_instance(sk_ctx* c);
VkResult sk_enum_physical(sk_ctx* c, uint64_t* out, uint32_t* count);
// sk_phys_info fills out; the 1.1 queries are made only when both versions allow them.
void sk_phys_info(sk_ctx* c, uint64_t phys, uint32_t instanceApi, uint32_t deviceApi, sk_physinfo* out);

// Validation messages recorded by the debug messenger.
int sk_msg_count(sk_ctx* c);
long sk_msg_total(sk_ctx* c);
const char* sk_msg_get(sk_ctx* c, int i);
void sk_msg_clear(sk_ctx* c);

// Device and queue.
// idot enables shaderIntegerDotProduct (and its extension where the device lists it).
VkResult sk_create_device(sk_ctx* c, uint64_t phys, uint32_t family, int f16, int i8, int idot);
uint64_t sk_device(sk_ctx* c);
void sk_destroy_device(sk_ctx* c);

// sk_create_pipeline creates a compute pipeline of module and layout; specVals[i] is
// specialisation constant i (4 bytes each).
VkResult sk_create_pipeline(sk_ctx* c, uint64_t module, uint64_t layout,
	const uint32_t* specVals, uint32_t nspec, uint64_t* pipeline);

// sk_write_set writes n descriptors: descriptor k goes to binding bindings[k], array
// element elements[k], and views bufs[k] at offsets[k] for ranges[k] bytes.
void sk_write_set(sk_ctx* c, uint64_t set, uint32_t n, const uint32_t* bindings,
	const uint32_t* elements, const uint64_t* bufs, const uint64_t* offsets, const uint64_t* ranges);

// Recording and submission.
void sk_barrier(sk_ctx* c, uint64_t cmd, uint32_t srcStage, uint32_t dstStage, uint32_t srcAccess, uint32_t dstAccess);
void sk_copy(sk_ctx* c, uint64_t cmd, uint64_t src, uint64_t dst, uint64_t srcOff, uint64_t dstOff, uint64_t size);
VkResult sk_submit(sk_ctx* c, uint64_t cmd, uint64_t fence);

#endif
