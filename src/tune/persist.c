/* The configuration that survives a reboot: one file per mechanism under
 * /etc, each marked as latdoc's (tmpfiles.d for sysfs values, sysctl.d,
 * modprobe.d, modules-load.d, a GRUB drop-in for kernel parameters), and
 * units disabled or enabled by their links. A file that is there already
 * keeps its lines; the ones latdoc sets are replaced or added, and the old
 * contents go into the journal first. */
#include "tune.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/escape.h"
#include "../root/root.h"
#include "hold_unit.h"

#define HOLD_UNIT "latdoc-hold.service"
#define HOLD_WANTS "etc/systemd/system/multi-user.target.wants/" HOLD_UNIT
#define GRUB_VAR "GRUB_CMDLINE_LINUX_DEFAULT"
#define GRUB_LINE GRUB_VAR "=\"$" GRUB_VAR

/* The file a persistent change goes into, or -1 for none. */
static int file_of(const struct fix_action *a)
{
	switch (a->kind) {
	case FIX_SYSFS:
		return OWN_TMPFILES;
	case FIX_SYSCTL:
		return OWN_SYSCTL;
	case FIX_MODULE_OPTION:
		return OWN_MODPROBE;
	case FIX_MODULE:
		return OWN_MODULES;
	case FIX_CMDLINE:
		return OWN_GRUB;
	default:
		return -1;
	}
}

/* The line a change adds to its file, and the key that says which line of
 * the file it replaces. */
static void line_of(const struct fix_action *a, char *line, size_t linesz, char *key, size_t keysz)
{
	const char *dot = strchr(a->target, '.');
	switch (a->kind) {
	case FIX_SYSFS:
		snprintf(key, keysz, "%s", a->target);
		snprintf(line, linesz, "w %s - - - - %s", a->target, a->want);
		return;
	case FIX_SYSCTL:
		snprintf(key, keysz, "%s", a->target);
		snprintf(line, linesz, "%s = %s", a->target, a->want);
		return;
	case FIX_MODULE_OPTION:
		snprintf(key, keysz, "%s", a->target);
		snprintf(line, linesz, "options %.*s %s=%s", dot ? (int)(dot - a->target) : 0, a->target,
			 dot ? dot + 1 : a->target, a->want);
		return;
	case FIX_MODULE:
		snprintf(key, keysz, "%s", a->target);
		snprintf(line, linesz, "%s", a->target);
		return;
	case FIX_CMDLINE:
		snprintf(key, keysz, "%s", a->target);
		snprintf(line, linesz, "%s=%s", a->target, a->want);
		return;
	default:
		line[0] = key[0] = '\0';
	}
}

/* The key of an existing line of FILE, as line_of() makes them. */
static void key_of_line(int file, const char *line, size_t len, char *key, size_t keysz)
{
	char buf[512], mod[128], param[128];
	snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), line);
	key[0] = '\0';
	switch (file) {
	case OWN_TMPFILES:
		if (sscanf(buf, "w %255s", key) != 1)
			key[0] = '\0';
		return;
	case OWN_SYSCTL:
		buf[strcspn(buf, "= \t")] = '\0';
		snprintf(key, keysz, "%.200s", buf[0] == '#' ? "" : buf);
		return;
	case OWN_MODPROBE:
		if (sscanf(buf, "options %127s %127[^=]", mod, param) == 2)
			snprintf(key, keysz, "%s.%s", mod, param);
		return;
	case OWN_MODULES:
		buf[strcspn(buf, " \t#")] = '\0';
		snprintf(key, keysz, "%.200s", buf);
		return;
	}
}

void persist_describe(const struct change *c, char *out, size_t outsz)
{
	const struct fix_action *a = c->action;
	char line[512], key[256];
	int file = file_of(a);

	out[0] = '\0';
	if (a->kind == FIX_SERVICE) {
		if (!strcmp(a->want, "enabled"))
			snprintf(out, outsz, "enable %s (multi-user.target)", a->target);
		else
			snprintf(out, outsz, "disable %s (its links in /etc/systemd/system)", a->target);
		return;
	}
	if (file < 0)
		return;
	line_of(a, line, sizeof(line), key, sizeof(key));
	snprintf(out, outsz, "/%s: %s", owned_files[file], line);
}

/* Whether FILE (an owned file's bytes) has LINE as a line of its own. */
static bool has_line(const char *file, size_t len, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = file; p && p < file + len;) {
		const char *nl = memchr(p, '\n', (size_t)(file + len - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(file + len - p);
		if (l == n && !memcmp(p, line, n))
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Whether the drop-in's line sets PARAM=VALUE among its words. */
static bool grub_has(const char *file, size_t len, const char *param)
{
	for (const char *p = file; p && p < file + len;) {
		const char *nl = memchr(p, '\n', (size_t)(file + len - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(file + len - p);
		char words[1024], *save = NULL;
		if (l > strlen(GRUB_LINE) && l < sizeof(words) && !strncmp(p, GRUB_LINE, strlen(GRUB_LINE))) {
			snprintf(words, sizeof(words), "%.*s", (int)(l - strlen(GRUB_LINE)), p + strlen(GRUB_LINE));
			for (char *w = strtok_r(words, " \"", &save); w; w = strtok_r(NULL, " \"", &save))
				if (!strcmp(w, param))
					return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* The links that enable UNIT in /etc: etc/systemd/system/X.wants/UNIT and
 * X.requires/UNIT, up to MAX into PATHS, with their targets. Returns how
 * many, or a negative errno. */
struct unit_link {
	char path[512], target[512];
};

static int unit_links(struct root *r, const char *unit, struct unit_link *links, int max)
{
	char **names;
	size_t count;
	int n = 0, e = root_list(r, "etc/systemd/system", &names, &count);

	if (e)
		return e == -ENOENT ? 0 : e;
	for (size_t i = 0; i < count && n < max; i++) {
		size_t len = strlen(names[i]);
		if (!(len > 6 && !strcmp(names[i] + len - 6, ".wants")) &&
		    !(len > 9 && !strcmp(names[i] + len - 9, ".requires")))
			continue;
		snprintf(links[n].path, sizeof(links[n].path), "etc/systemd/system/%.200s/%.200s", names[i],
			 unit);
		/* a link tune may not remove (".x.wants") is not one of its */
		n += knob_owned_link(links[n].path) &&
		     !root_readlink(r, links[n].path, links[n].target, sizeof(links[n].target));
	}
	root_free_names(names);
	return n;
}

#define MAX_UNIT_LINKS 16

static bool unit_linked(struct root *r, const char *unit)
{
	struct unit_link links[MAX_UNIT_LINKS];
	return unit_links(r, unit, links, MAX_UNIT_LINKS) > 0;
}

bool persist_in_place(struct root *r, const struct change *c)
{
	const struct fix_action *a = c->action;
	char line[512], key[256], *buf;
	size_t len;
	int file = file_of(a);

	if (a->kind == FIX_SERVICE)
		return !strcmp(a->want, "enabled") ? unit_linked(r, a->target) : !unit_linked(r, a->target);
	if (file < 0 || root_read(r, owned_files[file], &buf, &len))
		return false;
	line_of(a, line, sizeof(line), key, sizeof(key));
	bool in = file == OWN_GRUB ? grub_has(buf, len, line) : has_line(buf, len, line);
	free(buf);
	return in;
}

int persist_hold_unit(const char *exe, char **out)
{
	static const char token[] = "@bindir@/latdoc";
	const size_t tl = sizeof(token) - 1;
	const char *at = strstr(hold_unit, token);
	size_t n = strlen(hold_unit) - tl + strlen(exe);
	char *s = at ? malloc(n + 1) : NULL;
	if (!s)
		return -ENOMEM;
	snprintf(s, n + 1, "%.*s%s%s", (int)(at - hold_unit), hold_unit, exe, at + tl);
	*out = s;
	return 0;
}

/* ---- the changes, journaled ------------------------------------------- */

static const char *const doing[J_OPS] = {
	[J_MKDIR] = "making", [J_FILE] = "writing", [J_UNLINK] = "removing", [J_LINK] = "linking",
};

/* Makes change J (a directory, a file, a link made or removed): journaled
 * and synced before, marked done after; says VERB and where. */
static int make_change(struct run *run, struct jentry *j, const char *verb)
{
	int e = journal_intent(run->w, j);
	if (e)
		return tune_journal_error(run, e);
	switch (j->op) {
	case J_MKDIR:
		e = root_make_dir(run->r, j->path, j->mode);
		break;
	case J_FILE:
		e = root_put_file(run->r, j->path, j->new.data, j->new.len, 0644, true);
		break;
	case J_UNLINK:
		e = root_remove(run->r, j->path);
		break;
	case J_LINK:
		e = root_make_link(run->r, j->path, j->new.data);
		break;
	default:
		e = -EINVAL;
		break;
	}
	if (e) {
		snprintf(run->err, sizeof(run->err), "%s /%.300s: %s", doing[j->op] ? doing[j->op] : "",
			 j->path, e == -EEXIST ? "something else is there" : tune_write_error(e));
		journal_failed(run->w, j->seq, run->err);
		return -1;
	}
	fault_point("write");
	if ((e = journal_done(run->w, j->seq, true)))
		return tune_journal_error(run, e);
	char where[600];
	snprintf(where, sizeof(where), "/%.500s%s", j->path, j->op == J_MKDIR ? "/" : "");
	tune_say(run, verb, where, NULL, j->op == J_LINK ? j->new.data : NULL);
	run->made++;
	return 0;
}

/* Makes the directories on the way to PATH that are missing, each
 * journaled so that revert removes it. */
static int make_dirs(struct run *run, const char *path, const char *finding)
{
	char dir[256];
	struct stat st;

	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
		int e = root_lstat(run->r, dir, &st);
		if (!e)
			continue;
		if (e != -ENOENT || !knob_owned_dir(dir)) {
			snprintf(run->err, sizeof(run->err), "/%s: %s", dir, tune_write_error(e));
			return -1;
		}
		struct jentry j = { .op = J_MKDIR, .path = dir, .finding = (char *)finding, .mode = 0755 };
		if (make_change(run, &j, "created"))
			return -1;
	}
	return 0;
}

/* An owned file as it was before: its bytes, mode and owner, or absent. */
struct was {
	char *data;
	size_t len;
	bool existed;
	unsigned mode;
	long uid, gid;
};

/* Puts CONTENT into the owned file PATH, what was there journaled. */
static int put_file(struct run *run, const char *path, const char *content, const char *finding,
		    const struct was *w)
{
	if (w->existed && w->len == strlen(content) && !memcmp(w->data, content, w->len)) {
		tune_say(run, "already", path, NULL, NULL);
		run->skipped++;
		return 0;
	}
	if (make_dirs(run, path, finding))
		return -1;
	struct jentry j = {
		.op = J_FILE, .path = (char *)path, .finding = (char *)finding, .mode = w->mode,
		.uid = w->existed ? w->uid : -1, .gid = w->existed ? w->gid : -1,
		.old = { .data = w->data, .len = w->len, .present = w->existed },
		.new = { .data = (char *)content, .len = strlen(content), .present = true },
	};
	return make_change(run, &j, w->existed ? "changed" : "created");
}

/* Reads an owned file into W: 0, with W->existed false when absent. */
static int read_owned(struct run *run, const char *path, struct was *w)
{
	struct stat st;
	int e = root_lstat(run->r, path, &st);

	*w = (struct was){ .mode = 0644, .uid = -1, .gid = -1 };
	if (e == -ENOENT)
		return 0;
	if (!e && !S_ISREG(st.st_mode))
		e = S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
	if (!e)
		e = root_read(run->r, path, &w->data, &w->len);
	if (e) {
		snprintf(run->err, sizeof(run->err), "/%s: %s", path, tune_write_error(e));
		return -1;
	}
	w->existed = true;
	w->mode = st.st_mode & 07777;
	w->uid = (long)st.st_uid;
	w->gid = (long)st.st_gid;
	return 0;
}

struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 2 > t->cap) {
		size_t cap = (t->len + n + 2) * 2;
		char *g = realloc(t->s, cap);
		if (!g) {
			t->failed = true;
			return;
		}
		t->s = g;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void text_line(struct text *t, const char *s, size_t n)
{
	text_add(t, s, n);
	text_add(t, "\n", 1);
}

static bool is_header(const char *line, size_t n)
{
	return n >= 8 && !strncmp(line, "# latdoc", 8);
}

/* The GRUB drop-in's line, with its parameters merged: OLD's latdoc line
 * (if any) plus the new ones. */
static void grub_merge(struct text *t, const char *old_line, size_t n, const struct change *const *cs,
		       size_t ncs)
{
	char params[1024] = "";
	size_t used = 0;

	if (old_line) {
		const char *p = old_line + strlen(GRUB_LINE), *end = old_line + n;
		while (end > p && (end[-1] == '"' || end[-1] == ' '))
			end--;
		while (p < end) {
			while (p < end && *p == ' ')
				p++;
			const char *w = p;
			while (p < end && *p != ' ')
				p++;
			if (p == w)
				break;
			size_t name = strcspn(w, "= ");
			bool replaced = false;
			for (size_t i = 0; i < ncs && !replaced; i++)
				replaced = strlen(cs[i]->action->target) == name &&
					   !strncmp(cs[i]->action->target, w, name);
			if (!replaced && used + (size_t)(p - w) + 2 < sizeof(params))
				used += (size_t)snprintf(params + used, sizeof(params) - used, " %.*s",
							 (int)(p - w), w);
		}
	}
	for (size_t i = 0; i < ncs; i++)
		if (used < sizeof(params))
			used += (size_t)snprintf(params + used, sizeof(params) - used, " %s=%s",
						 cs[i]->action->target, cs[i]->action->want);
	char line[1200];
	int len = snprintf(line, sizeof(line), GRUB_LINE "%s\"", params);
	text_line(t, line, (size_t)len);
}

/* OLD (may be NULL) merged with the changes CS for FILE. */
static char *merge(int file, const char *old, size_t oldlen, const struct change *const *cs, size_t ncs,
		   const char *journal)
{
	struct text t = { 0 };
	bool *used = calloc(ncs + 1, sizeof(*used));
	char line[512], key[256], k[256], head[256];
	bool grub_done = false;

	if (!used)
		return NULL;
	snprintf(head, sizeof(head), "# latdoc: written by latdoc tune --persist (journal %s); "
				     "latdoc revert takes it back", journal);
	text_line(&t, head, strlen(head));
	for (const char *p = old; p && p < old + oldlen;) {
		const char *nl = memchr(p, '\n', (size_t)(old + oldlen - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(old + oldlen - p);
		if (is_header(p, n)) {
			p += n + 1;
			continue;
		}
		if (file == OWN_GRUB && !grub_done && n >= strlen(GRUB_LINE) &&
		    !strncmp(p, GRUB_LINE, strlen(GRUB_LINE))) {
			grub_merge(&t, p, n, cs, ncs);
			grub_done = true;
			p += n + 1;
			continue;
		}
		key_of_line(file, p, n, k, sizeof(k));
		bool replaced = false;
		for (size_t i = 0; i < ncs && k[0] && !replaced; i++) {
			line_of(cs[i]->action, line, sizeof(line), key, sizeof(key));
			if (!strcmp(key, k)) {
				if (!used[i])
					text_line(&t, line, strlen(line));
				used[i] = replaced = true;
			}
		}
		if (!replaced)
			text_line(&t, p, n);
		p += n + 1;
	}
	if (file == OWN_GRUB && !grub_done)
		grub_merge(&t, NULL, 0, cs, ncs);
	for (size_t i = 0; i < ncs && file != OWN_GRUB; i++) {
		if (used[i])
			continue;
		line_of(cs[i]->action, line, sizeof(line), key, sizeof(key));
		text_line(&t, line, strlen(line));
	}
	free(used);
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

/* The existing file's contents less latdoc's header, to tell whether a
 * merge changed anything but the journal's name. */
static bool same_but_header(const char *a, size_t alen, const char *b)
{
	const char *an = memchr(a, '\n', alen), *bn = strchr(b, '\n');
	if (!an || !bn || !is_header(a, (size_t)(an - a)) || !is_header(b, (size_t)(bn - b)))
		return false;
	return alen - (size_t)(an - a) == strlen(bn) && !memcmp(an, bn, strlen(bn));
}

static int persist_file(struct run *run, const struct plan *p, int file)
{
	const struct change **cs = calloc(p->count + 1, sizeof(*cs));
	size_t n = 0;
	char *content = NULL, findings[256] = "";
	struct was was = { 0 };
	int status = -1;

	if (!cs) {
		snprintf(run->err, sizeof(run->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < p->count; i++) {
		const struct change *c = &p->items[i];
		if (c->action->when == FIX_PERSISTENT && c->state == CHANGE_APPLIES &&
		    file_of(c->action) == file) {
			cs[n++] = c;
			if (!strstr(findings, c->fixes) && strlen(findings) + strlen(c->fixes) + 3 < sizeof(findings))
				snprintf(findings + strlen(findings), sizeof(findings) - strlen(findings),
					 "%s%s", findings[0] ? ", " : "", c->fixes);
		}
	}
	if (!n) {
		status = 0;
		goto out;
	}
	if (read_owned(run, owned_files[file], &was))
		goto out;
	content = merge(file, was.data, was.len, cs, n, run->w->name);
	if (!content) {
		snprintf(run->err, sizeof(run->err), "out of memory");
		goto out;
	}
	if (was.existed && same_but_header(was.data, was.len, content)) {
		char where[300];
		snprintf(where, sizeof(where), "/%s", owned_files[file]);
		tune_say(run, "already", where, NULL, NULL);
		run->skipped++;
		status = 0;
		goto out;
	}
	status = put_file(run, owned_files[file], content, findings, &was);
	if (!status && file == OWN_GRUB) {
		size_t used = strlen(run->then);
		snprintf(run->then + used, sizeof(run->then) - used, "%supdate-grub (the kernel command "
								      "line takes effect at the next boot)",
			 used ? "; " : "");
	}
out:
	free(was.data);
	free(content);
	free(cs);
	return status;
}

/* Disables UNIT: every link to it in etc/systemd/system/X.wants/ and
 * X.requires/, each journaled with its target. */
static int disable_unit(struct run *run, const struct change *c)
{
	struct unit_link links[MAX_UNIT_LINKS];
	int n = unit_links(run->r, c->action->target, links, MAX_UNIT_LINKS);

	if (n < 0) {
		snprintf(run->err, sizeof(run->err), "/etc/systemd/system: %s", tune_write_error(n));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct jentry j = { .op = J_UNLINK, .path = links[i].path, .finding = (char *)c->fixes,
				    .old = { .data = links[i].target, .len = strlen(links[i].target),
					     .present = true } };
		if (make_change(run, &j, "removed"))
			return -1;
		run->reload = true;
	}
	if (!n) {
		tune_say(run, "already", c->action->target, NULL, NULL);
		run->skipped++;
	}
	return 0;
}

/* Enables latdoc-hold.service: its unit file (unless one is there: an
 * administrator's in /etc is used as it is) and its link in
 * multi-user.target.wants. */
static int enable_hold(struct run *run, const struct change *c)
{
	static const char *const installed[] = { "etc/systemd/system/" HOLD_UNIT,
						 "usr/lib/systemd/system/" HOLD_UNIT,
						 "lib/systemd/system/" HOLD_UNIT,
						 "usr/local/lib/systemd/system/" HOLD_UNIT };
	char unit[160] = "", target[512];
	int e;

	for (size_t i = 0; i < sizeof(installed) / sizeof(installed[0]) && !unit[0]; i++)
		if (!root_exists(run->r, installed[i]))
			snprintf(unit, sizeof(unit), "/%s", installed[i]);
	if (!unit[0]) {
		char exe[512], *text;
		struct was was;
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0) {
			snprintf(run->err, sizeof(run->err), "cannot tell where this latdoc is: %s",
				 strerror(errno));
			return -1;
		}
		exe[n] = '\0';
		if (persist_hold_unit(exe, &text)) {
			snprintf(run->err, sizeof(run->err), "out of memory");
			return -1;
		}
		e = read_owned(run, owned_files[OWN_HOLD_UNIT], &was);
		if (!e)
			e = put_file(run, owned_files[OWN_HOLD_UNIT], text, c->fixes, &was);
		free(text);
		free(was.data);
		if (e)
			return -1;
		snprintf(unit, sizeof(unit), "/%s", owned_files[OWN_HOLD_UNIT]);
		run->reload = true;
	}
	if (!root_readlink(run->r, HOLD_WANTS, target, sizeof(target)) && !strcmp(target, unit)) {
		tune_say(run, "already", "/" HOLD_WANTS, NULL, NULL);
		run->skipped++;
		return 0;
	}
	if (make_dirs(run, HOLD_WANTS, c->fixes))
		return -1;
	struct jentry j = { .op = J_LINK, .path = HOLD_WANTS, .finding = (char *)c->fixes,
			    .new = { .data = unit, .len = strlen(unit), .present = true } };
	if (make_change(run, &j, "linked"))
		return -1;
	run->reload = true;
	return 0;
}

int persist_apply(struct run *run, const struct plan *p, enum cstates_way cstates)
{
	(void)cstates;
	for (int file = 0; file < OWN_FILES; file++)
		if (file != OWN_HOLD_UNIT && persist_file(run, p, file))
			return -1;
	for (size_t i = 0; i < p->count; i++) {
		const struct change *c = &p->items[i];
		if (c->action->when != FIX_PERSISTENT || c->state != CHANGE_APPLIES ||
		    c->action->kind != FIX_SERVICE)
			continue;
		int e = !strcmp(c->action->want, "enabled") ? enable_hold(run, c) : disable_unit(run, c);
		if (e)
			return -1;
	}
	return 0;
}
