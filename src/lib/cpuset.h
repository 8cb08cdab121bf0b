/* A set of CPU numbers, as the kernel writes it in lists like "0-3,8-11". */
#ifndef LATDOC_CPUSET_H
#define LATDOC_CPUSET_H

#include <stdbool.h>
#include <stddef.h>

/* The kernel's NR_CPUS tops out at 8192; a list naming more is malformed. */
#define CPUSET_MAX 8192

struct cpuset {
	unsigned char *bits; /* NULL while empty */
	int size;            /* bits allocated, a multiple of 8 */
};

int cpuset_add(struct cpuset *s, int cpu);
bool cpuset_has(const struct cpuset *s, int cpu);
void cpuset_del(struct cpuset *s, int cpu);
/* Adds every CPU of FROM to INTO; -ENOMEM. */
int cpuset_merge(struct cpuset *into, const struct cpuset *from);
/* Whether A and B have a CPU in common. */
bool cpuset_intersects(const struct cpuset *a, const struct cpuset *b);
/* Adds the CPUs of both A and B to INTO; -ENOMEM. */
int cpuset_merge_and(struct cpuset *into, const struct cpuset *a, const struct cpuset *b);
int cpuset_count(const struct cpuset *s);
/* The highest CPU in the set, -1 when empty. */
int cpuset_last(const struct cpuset *s);
void cpuset_clear(struct cpuset *s);

/* Parses a kernel CPU list: "0-3,8,10-15:2/4" (the ":used/group" stride of
 * bitmap_parselist). An empty string or "\n" is the empty set. Returns 0 or
 * -EINVAL / -ERANGE / -ENOMEM; the set is left empty on error. */
int cpuset_parse(struct cpuset *s, const char *list);

/* Parses a kernel CPU mask: "ff", "00000000,000000ff" (32-bit hex words,
 * most significant first). */
int cpuset_parse_mask(struct cpuset *s, const char *mask);

/* Writes the set as a list ("0-3,8") into OUT; -ENAMETOOLONG if it does not
 * fit (OUT then holds a truncated list ending in "..."). */
int cpuset_format(const struct cpuset *s, char *out, size_t outsz);

#endif
