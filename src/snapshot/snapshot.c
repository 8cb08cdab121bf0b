/* The snapshot writer: the root's record made into one entry per path,
 * parents first, secrets redacted (src/lib/redact.c), modes no wider than
 * the source's, then a note of what it is and what it left out. */
#include "snapshot.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/escape.h"
#include "../lib/redact.h"
#include "../root/root.h"
#include "version.h"

unsigned snapshot_mode(unsigned source, bool dir)
{
	return dir ? (source & 0555) | 0700 : (source & 0444) | 0200;
}

/* A path recorded more than once is written once: what was read of it
 * wins over a link, a link over a directory, a directory over a mark. */
static int rank(enum root_entry_kind k)
{
	return k == ROOT_FILE ? 3 : k == ROOT_LINK ? 2 : k == ROOT_DIR ? 1 : 0;
}

static int by_path(const void *a, const void *b, void *entries)
{
	const struct root_entry *e = entries, *x = &e[*(const size_t *)a], *y = &e[*(const size_t *)b];
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	/* the best of a path first, and of two alike the later read */
	if (rank(x->kind) != rank(y->kind))
		return rank(y->kind) - rank(x->kind);
	return *(const size_t *)a < *(const size_t *)b ? 1 : -1;
}

/* A set of the directories written, so each is written once. */
struct dirset {
	char **slot;
	size_t cap, n;
};

static size_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 31));
}

/* Adds S[0..LEN); 1 when it was new, 0 when there, -ENOMEM. */
static int dirset_add(struct dirset *d, const char *s, size_t len)
{
	if ((d->n + 1) * 2 > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 1024;
		char **slot = calloc(cap, sizeof(*slot));
		if (!slot)
			return -ENOMEM;
		for (size_t i = 0; i < d->cap; i++) {
			if (!d->slot[i])
				continue;
			size_t j = hash(d->slot[i], strlen(d->slot[i])) & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = d->slot[i];
		}
		free(d->slot);
		d->slot = slot;
		d->cap = cap;
	}
	size_t j = hash(s, len) & (d->cap - 1);
	for (; d->slot[j]; j = (j + 1) & (d->cap - 1))
		if (strlen(d->slot[j]) == len && !strncmp(d->slot[j], s, len))
			return 0;
	if (!(d->slot[j] = strndup(s, len)))
		return -ENOMEM;
	d->n++;
	return 1;
}

static void dirset_free(struct dirset *d)
{
	for (size_t i = 0; i < d->cap; i++)
		free(d->slot[i]);
	free(d->slot);
}

/* The recorded mode of directory PATH[0..LEN), by binary search in the
 * sorted, unique entries; the narrowest when it was not recorded. */
static unsigned dir_mode(const struct root_entry *e, const size_t *order, size_t n, const char *path,
			 size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *p = e[order[mid]].path;
		int c = strncmp(p, path, len);
		if (!c && p[len])
			c = 1;
		if (!c)
			return e[order[mid]].mode;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0700;
}

static void list_add(char list[][200], size_t *count, size_t listed_max, const char *fmt_path,
		     const char *extra)
{
	if (*count < listed_max) {
		char safe[160];
		str_escape(safe, sizeof(safe), fmt_path, false);
		snprintf(list[*count], 200, "%.120s%s%.60s%s", safe, extra ? " (" : "", extra ? extra : "",
			 extra ? ")" : "");
	}
	(*count)++;
}

static int write_one(struct sink *s, const struct root_entry *e, struct snapshot_summary *sum)
{
	if (e->kind == ROOT_LINK)
		return s->link(s, e->path, e->data);
	if (e->kind == ROOT_DIR)
		return s->dir(s, e->path, snapshot_mode(e->mode, true));
	if (e->kind == ROOT_MARK) {
		if (sum->marks < SNAPSHOT_LISTED)
			str_escape(sum->mark_list[sum->marks], sizeof(sum->mark_list[0]), e->path, false);
		sum->marks++;
		return s->file(s, e->path, "", 0, snapshot_mode(e->mode, false));
	}
	char *data;
	size_t len;
	struct redactions red;
	int err = redact_file(e->path, e->data, e->len, &data, &len, &red);
	if (err)
		return err;
	if (red.count) {
		sum->redacted += red.count;
		list_add(sum->redacted_list, &sum->redacted_files, SNAPSHOT_LISTED, e->path, red.kinds);
	}
	err = s->file(s, e->path, data, len, snapshot_mode(e->mode, false));
	free(data);
	return err;
}

/* The note at the snapshot's top: what it is, how to use it, and what it
 * does not hold. */
void snapshot_list_redacted(FILE *f, const struct snapshot_summary *sum, const char *indent)
{
	for (size_t i = 0; i < sum->redacted_files && i < SNAPSHOT_LISTED; i++)
		fprintf(f, "%s%s\n", indent, sum->redacted_list[i]);
	if (sum->redacted_files > SNAPSHOT_LISTED)
		fprintf(f, "%sand %zu more files\n", indent, sum->redacted_files - SNAPSHOT_LISTED);
}

static int write_note(struct sink *s, const struct report *rep, const struct snapshot_summary *sum)
{
	char taken[32], host[200], *text = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	strftime(taken, sizeof(taken), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	str_escape(host, sizeof(host), rep->facts.hostname[0] ? rep->facts.hostname : "unknown host",
		   false);
	fprintf(f, "latdoc %s snapshot of %s (%s), taken %s\n"
		   "check it anywhere with: latdoc check --root DIR (or --root FILE.tar.gz)\n\n",
		LATDOC_VERSION, host, rep->root_dir, taken);
	if (!sum->redacted)
		fprintf(f, "Redacted: nothing; no secret value was found in what check read.\n");
	else
		fprintf(f, "Redacted: %u secret value%s in %zu file%s, each replaced by "
			   "\"latdoc-redacted\":\n",
			sum->redacted, sum->redacted == 1 ? "" : "s", sum->redacted_files,
			sum->redacted_files == 1 ? "" : "s");
	snapshot_list_redacted(f, sum, "  ");
	fprintf(f, "Left out:\n  every file check does not read: most of the machine\n");
	if (sum->marks)
		fprintf(f, "  the contents of %zu file%s whose existence alone was checked, kept empty:\n",
			sum->marks, sum->marks == 1 ? "" : "s");
	for (size_t i = 0; i < sum->marks && i < SNAPSHOT_LISTED; i++)
		fprintf(f, "    %s\n", sum->mark_list[i]);
	if (sum->marks > SNAPSHOT_LISTED)
		fprintf(f, "    and %zu more\n", sum->marks - SNAPSHOT_LISTED);
	if (sum->unreadable)
		fprintf(f, "  what check could not read (%zu problem%s: check --root lists them)\n",
			sum->unreadable, sum->unreadable == 1 ? "" : "s");
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	int err = s->file(s, "latdoc-snapshot.txt", text, len, 0644);
	free(text);
	return err;
}

int snapshot_write(const struct report *rep, struct sink *sink, struct snapshot_summary *sum,
		   char *err, size_t errsz)
{
	size_t n;
	const struct root_entry *e = root_entries(rep->root, &n);
	size_t *order = malloc((n ? n : 1) * sizeof(*order)), uniq = 0;
	struct dirset written = { 0 };
	const char *failed = NULL;
	int rc = 0;

	memset(sum, 0, sizeof(*sum));
	sum->unreadable = rep->facts.nproblems;
	if (!order) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), by_path, (void *)e);
	for (size_t i = 0; i < n; i++)
		if (*e[order[i]].path && (!uniq || strcmp(e[order[uniq - 1]].path, e[order[i]].path)))
			order[uniq++] = order[i];

	for (size_t i = 0; i < uniq && !rc; i++) {
		const struct root_entry *x = &e[order[i]];
		/* its directories first, each once, as the source had them */
		for (const char *slash = strchr(x->path, '/'); slash && !rc; slash = strchr(slash + 1, '/')) {
			size_t len = (size_t)(slash - x->path);
			int added = dirset_add(&written, x->path, len);
			if (added < 0) {
				rc = added;
			} else if (added) {
				char dir[4096];
				snprintf(dir, sizeof(dir), "%.*s", (int)len, x->path);
				rc = sink->dir(sink, dir, snapshot_mode(dir_mode(e, order, uniq, x->path, len), true));
				sum->entries++;
			}
		}
		if (!rc && x->kind == ROOT_DIR) {
			int added = dirset_add(&written, x->path, strlen(x->path));
			rc = added < 0 ? added : added ? write_one(sink, x, sum) : 0;
			sum->entries += added > 0;
		} else if (!rc) {
			rc = write_one(sink, x, sum);
			sum->entries++;
		}
		if (rc)
			failed = x->path;
	}
	if (!rc && (rc = write_note(sink, rep, sum)))
		failed = "latdoc-snapshot.txt";
out:
	free(order);
	dirset_free(&written);
	if (rc) {
		char safe[160];
		str_escape(safe, sizeof(safe), failed ? failed : "", false);
		snprintf(err, errsz, "writing %s: %s", failed ? safe : "the snapshot",
			 sink->err[0] ? sink->err : strerror(-rc));
		sink->close(sink, false);
		return -1;
	}
	if ((rc = sink->close(sink, true))) {
		snprintf(err, errsz, "finishing the snapshot: %s", sink->err[0] ? sink->err : strerror(-rc));
		return -1;
	}
	return 0;
}
