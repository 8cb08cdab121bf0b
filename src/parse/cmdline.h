/* The kernel command line, split the way the kernel's next_arg() does. */
#ifndef LATDOC_CMDLINE_H
#define LATDOC_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX_PARAMS 1024

struct cmdline_param {
	char *name;
	char *value; /* NULL for a bare flag such as "quiet" */
};

struct cmdline {
	struct cmdline_param *params;
	size_t count;
};

/* Splits S on blanks outside double quotes, drops the quotes, stops at "--"
 * (what follows belongs to init). -EINVAL on an unterminated quote or more
 * than CMDLINE_MAX_PARAMS parameters, -ENOMEM. */
int cmdline_parse(const char *s, struct cmdline *out);
void cmdline_free(struct cmdline *c);

/* The last occurrence of NAME wins, as in the kernel; '-' and '_' match
 * each other in names. Returns the parameter or NULL. */
const struct cmdline_param *cmdline_find(const struct cmdline *c, const char *name);

#endif
