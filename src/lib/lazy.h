/* Libraries loaded when first used, not when latdoc starts.
 *
 * libvirt, libcurl, libxml2, libcrypto and libarchive pull in some sixty
 * shared objects (and libmicrohttpd, which only serve needs, a few more):
 * linked at start-up they cost about 8 ms and 12 MB of every run, while
 * `check` on a machine without VMs needs none of them. Each library has a
 * file lazy_NAME.c that defines the functions latdoc calls, with the
 * library's own prototypes; each definition loads the library on its first
 * call and hands on to the real function. A function used for the first
 * time needs its line there (the link fails without it).
 *
 * When the library is missing, the shims return the library's own failure
 * value (NULL, -1, an error code); lazy_missing() tells the caller why. */
#ifndef LATDOC_LAZY_H
#define LATDOC_LAZY_H

#include <stdbool.h>

struct lazy_lib {
	const char *soname; /* libvirt.so.0 */
	/* A function of no arguments to call once when the library is loaded,
	 * under the loader's lock, before any thread can use it: libxml2's
	 * xmlInitParser, whose implicit first call is not thread-safe (its
	 * documentation: "call once before processing in case of use in
	 * multithreaded programs"), and diff parses both sides' domain XML in
	 * two threads. NULL for none. */
	const char *init;
	void *handle;       /* NULL until loaded */
	int state;          /* 0 not tried, 1 loaded, -1 missing */
};

/* The real function NAME of LIB, loading LIB first; NULL when missing. */
void *lazy_sym(struct lazy_lib *lib, const char *name);

/* NULL when LIB loads, else a sentence that names the library. */
const char *lazy_missing(struct lazy_lib *lib);

extern struct lazy_lib lazy_libvirt, lazy_libcurl, lazy_libxml2, lazy_libcrypto, lazy_libssl,
	lazy_libmicrohttpd, lazy_libarchive;

/* In a shim: FN becomes the real NAME, of NAME's own type, or NULL. */
#define LAZY_FN(lib, name)                                                              \
	static __typeof__(name) *lazy_fn_;                                              \
	__typeof__(name) *fn = __atomic_load_n(&lazy_fn_, __ATOMIC_ACQUIRE);            \
	if (!fn) {                                                                      \
		fn = (__typeof__(name) *)lazy_sym(&(lib), #name);                       \
		__atomic_store_n(&lazy_fn_, fn, __ATOMIC_RELEASE);                      \
	}

#endif
