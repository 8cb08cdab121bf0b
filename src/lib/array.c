#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *array_grow(void *items, size_t *count, size_t size)
{
	if (*count >= SIZE_MAX / size - 1)
		return NULL;
	char *p = realloc(items, (*count + 1) * size);
	if (!p)
		return NULL;
	memset(p + *count * size, 0, size);
	(*count)++;
	return p;
}
