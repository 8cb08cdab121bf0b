/* Options, declared once per command as a table: the parser, `latdoc help
 * CMD`, --help and the shell completions all read the same table, and a
 * test holds the man page to it (curl's way: every option documented). */
#ifndef LATDOC_OPTIONS_H
#define LATDOC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_type {
	OPT_FLAG,     /* no value */
	OPT_STRING,   /* any text: a path, a URI, an id prefix */
	OPT_CHOICE,   /* one word of .choices */
	OPT_INT,      /* a whole number within [min, max] */
	OPT_NUMBER,   /* a decimal number within [min, max] */
	OPT_DURATION, /* a time with its unit (250us, 2s), within [min, max] ns */
};

/* What the shell may offer for a value. */
enum opt_complete { COMPLETE_NONE, COMPLETE_FILE, COMPLETE_DIR, COMPLETE_HOST };

struct opt {
	const char *name; /* the long name, without "--" */
	char short_name;  /* 0 for none */
	enum opt_type type;
	const char *arg;  /* the value's name in help: DIR, N, WHEN */
	const char *help; /* one paragraph; the help printer wraps it */
	const char *choices; /* OPT_CHOICE: "auto always never" */
	double min, max;     /* OPT_INT, OPT_NUMBER; OPT_DURATION in ns */
	bool zero_ok;        /* 0 is taken too, below min: "off" */
	enum opt_complete complete;
	bool repeat;         /* OPT_STRING: may be given up to OPT_REPEAT_MAX times, each kept */
};

struct opt_table {
	const struct opt *opts;
	size_t count;
};

#define OPT_TABLE(array) { array, sizeof(array) / sizeof(array[0]) }

#define OPT_REPEAT_MAX 16

/* One parsed option: set, and its value in the field of its type. */
struct opt_value {
	bool set;
	const char *str;  /* OPT_STRING, OPT_CHOICE: the argument itself (the last one) */
	const char *list[OPT_REPEAT_MAX]; /* a repeatable option: every one, in order */
	int nlist;
	long long num;    /* OPT_INT; OPT_DURATION in ns */
	double real;      /* OPT_NUMBER */
};

#define OPT_MAX 32

struct opt_result {
	struct opt_value v[OPT_MAX]; /* by the option's index in its table */
	char **args;                 /* the operands, in order */
	int nargs;
	bool help;                   /* -h or --help was given */
};

/* Parses ARGV[1..] (ARGV[0] is the command's name) by TABLE. Options and
 * operands may mix; "--" ends the options; a value is given as "--name
 * VALUE", "--name=VALUE", "-x VALUE" or "-xVALUE". Returns 0, or -1 after
 * saying what was wrong on stderr. OUT->args points into ARGV. */
int opts_parse(const char *cmd, const struct opt_table *table, int argc, char **argv,
	       struct opt_result *out);

/* The option lines of `latdoc help CMD`, wrapped to 80 columns. */
void opts_print_help(FILE *out, const struct opt_table *table);

/* "--name" and, for options with a value, " ARG": how the man page and the
 * help name an option. */
void opts_format_name(const struct opt *o, char *buf, size_t bufsz);

#endif
