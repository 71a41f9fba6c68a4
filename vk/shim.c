//go:build cgo && !novulkan && linux

// shim.c: loader, instance and physical-device queries. Vulkan is opened at run time with
// dlopen, so a machine without the loader still runs (on the CPU backend).
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static void* loader_lib;
static skfn_vkGetInstanceProcAddr gipa;
static char load_err[512];
#define X(name, ret, params) static skfn_##name g_##name;
SK_GLOBAL_FUNCS(X)
#undef X

// The runtime library's soname first: the unversioned name exists only where the -dev
// package is installed.
static const char* loader_names[] = {"libvulkan.so.1", "libvulkan.so", NULL};

static void load_loader(void) {
	for (int i = 0; loader_names[i] != NULL && loader_lib == NULL; i++) {
		loader_lib = dlopen(loader_names[i], RTLD_NOW | RTLD_LOCAL);
	}
	if (loader_lib == NULL) {
		const char* e = dlerror();
		snprintf(load_err, sizeof load_err, "cannot open the Vulkan loader: %s", e ? e : "not found");
		return;
	}
	gipa = (skfn_vkGetInstanceProcAddr)dlsym(loader_lib, "vkGetInstanceProcAddr");
	if (gipa == NULL) {
		snprintf(load_err, sizeof load_err, "the Vulkan loader has no vkGetInstanceProcAddr");
		return;
	}
#define X(name, ret, params) g_##name = (skfn_##name)gipa(NULL, #name);
	SK_GLOBAL_FUNCS(X)
#undef X
	if (g_vkCreateInstance == NULL || g_vkEnumerateInstanceLayerProperties == NULL ||
		g_vkEnumerateInstanceExtensionProperties == NULL) {
		snprintf(load_err, sizeof load_err, "the Vulkan loader lacks core entry points");
		gipa = NULL;
	}
}

// sk_load opens the loader once per process; it is never closed, since layers may keep
// process-wide state that outlives an instance.
int sk_load(char* err, int errlen) {
	pthread_once(&load_once, load_loader);
	if (gipa == NULL) {
		snprintf(err, (size_t)errlen, "%s", load_err);
		return 0;
	}
	return 1;
}

// sk_get_instance_proc_addr is the loader's vkGetInstanceProcAddr, handed to the Go
// binding so that it uses the loader this file opened (libvulkan.so.1).
void* sk_get_instance_proc_addr(void) { return (void*)gipa; }

sk_ctx* sk_new(void) {
	sk_ctx* c = calloc(1, sizeof(sk_ctx));
	if (c == NULL) {
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void sk_free(sk_ctx* c) {
	if (c == NULL) {
		return;
	}
	sk_msg_clear(c);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

uint32_t sk_loader_version(void) {
	uint32_t v = (1u << 22); // 1.0
	if (g_vkEnumerateInstanceVersion != NULL) {
		g_vkEnumerateInstanceVersion(&v);
	}
	return v;
}

int sk_has_layer(const char* name) {
	uint32_t n = 0;
	if (g_vkEnumerateInstanceLayerProperties(&n, NULL) != VK_SUCCESS || n == 0) {
		return 0;
	}
	VkLayerProperties* props = calloc(n, sizeof *props);
	if (props == NULL) {
		return 0;
	}
	int found = 0;
	if (g_vkEnumerateInstanceLayerProperties(&n, props) >= 0) {
		for (uint32_t i = 0; i < n && !found; i++) {
			found = strcmp(props[i].layerName, name) == 0;
		}
	}
	free(props);
	return found;
}

int sk_has_instance_extension(const char* layer, const char* name) {
	uint32_t n = 0;
	if (g_vkEnumerateInstanceExtensionProperties(layer, &n, NULL) != VK_SUCCESS || n == 0) {
		return 0;
	}
	VkExtensionProperties* props = calloc(n, sizeof *props);
	if (props == NULL) {
		return 0;
	}
	int found = 0;
	if (g_vkEnumerateInstanceExtensionProperties(layer, &n, props) >= 0) {
		for (uint32_t i = 0; i < n && !found; i++) {
			found = strcmp(props[i].extensionName, name) == 0;
		}
	}
	free(props);
	return found;
}

static VkBool32 debug_callback(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
	VkDebugUtilsMessageTypeFlagsEXT types, const VkDebugUtilsMessengerCallbackDataEXT* data,
	void* user) {
	sk_ctx* c = user;
	char line[2048];
	const char* level = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
	snprintf(line, sizeof line, "%s [%s] %s", level,
		data && data->pMessageIdName ? data->pMessageIdName : "-",
		data && data->pMessage ? data->pMessage : "");
	(void)types;
	pthread_mutex_lock(&c->mu);
	c->msgTotal++;
	if (c->msgCount < SK_MAX_MESSAGES) {
		char* s = strdup(line);
		if (s != NULL) {
			c->msgs[c->msgCount++] = s;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return VK_FALSE;
}

static void fill_messenger_info(sk_ctx* c, VkDebugUtilsMessengerCreateInfoEXT* m) {
	memset(m, 0, sizeof *m);
	m->sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
	m->messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
	m->messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
		VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
	m->pfnUserCallback = debug_callback;
	m->pUserData = c;
}

VkResult sk_create_instance(sk_ctx* c, uint32_t api, int validation, int debugUtils, int syncValidation, int portability) {
	VkApplicationInfo app = {0};
	app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
	app.pApplicationName = "scope";
	app.pEngineName = "scope";
	app.apiVersion = api;

	const char* layers[1] = {"VK_LAYER_KHRONOS_validation"};
	const char* exts[3];
	uint32_t nexts = 0;
	VkDebugUtilsMessengerCreateInfoEXT messenger;
	VkValidationFeaturesEXT features = {0};
	VkValidationFeatureEnableEXT enables[1] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
	const void* next = NULL;
	if (debugUtils) {
		exts[nexts++] = "VK_EXT_debug_utils";
		fill_messenger_info(c, &messenger);
		next = &messenger;
	}
	if (syncValidation) {
		exts[nexts++] = "VK_EXT_validation_features";
		features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT;
		features.pNext = next;
		features.enabledValidationFeatureCount = 1;
		features.pEnabledValidationFeatures = enables;
		next = &features;
	}
	VkInstanceCreateInfo info = {0};
	info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
	info.pNext = next;
	if (portability) {
		// Lists portability devices (MoltenVK) too.
		exts[nexts++] = "VK_KHR_portability_enumeration";
		info.flags = VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
	}
	info.pApplicationInfo = &app;
	info.enabledLayerCount = validation ? 1 : 0;
	info.ppEnabledLayerNames = layers;
	info.enabledExtensionCount = nexts;
	info.ppEnabledExtensionNames = exts;
	VkResult r = g_vkCreateInstance(&info, NULL, &c->instance);
	if (r != VK_SUCCESS) {
		c->instance = NULL;
		return r;
	}
#define X(name, ret, params) c->name = (skfn_##name)gipa(c->instance, #name);
	SK_INSTANCE_FUNCS(X)
#undef X
	if (c->vkDestroyInstance == NULL || c->vkEnumeratePhysicalDevices == NULL ||
		c->vkCreateDevice == NULL || c->vkGetDeviceProcAddr == NULL) {
		return VK_ERROR_INITIALIZATION_FAILED;
	}
	if (debugUtils && c->vkCreateDebugUtilsMessengerEXT != NULL) {
		fill_messenger_info(c, &messenger);
		r = c->vkCreateDebugUtilsMessengerEXT(c->instance, &messenger, NULL, &c->messenger);
		if (r != VK_SUCCESS) {
			return r;
		}
	}
	return VK_SUCCESS;
}

uint64_t sk_instance(sk_ctx* c) { return SK_HANDLE_TO_U64(c->instance); }

void sk_destroy_instance(sk_ctx* c) {
	if (c->instance == NULL) {
		return;
	}
	if (c->messenger != NULL && c->vkDestroyDebugUtilsMessengerEXT != NULL) {
		c->vkDestroyDebugUtilsMessengerEXT(c->instance, c->messenger, NULL);
	}
	c->messenger = NULL;
	c->vkDestroyInstance(c->instance, NULL);
	c->instance = NULL;
}

VkResult sk_enum_physical(sk_ctx* c, uint64_t* out, uint32_t* count) {
	VkPhysicalDevice devs[64];
	uint32_t n = 64;
	if (*count < n) {
		n = *count;
	}
	VkResult r = c->vkEnumeratePhysicalDevices(c->instance, &n, devs);
	if (r < 0) {
		return r;
	}
	for (uint32_t i = 0; i < n; i++) {
		out[i] = SK_HANDLE_TO_U64(devs[i]);
	}
	*count = n;
	return VK_SUCCESS;
}

int sk_msg_count(sk_ctx* c) {
	pthread_mutex_lock(&c->mu);
	int n = c->msgCount;
	pthread_mutex_unlock(&c->mu);
	return n;
}

long sk_msg_total(sk_ctx* c) {
	pthread_mutex_lock(&c->mu);
	long n = c->msgTotal;
	pthread_mutex_unlock(&c->mu);
	return n;
}

// sk_msg_get returns message i; the string stays valid until sk_msg_clear.
const char* sk_msg_get(sk_ctx* c, int i) {
	pthread_mutex_lock(&c->mu);
	const char* s = (i >= 0 && i < c->msgCount) ? c->msgs[i] : NULL;
	pthread_mutex_unlock(&c->mu);
	return s;
}

void sk_msg_clear(sk_ctx* c) {
	pthread_mutex_lock(&c->mu);
	for (int i = 0; i < c->msgCount; i++) {
		free(c->msgs[i]);
	}
	c->msgCount = 0;
	c->msgTotal = 0;
	pthread_mutex_unlock(&c->mu);
}
