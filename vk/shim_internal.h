// shim_internal.h: the context shared by the shim's C files.
#ifndef SCOPE_SHIM_INTERNAL_H
#define SCOPE_SHIM_INTERNAL_H

#include <pthread.h>

#include "shim.h"

struct sk_ctx {
#define X(name, ret, params) skfn_##name name;
	SK_INSTANCE_FUNCS(X)
	SK_DEVICE_FUNCS(X)
#undef X
	VkInstance instance;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice phys;
	VkDevice device;
	VkQueue queue;
	pthread_mutex_t mu;
	char* msgs[SK_MAX_MESSAGES];
	int msgCount;
	long msgTotal;
};

int sk_device_has_extension(sk_ctx* c, VkPhysicalDevice p, const char* name);

#define H(T, v) SK_HANDLE_FROM_U64(T, v)
#define U(v) SK_HANDLE_TO_U64(v)

#endif
