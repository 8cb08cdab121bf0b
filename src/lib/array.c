#include "array.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool power_of_two(size_t n)
{
	return n && !(n & (n - 1));
}

void *array_grow(void *items, size_t *count, size_t size)
{
	size_t n = *count;
	char *p = items;

	/* full when the count is 0 or a power of two: then double */
	if (!n || power_of_two(n)) {
		size_t cap = n ? 2 * n : 1;
		if (cap > SIZE_MAX / size)
			return NULL;
		if (!(p = realloc(items, cap * size)))
			return NULL;
	}
	memset(p + n * size, 0, size);
	*count = n + 1;
	return p;
}
