/* The runtime changes: each knob's old bytes journaled and made durable,
 * then the write, then the mark that it is done. The first write that
 * fails stops the run; what was written stays in the journal for revert. */
#include "tune.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/escape.h"
#include "../root/root.h"

extern char **environ;

const char *tune_write_error(int err)
{
	switch (-err) {
	case EBUSY:
		return "the kernel refused it as busy (EBUSY: EPP is fixed under the performance "
		       "governor with HWP)";
	case EINVAL:
		return "the kernel refused the value (EINVAL), or it is not a regular file";
	case EROFS:
		return "read-only file system (a container's /sys is often mounted read-only)";
	case EACCES:
	case EPERM:
		return "permission denied: run as root";
	case ELOOP:
		return "it is a symbolic link: tune writes only the file itself";
	case ENOENT:
		return "no such file";
	default:
		return strerror(-err);
	}
}

int tune_journal_error(struct run *run, int err)
{
	snprintf(run->err, sizeof(run->err), "cannot write the journal %s: %s", run->w->name,
		 journal_strerror(err));
	return -1;
}

static bool runtime_knob(const struct change *c)
{
	const struct fix_action *a = c->action;
	return a->when == FIX_RUNTIME && c->state == CHANGE_APPLIES &&
	       (a->kind == FIX_SYSFS || a->kind == FIX_SYSCTL || a->kind == FIX_MODULE_OPTION);
}

void tune_say(struct run *run, const char *verb, const char *what, const char *from, const char *to)
{
	char safe[512];
	if (!run->out)
		return;
	str_escape(safe, sizeof(safe), what, false);
	fprintf(run->out, "  %-8s %s", verb, safe);
	if (from) {
		str_escape(safe, sizeof(safe), from, false);
		fprintf(run->out, ": %s", safe);
	}
	if (to) {
		str_escape(safe, sizeof(safe), to, false);
		fprintf(run->out, " -> %s", safe);
	}
	fputc('\n', run->out);
}

/* Every knob read before any is written: a target that is missing, a
 * link, or unreadable stops the run before it changes anything. */
static int read_olds(struct run *run, const struct plan *p, struct jbytes *olds, int *kinds)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct change *c = &p->items[i];
		if (!runtime_knob(c))
			continue;
		int e = kinds[i] = root_file_kind(run->r, c->path);
		if (e > 0)
			e = root_read(run->r, c->path, &olds[i].data, &olds[i].len);
		if (e < 0) {
			snprintf(run->err, sizeof(run->err), "/%s: %s; nothing was changed", c->path,
				 tune_write_error(e));
			return -1;
		}
		olds[i].present = true;
	}
	return 0;
}

void tune_bytes_for(int kind, const char *cur, size_t len, const char *want, char *out, size_t outsz)
{
	char line[256], *save = NULL;
	const char *nl = memchr(cur, '\n', len);
	size_t n = nl ? (size_t)(nl - cur) : len, used = 0;
	bool found = false;

	snprintf(out, outsz, "%s\n", want);
	if (kind != ROOT_REGULAR || !memchr(cur, '[', n) || n >= sizeof(line))
		return;
	memcpy(line, cur, n);
	line[n] = '\0';
	char built[256] = "";
	for (char *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		size_t wl = strlen(w);
		if (w[0] == '[' && wl > 1 && w[wl - 1] == ']') {
			w[wl - 1] = '\0';
			w++;
		}
		bool chosen = !strcmp(w, want);
		found |= chosen;
		used += (size_t)snprintf(built + used, used < sizeof(built) ? sizeof(built) - used : 0,
					 "%s%s%s%s", used ? " " : "", chosen ? "[" : "", w, chosen ? "]" : "");
	}
	if (found && used < sizeof(built))
		snprintf(out, outsz, "%s\n", built);
}

/* Writes BYTES (showing WANT) to PATH unless it shows WANT already: an
 * earlier write of this run may have set it (the performance governor
 * sets EPP). */
static int set_knob(struct run *run, const char *path, const char *want, const char *bytes,
		    bool *wrote)
{
	char *cur, value[128];
	size_t len;
	int e = root_read(run->r, path, &cur, &len);

	if (e)
		return e;
	knob_value(cur, len, value, sizeof(value));
	free(cur);
	*wrote = strcmp(value, want) != 0;
	if (!*wrote)
		return 0;
	e = root_write_attr(run->r, path, bytes, strlen(bytes));
	if (!e)
		fault_point("write");
	return e;
}

int apply_runtime(struct run *run, const struct plan *p)
{
	struct jbytes *olds = calloc(p->count + 1, sizeof(*olds));
	int *kinds = calloc(p->count + 1, sizeof(*kinds));
	int status = 0;

	if (!olds || !kinds) {
		free(olds);
		free(kinds);
		snprintf(run->err, sizeof(run->err), "out of memory");
		return -1;
	}
	if (read_olds(run, p, olds, kinds)) {
		status = -1;
		goto out;
	}
	for (size_t i = 0; i < p->count && !status; i++) {
		const struct change *c = &p->items[i];
		char want[256], was[128];
		bool wrote = false;
		if (!runtime_knob(c))
			continue;
		tune_bytes_for(kinds[i], olds[i].data, olds[i].len, c->action->want, want, sizeof(want));
		struct jentry e = { .op = J_SET, .path = (char *)c->path, .finding = (char *)c->fixes,
				    .old = olds[i],
				    .new = { .data = want, .len = strlen(want), .present = true } };
		int err = journal_intent(run->w, &e);
		if (err) {
			status = tune_journal_error(run, err);
			break;
		}
		err = set_knob(run, c->path, c->action->want, want, &wrote);
		if (err) {
			snprintf(run->err, sizeof(run->err), "writing %s to /%s: %s", c->action->want,
				 c->path, tune_write_error(err));
			journal_failed(run->w, e.seq, run->err);
			status = -1;
			break;
		}
		if ((err = journal_done(run->w, e.seq, wrote))) {
			snprintf(run->err, sizeof(run->err), "cannot write the journal %s: %s",
				 run->w->name, strerror(-err));
			status = -1;
			break;
		}
		knob_value(olds[i].data, olds[i].len, was, sizeof(was));
		char where[300];
		snprintf(where, sizeof(where), "/%s", c->path);
		tune_say(run, wrote ? "set" : "already", where, was, c->action->want);
		if (wrote)
			run->made++;
		else
			run->skipped++;
	}
out:
	for (size_t i = 0; i < p->count; i++)
		free(olds[i].data);
	free(olds);
	free(kinds);
	return status;
}

/* Runs ARGV (an absolute path first) and waits for it. */
int tune_spawn(char *const argv[], char *err, size_t errsz)
{
	pid_t pid;
	int status, e = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);

	if (e) {
		snprintf(err, errsz, "cannot run %s: %s", argv[0], strerror(e));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errsz, "waiting for %s: %s", argv[0], strerror(errno));
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errsz, "%s %s failed (%s %d)", argv[0], argv[1] ? argv[1] : "",
			 WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

/* The first of PATHS that exists on this machine. */
const char *tune_tool(const char *const *paths)
{
	for (; *paths; paths++)
		if (!access(*paths, X_OK))
			return *paths;
	return NULL;
}

const char *const tune_modprobe[] = { "/usr/sbin/modprobe", "/sbin/modprobe", NULL };
const char *const tune_systemctl[] = { "/usr/bin/systemctl", "/bin/systemctl", NULL };
static const char *const systemd_run[] = { "/usr/bin/systemd-run", "/bin/systemd-run", NULL };

static bool unit_installed(struct root *r, const char *unit)
{
	static const char *const dirs[] = { "etc/systemd/system", "usr/lib/systemd/system",
					    "lib/systemd/system", "usr/local/lib/systemd/system" };
	char path[256];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], unit);
		if (!root_exists(r, path))
			return true;
	}
	return false;
}

static int start_unit(struct run *run, const char *unit)
{
	const char *ctl = tune_tool(tune_systemctl);
	if (!ctl) {
		snprintf(run->err, sizeof(run->err), "no systemctl on this machine to start %s", unit);
		return -1;
	}
	if (run->reload) {
		char *reload[] = { (char *)ctl, "daemon-reload", NULL };
		if (tune_spawn(reload, run->err, sizeof(run->err)))
			return -1;
		run->reload = false;
	}
	if (unit_installed(run->r, unit)) {
		char *start[] = { (char *)ctl, "start", (char *)unit, NULL };
		return tune_spawn(start, run->err, sizeof(run->err));
	}
	/* not installed: a transient unit of the same name runs this latdoc */
	char exe[512], unit_opt[128];
	const char *sdrun = tune_tool(systemd_run);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (!sdrun || n <= 0) {
		snprintf(run->err, sizeof(run->err), "%s is not installed and no systemd-run to start "
						     "it: latdoc tune --persist --cstates hold writes it",
			 unit);
		return -1;
	}
	exe[n] = '\0';
	snprintf(unit_opt, sizeof(unit_opt), "--unit=%s", unit);
	char *argv[] = { (char *)sdrun, unit_opt, "--property=Type=notify",
			 "--description=latdoc: PM QoS hold on /dev/cpu_dma_latency", exe, "hold", NULL };
	return tune_spawn(argv, run->err, sizeof(run->err));
}

bool tune_unit_active(const char *unit)
{
	const char *ctl = tune_tool(tune_systemctl);
	char err[256];
	char *argv[] = { (char *)ctl, "is-active", "--quiet", (char *)unit, NULL };
	return ctl && !tune_spawn(argv, err, sizeof(err));
}

bool tune_module_loaded(struct root *r, const char *module)
{
	char path[160];
	snprintf(path, sizeof(path), "sys/module/%s", module);
	return !root_exists(r, path);
}

int apply_services(struct run *run, const struct plan *p)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct change *c = &p->items[i];
		const struct fix_action *a = c->action;
		if (a->when != FIX_RUNTIME || c->state != CHANGE_APPLIES ||
		    (a->kind != FIX_MODULE && a->kind != FIX_SERVICE))
			continue;
		bool module = a->kind == FIX_MODULE;
		if (module ? tune_module_loaded(run->r, a->target) : tune_unit_active(a->target)) {
			tune_say(run, "already", a->target, NULL, NULL);
			run->skipped++;
			continue;
		}
		struct jentry e = {
			.op = module ? J_MODULE : J_SERVICE, .path = a->target, .finding = (char *)c->fixes,
			.old = { .data = "inactive", .len = 8, .present = !module },
			.new = { .data = module ? "loaded" : "active", .len = 6, .present = true },
		};
		int err = journal_intent(run->w, &e);
		if (err)
			return tune_journal_error(run, err);
		if (module) {
			const char *mp = tune_tool(tune_modprobe);
			char *argv[] = { (char *)mp, a->target, NULL };
			if (!mp)
				snprintf(run->err, sizeof(run->err), "no modprobe on this machine");
			err = !mp || tune_spawn(argv, run->err, sizeof(run->err));
		} else {
			err = start_unit(run, a->target);
		}
		if (err) {
			journal_failed(run->w, e.seq, run->err);
			return -1;
		}
		fault_point("write");
		if ((err = journal_done(run->w, e.seq, true))) {
			snprintf(run->err, sizeof(run->err), "cannot write the journal: %s", strerror(-err));
			return -1;
		}
		tune_say(run, module ? "loaded" : "started", a->target, NULL, NULL);
		run->made++;
	}
	return 0;
}
