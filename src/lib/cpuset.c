#include "cpuset.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cpuset_add(struct cpuset *s, int cpu)
{
	if (cpu < 0 || cpu >= CPUSET_MAX)
		return -ERANGE;
	if (cpu >= s->size) {
		int size = (cpu / 64 + 1) * 64;
		unsigned char *b = realloc(s->bits, (size_t)size / 8);
		if (!b)
			return -ENOMEM;
		memset(b + s->size / 8, 0, (size_t)(size - s->size) / 8);
		s->bits = b;
		s->size = size;
	}
	s->bits[cpu / 8] |= (unsigned char)(1u << (cpu % 8));
	return 0;
}

bool cpuset_has(const struct cpuset *s, int cpu)
{
	return cpu >= 0 && cpu < s->size && (s->bits[cpu / 8] >> (cpu % 8)) & 1;
}

void cpuset_del(struct cpuset *s, int cpu)
{
	if (cpuset_has(s, cpu))
		s->bits[cpu / 8] &= (unsigned char)~(1u << (cpu % 8));
}

int cpuset_merge(struct cpuset *into, const struct cpuset *from)
{
	for (int i = 0; i < from->size; i++)
		if (cpuset_has(from, i) && cpuset_add(into, i))
			return -ENOMEM;
	return 0;
}

bool cpuset_intersects(const struct cpuset *a, const struct cpuset *b)
{
	int bytes = (a->size < b->size ? a->size : b->size) / 8;
	for (int i = 0; i < bytes; i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}

int cpuset_merge_and(struct cpuset *into, const struct cpuset *a, const struct cpuset *b)
{
	int bytes = (a->size < b->size ? a->size : b->size) / 8;
	for (int i = 0; i < bytes; i++)
		for (int bit = 0; a->bits[i] & b->bits[i] && bit < 8; bit++)
			if (((a->bits[i] & b->bits[i]) >> bit) & 1 && cpuset_add(into, i * 8 + bit))
				return -ENOMEM;
	return 0;
}

int cpuset_count(const struct cpuset *s)
{
	int n = 0;
	for (int i = 0; i < s->size; i++)
		n += cpuset_has(s, i);
	return n;
}

int cpuset_last(const struct cpuset *s)
{
	for (int i = s->size - 1; i >= 0; i--)
		if (cpuset_has(s, i))
			return i;
	return -1;
}

void cpuset_clear(struct cpuset *s)
{
	free(s->bits);
	s->bits = NULL;
	s->size = 0;
}

/* Reads a decimal CPU number; NULL when there is none or it is too big. */
static const char *read_number(const char *p, int *out)
{
	long v = 0;
	if (!isdigit((unsigned char)*p))
		return NULL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v >= CPUSET_MAX)
			return NULL;
	}
	*out = (int)v;
	return p;
}

static int parse_range(struct cpuset *s, const char *p, const char **end)
{
	int lo, hi, used, group;

	if (!(p = read_number(p, &lo)))
		return -EINVAL;
	hi = lo;
	used = group = 1;
	if (*p == '-') {
		if (!(p = read_number(p + 1, &hi)) || hi < lo)
			return -EINVAL;
		used = group = hi - lo + 1;
		if (*p == ':') {
			if (!(p = read_number(p + 1, &used)) || *p != '/' ||
			    !(p = read_number(p + 1, &group)) || used == 0 ||
			    group == 0 || used > group)
				return -EINVAL;
		}
	}
	for (int cpu = lo; cpu <= hi; cpu++) {
		if ((cpu - lo) % group < used) {
			int err = cpuset_add(s, cpu);
			if (err)
				return err;
		}
	}
	*end = p;
	return 0;
}

int cpuset_parse(struct cpuset *s, const char *list)
{
	const char *p = list;
	int err = 0;

	cpuset_clear(s);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\n' || !*p)
		return 0;
	for (;;) {
		err = parse_range(s, p, &p);
		if (err)
			break;
		if (*p == ',') {
			p++;
			continue;
		}
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p)
			err = -EINVAL;
		break;
	}
	if (err)
		cpuset_clear(s);
	return err;
}

int cpuset_format(const struct cpuset *s, char *out, size_t outsz)
{
	size_t used = 0;
	bool first = true;

	if (outsz < 4)
		return -ENAMETOOLONG;
	out[0] = '\0';
	for (int i = 0; i < s->size; i++) {
		if (!cpuset_has(s, i))
			continue;
		int j = i;
		while (cpuset_has(s, j + 1))
			j++;
		char part[32];
		int n = j > i ? snprintf(part, sizeof(part), "%s%d-%d", first ? "" : ",", i, j)
			      : snprintf(part, sizeof(part), "%s%d", first ? "" : ",", i);
		if (used + (size_t)n + 1 > outsz) {
			snprintf(out + (used > outsz - 4 ? outsz - 4 : used),
				 outsz - (used > outsz - 4 ? outsz - 4 : used), "...");
			return -ENAMETOOLONG;
		}
		memcpy(out + used, part, (size_t)n + 1);
		used += (size_t)n;
		first = false;
		i = j;
	}
	return 0;
}

int cpuset_parse_mask(struct cpuset *s, const char *mask)
{
	size_t len = strcspn(mask, "\n");
	int bit = 0, err = 0;

	cpuset_clear(s);
	if (!len)
		return -EINVAL;
	/* walk from the least significant digit at the end */
	for (size_t i = len; i-- > 0 && !err;) {
		char c = mask[i];
		if (c == ',')
			continue;
		if (!isxdigit((unsigned char)c)) {
			err = -EINVAL;
			break;
		}
		int v = isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10);
		for (int b = 0; b < 4 && !err; b++, bit++)
			if (v >> b & 1)
				err = cpuset_add(s, bit);
	}
	if (err)
		cpuset_clear(s);
	return err;
}
