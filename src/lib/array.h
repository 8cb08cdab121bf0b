/* Arrays that grow one element at a time (devices of a VM, VMs of a host).
 * A hostile domain may have tens of thousands of devices, so the storage
 * doubles: the capacity is implied by the count (the next power of two),
 * and an array must only ever grow through here. */
#ifndef LATDOC_ARRAY_H
#define LATDOC_ARRAY_H

#include <stddef.h>

/* Grows ITEMS, an array of *COUNT elements of SIZE bytes, by one zeroed
 * element and counts it. Returns the array's new address (the new element
 * is its last), or NULL with ITEMS and *COUNT unchanged. */
void *array_grow(void *items, size_t *count, size_t size);

#endif
