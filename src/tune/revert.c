/* revert: a journal undone. Each change is judged by what is there now:
 * what tune wrote is restored to what was there before; what is back
 * already (a runtime value after a reboot, a change the run never got to)
 * is left; anything else was changed by someone since, and is refused
 * unless forced. The revert is journaled in the same file, ahead of each
 * restore, so one cut short by a crash can be run again. */
#include "tune.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../lib/escape.h"
#include "../root/root.h"

/* Revert's order: the knobs by the drivers' rules (status first, the
 * governor before EPP), then units stopped, modules, domains, links,
 * files, and last the directories made to hold them. */
static int revert_rank(const struct jentry *e)
{
	static const int ranks[J_OPS] = { [J_SERVICE] = 7, [J_MODULE] = 8, [J_DOMAIN] = 9,
					  [J_LINK] = 10,   [J_UNLINK] = 10, [J_FILE] = 11,
					  [J_MKDIR] = 12 };
	return e->op == J_SET ? order_rank(e->path) : ranks[e->op];
}

static int by_revert_order(const void *x, const void *y)
{
	const struct jentry *a = *(const struct jentry *const *)x, *b = *(const struct jentry *const *)y;
	int ra = revert_rank(a), rb = revert_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return a->seq > b->seq ? -1 : a->seq < b->seq; /* newest first */
}

#define V_RESTORE REVERT_RESTORE
#define V_ALREADY REVERT_ALREADY
#define V_REFUSE REVERT_REFUSE
#define V_FAIL REVERT_FAIL

struct judged {
	enum revert_verdict v;
	char now[128]; /* what is there, in words */
	char why[256];
};

static bool bytes_eq(const struct jbytes *a, const char *data, size_t len, bool present)
{
	if (a->present != present)
		return false;
	return !present || (a->len == len && !memcmp(a->data, data, len));
}

static void judge_set(struct run *run, const struct jentry *e, struct judged *j)
{
	char *cur, old[128], new[128];
	size_t len;
	int err = root_read(run->r, e->path, &cur, &len);

	if (err) {
		j->v = V_FAIL;
		snprintf(j->why, sizeof(j->why), "%s", tune_write_error(err));
		return;
	}
	knob_value(cur, len, j->now, sizeof(j->now));
	free(cur);
	knob_value(e->old.data, e->old.len, old, sizeof(old));
	knob_value(e->new.data, e->new.len, new, sizeof(new));
	j->v = !strcmp(j->now, old) ? V_ALREADY : !strcmp(j->now, new) ? V_RESTORE : V_REFUSE;
}

static void judge_file(struct run *run, const struct jentry *e, struct judged *j)
{
	struct stat st;
	char *cur = NULL;
	size_t len = 0;
	int err = root_lstat(run->r, e->path, &st);
	bool present = !err;

	if (!err && !S_ISREG(st.st_mode))
		err = S_ISLNK(st.st_mode) ? -ELOOP : -EINVAL;
	if (!err)
		err = root_read(run->r, e->path, &cur, &len);
	if (err && err != -ENOENT) {
		j->v = V_FAIL;
		snprintf(j->why, sizeof(j->why), "%s", tune_write_error(err));
		return;
	}
	snprintf(j->now, sizeof(j->now), "%s", present ? "changed" : "absent");
	j->v = bytes_eq(&e->old, cur, len, present)   ? V_ALREADY
	       : bytes_eq(&e->new, cur, len, present) ? V_RESTORE
						      : V_REFUSE;
	free(cur);
}

static void judge_link(struct run *run, const struct jentry *e, struct judged *j)
{
	char target[512];
	int err = root_readlink(run->r, e->path, target, sizeof(target));
	bool present = !err;

	if (err == -EINVAL) { /* there, and not a link */
		j->v = V_REFUSE;
		snprintf(j->now, sizeof(j->now), "not a link");
		return;
	}
	if (err && err != -ENOENT) {
		j->v = V_FAIL;
		snprintf(j->why, sizeof(j->why), "%s", tune_write_error(err));
		return;
	}
	snprintf(j->now, sizeof(j->now), "%.100s", present ? target : "absent");
	/* J_LINK made NEW (old absent); J_UNLINK removed OLD (new absent) */
	const struct jbytes *before = e->op == J_LINK ? &e->new : &e->old;
	bool is_before = present && before->present && !strcmp(target, before->data);
	if (e->op == J_LINK)
		j->v = !present ? V_ALREADY : is_before ? V_RESTORE : V_REFUSE;
	else
		j->v = is_before ? V_ALREADY : !present ? V_RESTORE : V_REFUSE;
}

static void judge_dir(struct run *run, const struct jentry *e, struct judged *j)
{
	struct stat st;
	int err = root_lstat(run->r, e->path, &st);

	if (err == -ENOENT) {
		j->v = V_ALREADY;
		snprintf(j->now, sizeof(j->now), "absent");
	} else if (err) {
		j->v = V_FAIL;
		snprintf(j->why, sizeof(j->why), "%s", tune_write_error(err));
	} else {
		j->v = S_ISDIR(st.st_mode) ? V_RESTORE : V_REFUSE;
		snprintf(j->now, sizeof(j->now), "%s", S_ISDIR(st.st_mode) ? "there" : "not a directory");
	}
}

static void judge_process(struct run *run, const struct jentry *e, struct judged *j)
{
	if (!run->live) {
		/* tune loads and starts on this machine alone: a journal under
		 * another root that says so is not to be undone here */
		j->v = V_FAIL;
		snprintf(j->why, sizeof(j->why), "a %s of a running system: revert undoes it only "
						 "with the root / (this machine)",
			 e->op == J_MODULE ? "module" : "unit");
		return;
	}
	bool there = e->op == J_MODULE ? tune_module_loaded(run->r, e->path)
				       : tune_unit_active(e->path);
	snprintf(j->now, sizeof(j->now), "%s", there ? (e->op == J_MODULE ? "loaded" : "active")
						     : (e->op == J_MODULE ? "not loaded" : "inactive"));
	j->v = there ? V_RESTORE : V_ALREADY;
}

/* A run killed while it replaced a file leaves its temporary file (the
 * root layer's ".latdoc-PID-N") beside it: in a directory tune made, it
 * goes with the directory. */
static void remove_leftovers(struct root *r, const char *dir)
{
	char **names, path[PATH_MAX];
	size_t n;
	struct stat st;

	if (root_list(r, dir, &names, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!strncmp(names[i], ".latdoc-", 8) && !root_lstat(r, path, &st) && S_ISREG(st.st_mode))
			root_remove(r, path);
	}
	root_free_names(names);
}

/* Puts back what E changed. */
static int restore(struct run *run, const struct jentry *e, bool refused_before, const char *uri,
		   char *why, size_t whysz)
{
	int err = 0;

	switch (e->op) {
	case J_SET: {
		char bytes[256], old[128];
		int kind = root_file_kind(run->r, e->path);
		if (kind < 0) {
			err = kind;
			break;
		}
		/* a kernel attribute takes the word it showed; a dump's file
		 * gets its bytes back exactly */
		knob_value(e->old.data, e->old.len, old, sizeof(old));
		snprintf(bytes, sizeof(bytes), "%s\n", old);
		err = kind == ROOT_ATTRIBUTE ? root_write_attr(run->r, e->path, bytes, strlen(bytes))
					     : root_write_attr(run->r, e->path, e->old.data, e->old.len);
		break;
	}
	case J_FILE: {
		/* back with its bytes, mode and owner; a journal that kept no
		 * owner: the one tune kept when it replaced the file */
		struct stat st;
		long uid = e->uid, gid = e->gid;
		if ((uid < 0 || gid < 0) && !root_lstat(run->r, e->path, &st)) {
			uid = (long)st.st_uid;
			gid = (long)st.st_gid;
		}
		if (!e->old.present)
			err = root_remove(run->r, e->path);
		else if (uid >= 0 && gid >= 0)
			err = root_put_file_as(run->r, e->path, e->old.data, e->old.len, e->mode,
					       (uid_t)uid, (gid_t)gid);
		else
			err = root_put_file(run->r, e->path, e->old.data, e->old.len, e->mode, false);
		break;
	}
	case J_LINK:
		err = root_remove(run->r, e->path);
		break;
	case J_UNLINK:
		if (refused_before)
			err = root_remove(run->r, e->path);
		if (!err || err == -ENOENT)
			err = root_make_link(run->r, e->path, e->old.data);
		break;
	case J_MKDIR:
		remove_leftovers(run->r, e->path);
		err = root_remove_dir(run->r, e->path);
		break;
	case J_MODULE:
	case J_SERVICE: {
		const char *tool = tune_tool(e->op == J_MODULE ? tune_modprobe : tune_systemctl);
		char *rm[] = { (char *)tool, "-r", e->path, NULL };
		char *stop[] = { (char *)tool, "stop", e->path, NULL };
		if (!tool) {
			snprintf(why, whysz, "no %s on this machine", e->op == J_MODULE ? "modprobe" : "systemctl");
			return -1;
		}
		return tune_spawn(e->op == J_MODULE ? rm : stop, why, whysz);
	}
	case J_DOMAIN:
		return domain_restore(e, uri, why, whysz);
	case J_OPS:
		err = -EINVAL;
		break;
	}
	if (err) {
		snprintf(why, whysz, "%s",
			 err == -ENOTEMPTY ? "it holds files latdoc did not make" : tune_write_error(err));
		return -1;
	}
	return 0;
}

static int record_result(struct run *run, int seq, const char *result)
{
	char *enc = journal_words(result), *line;
	if (!enc)
		return -ENOMEM;
	if (asprintf(&line, "{\"undone\":%d,\"result\":\"%s\"}", seq, enc) < 0) {
		free(enc);
		return -ENOMEM;
	}
	int e = journal_record(run->w, line);
	free(line);
	free(enc);
	return e;
}

/* What undoing E does, in one word. */
static const char *undo_verb(const struct jentry *e)
{
	switch (e->op) {
	case J_FILE:
		return e->old.present ? "restored" : "removed";
	case J_LINK:
	case J_MKDIR:
		return "removed";
	case J_UNLINK:
		return "relinked";
	case J_MODULE:
		return "unloaded";
	case J_SERVICE:
		return "stopped";
	case J_DOMAIN:
		return "redefined";
	default:
		return "restored";
	}
}

static void describe(const struct jentry *e, char *out, size_t outsz)
{
	if (e->op == J_SET || e->op == J_FILE || e->op == J_LINK || e->op == J_UNLINK ||
	    e->op == J_MKDIR)
		snprintf(out, outsz, "/%s", e->path);
	else
		snprintf(out, outsz, "%s %s", e->op == J_DOMAIN ? "domain" : e->op == J_MODULE ? "module" : "unit",
			 e->path);
}

bool journal_reverted(const struct journal *j)
{
	/* the word revert_run's end record starts with */
	return j->reverts && j->revert_end && !strncmp(j->revert_end, "complete", 8);
}

int revert_run(struct run *run, const struct journal *j, bool force, const char *uri,
	       struct revert_result *res)
{
	const struct jentry **order = calloc(j->count + 1, sizeof(*order));
	char line[128];
	int status = 0;

	memset(res, 0, sizeof(*res));
	if (!order) {
		snprintf(run->err, sizeof(run->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < j->count; i++)
		order[i] = &j->entries[i];
	qsort(order, j->count, sizeof(*order), by_revert_order);
	snprintf(line, sizeof(line), "{\"revert\":\"begin\",\"force\":%s,\"time\":%lld}",
		 force ? "true" : "false", (long long)time(NULL));
	int e = journal_record(run->w, line);
	if (e) {
		snprintf(run->err, sizeof(run->err), "cannot write the journal %s: %s", j->name,
			 strerror(-e));
		free(order);
		return -1;
	}
	for (size_t i = 0; i < j->count && !status; i++) {
		const struct jentry *x = order[i];
		struct judged jd = { .v = V_FAIL };
		char what[600], result[400], why[256] = "";

		describe(x, what, sizeof(what));
		switch (x->op) {
		case J_SET:
			judge_set(run, x, &jd);
			break;
		case J_FILE:
			judge_file(run, x, &jd);
			break;
		case J_LINK:
		case J_UNLINK:
			judge_link(run, x, &jd);
			break;
		case J_MKDIR:
			judge_dir(run, x, &jd);
			break;
		case J_MODULE:
		case J_SERVICE:
			judge_process(run, x, &jd);
			break;
		case J_DOMAIN:
		case J_OPS:
			break;
		}
		if (x->op == J_DOMAIN && !run->live && !uri)
			/* the URI of a journal under another root is that root's
			 * word, as --vm there needs --connect */
			snprintf(jd.why, sizeof(jd.why), "a domain of a journal under another root: give "
							  "--connect URI to say whose");
		else if (x->op == J_DOMAIN)
			jd.v = domain_judge(x, uri, jd.now, sizeof(jd.now), jd.why, sizeof(jd.why));
		if ((jd.v == V_REFUSE && force) || jd.v == V_RESTORE) {
			bool refused = jd.v == V_REFUSE;
			char undo[64];
			snprintf(undo, sizeof(undo), "{\"undo\":%d}", x->seq);
			if ((e = journal_record(run->w, undo))) {
				snprintf(run->err, sizeof(run->err), "cannot write the journal %s: %s",
					 j->name, strerror(-e));
				status = -1;
				break;
			}
			jd.v = restore(run, x, refused, uri, why, sizeof(why)) ? V_FAIL : V_RESTORE;
			if (jd.v == V_FAIL)
				snprintf(jd.why, sizeof(jd.why), "%s", why);
			else
				fault_point("write");
		}
		switch (jd.v) {
		case V_RESTORE:
			res->restored++;
			snprintf(result, sizeof(result), "restored");
			if (x->op == J_SET) {
				char old[128];
				knob_value(x->old.data, x->old.len, old, sizeof(old));
				tune_say(run, "restored", what, jd.now, old);
			} else {
				tune_say(run, undo_verb(x), what, NULL, NULL);
			}
			break;
		case V_ALREADY:
			res->already++;
			snprintf(result, sizeof(result), "already back");
			tune_say(run, "already", what, NULL, NULL);
			break;
		case V_REFUSE:
			res->refused++;
			snprintf(result, sizeof(result), "refused: it is %s, not what tune wrote", jd.now);
			if (run->out) {
				char safe[300], where[700];
				str_escape(safe, sizeof(safe), jd.now, false);
				str_escape(where, sizeof(where), what, false);
				fprintf(run->out, "  refused  %s: it is %s now, not what tune wrote: changed "
						  "since (--force restores it)\n",
					where, safe);
			}
			break;
		case V_FAIL:
			res->failed++;
			snprintf(result, sizeof(result), "failed: %s", jd.why);
			if (run->out) {
				char where[700], why[300];
				str_escape(where, sizeof(where), what, false);
				str_escape(why, sizeof(why), jd.why, false);
				fprintf(run->out, "  failed   %s: %s\n", where, why);
			}
			break;
		}
		if ((e = record_result(run, x->seq, result))) {
			snprintf(run->err, sizeof(run->err), "cannot write the journal %s: %s", j->name,
				 strerror(-e));
			status = -1;
		}
	}
	free(order);
	if (status)
		return -1;
	snprintf(line, sizeof(line), "{\"revert\":\"end\",\"result\":\"%s%d refused, %d failed\"}",
		 res->refused || res->failed ? "incomplete: " : "complete: ", res->refused, res->failed);
	if ((e = journal_record(run->w, line))) {
		snprintf(run->err, sizeof(run->err), "cannot write the journal %s: %s", j->name,
			 strerror(-e));
		return -1;
	}
	return 0;
}
