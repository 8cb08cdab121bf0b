/* Small, strict parsers for the values sysfs and procfs print. Each returns
 * 0 or -EINVAL, never reads past the string, and accepts the trailing
 * newline the kernel writes. */
#ifndef LATDOC_TEXT_H
#define LATDOC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

int parse_long(const char *s, long *out);
int parse_ullong(const char *s, unsigned long long *out);
int parse_double(const char *s, double *out);

/* A duration with its unit: "250us", "1.5ms", "2s", "10m", "1h" (ns, us,
 * ms, s, m, h). "0" alone is zero; any other bare number is -EDOM, for the
 * caller to say which units it takes. -EINVAL for anything else, negative
 * or not a number; -ERANGE beyond a week. */
int parse_duration_ns(const char *s, long long *ns);

/* "always [madvise] never": copies the bracketed word into OUT. */
int parse_choice(const char *s, char *out, size_t outsz);

/* Whether the space-separated list LIST holds WORD. */
int word_in_list(const char *list, const char *word);

/* Copies SRC into DST of size SZ, cut short if it does not fit (NULL
 * copies as ""). Returns true when it was cut. */
bool str_copy(char *dst, size_t sz, const char *src);

/* KEY's value in BUF, a file of KEY=value lines as os-release and
 * systemd's EnvironmentFile= take them (the value may be in quotes; the
 * last assignment wins), into OUT. Returns whether KEY is assigned: an
 * empty value is a value. */
bool env_value(const char *buf, const char *key, char *out, size_t outsz);

/* Strips leading and trailing blanks in place; returns the start. */
char *trim(char *s);

#endif
