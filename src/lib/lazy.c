#include "lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* rtt's server thread and the main thread, or diff's two sides, may both
 * be first */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static bool load(struct lazy_lib *lib)
{
	pthread_mutex_lock(&lock);
	if (!lib->state) {
		lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		lib->state = lib->handle ? 1 : -1;
		void (*init)(void) = lib->handle && lib->init ? (void (*)(void))dlsym(lib->handle, lib->init) : NULL;
		if (init)
			init();
	}
	bool ok = lib->state > 0;
	pthread_mutex_unlock(&lock);
	return ok;
}

void *lazy_sym(struct lazy_lib *lib, const char *name)
{
	return load(lib) ? dlsym(lib->handle, name) : NULL;
}

const char *lazy_missing(struct lazy_lib *lib)
{
	static __thread char why[160];

	if (load(lib))
		return NULL;
	snprintf(why, sizeof(why), "%s is not installed (or did not load)", lib->soname);
	return why;
}
