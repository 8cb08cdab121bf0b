/* latdoc tune: the fixes of the current findings as a plan (nothing
 * changed), or made: --apply the runtime ones, --persist the ones that
 * survive a reboot, --vm NAME a domain's XML; each through a journal that
 * latdoc revert undoes. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../audit/audit.h"
#include "../lib/escape.h"
#include "../output/json_util.h"
#include "../output/output.h"
#include "../root/root.h"
#include "../tune/tune.h"
#include "commands.h"

enum { APPLY, PERSIST, PROVE, VM, CSTATES, ONLY, LIST, ROOT, CONNECT, JSON };

static const struct opt opts[] = {
	[APPLY] = { .name = "apply", .type = OPT_FLAG,
		    .help = "make the runtime changes, each journaled before it is made (the journal "
			    "is in /var/lib/latdoc, under DIR with --root)" },
	[PERSIST] = { .name = "persist", .type = OPT_FLAG,
		      .help = "write the configuration that makes the changes survive a reboot: "
			      "files under /etc marked as latdoc's, journaled too" },
	[PROVE] = { .name = "prove", .type = OPT_FLAG,
		    .help = "with --apply: measure the clock and wake-ups before and after (a few "
			    "seconds each) and print both; the figures go into the journal" },
	[VM] = { .name = "vm", .type = OPT_STRING, .arg = "NAME",
		 .help = "with --apply: define domain NAME anew with its XML changes through "
			 "libvirt (effective at its next start)" },
	[CSTATES] = { .name = "cstates", .type = OPT_CHOICE, .arg = "WAY",
		      .help = "keep CPUs out of deep C-states by disabling each deep state per CPU "
			      "(disable, the default: no process needed) or by the latdoc-hold unit, "
			      "which holds /dev/cpu_dma_latency (hold)",
		      .choices = "disable hold" },
	[ONLY] = { .name = "only", .type = OPT_STRING, .arg = "PREFIX",
		   .help = "only the fixes of the checks whose id starts with PREFIX (cpu, mem.thp)" },
	[LIST] = { .name = "list", .type = OPT_FLAG,
		   .help = "list the journals: when, what each changed, and whether it was reverted" },
	[ROOT] = { .name = "root", .type = OPT_STRING, .arg = "DIR",
		   .help = "act on the machine root DIR, a writable copy of one (default /)",
		   .complete = COMPLETE_DIR },
	[CONNECT] = { .name = "connect", .type = OPT_STRING, .arg = "URI",
		      .help = "libvirt's URI for the domains (default qemu:///system on this "
			      "machine)" },
	[JSON] = { .name = "json", .type = OPT_FLAG,
		   .help = "print the plan (or the journals) as JSON" },
};
const struct opt_table tune_options = OPT_TABLE(opts);

#define ME "latdoc tune"

static int list_journals(const char *dir, bool json)
{
	const char *why;
	struct root *r = root_open(dir, &why);
	char **names = NULL, err[512];
	size_t n = 0;
	struct journal *js = NULL;
	int status = EXIT_ERROR;

	if (!r) {
		fprintf(stderr, ME ": cannot use '%s' as the root: %s\n", dir, why);
		return EXIT_ERROR;
	}
	int e = journal_list(r, &names, &n);
	if (e && e != -ENOENT) {
		fprintf(stderr, ME ": cannot list %s/%s: %s\n", dir, JOURNAL_DIR, strerror(-e));
		goto out;
	}
	if (n && !(js = calloc(n, sizeof(*js)))) {
		fprintf(stderr, ME ": out of memory\n");
		goto out;
	}
	size_t loaded = 0;
	for (size_t i = 0; i < n; i++) {
		if (journal_load(r, names[i], &js[loaded], err, sizeof(err))) {
			char safe[600];
			str_escape(safe, sizeof(safe), err, false);
			fprintf(stderr, ME ": %s\n", safe);
			continue;
		}
		loaded++;
	}
	if (json) {
		json_object *o = json_object_new_object();
		json_add(o, "schema", json_object_new_int(JSON_SCHEMA));
		json_add(o, "journals", json_journals(js, loaded));
		if (json_write(stdout, o))
			goto out;
	} else {
		output_journals_text(stdout, js, loaded);
	}
	status = loaded == n ? EXIT_CLEAN : EXIT_FINDINGS;
	for (size_t i = 0; i < loaded; i++)
		journal_free(&js[i]);
out:
	free(js);
	root_free_names(names);
	root_close(r);
	return status;
}

/* The command line again, for the journal's header. */
static void command_line(const struct opt_result *o, char *out, size_t outsz)
{
	size_t n = (size_t)snprintf(out, outsz, "tune");
	for (size_t i = 0; i < tune_options.count && n < outsz; i++) {
		if (!o->v[i].set)
			continue;
		n += (size_t)snprintf(out + n, outsz - n, " --%s%s%s", opts[i].name,
				      o->v[i].str ? " " : "", o->v[i].str ? o->v[i].str : "");
	}
}

static int usage_ok(const struct opt_result *o, bool live)
{
	const char *need = NULL;
	if (o->nargs)
		fprintf(stderr, ME ": unexpected argument '%s' (a machine root is given with --root)\n",
			o->args[0]);
	else if (o->v[PROVE].set && !o->v[APPLY].set)
		need = "--prove measures before and after --apply: give both";
	else if (o->v[PROVE].set && !live)
		need = "--prove measures this machine; it cannot be used with --root of another";
	else if (o->v[VM].set && !o->v[APPLY].set)
		need = "--vm NAME defines a domain with --apply: give both";
	else if (o->v[VM].set && !live && !o->v[CONNECT].set)
		need = "--vm with --root of another machine needs --connect URI: the domains are "
		       "libvirt's, not the root's files";
	else if (o->v[LIST].set && (o->v[APPLY].set || o->v[PERSIST].set))
		need = "--list only lists: not with --apply or --persist";
	else if (o->v[ONLY].set && !audit_only_valid(o->v[ONLY].str))
		need = "--only: no check id starts so; latdoc check --list-checks shows them";
	else
		return 0;
	if (need)
		fprintf(stderr, ME ": %s\n", need);
	return -1;
}

static void boot_id(struct root *r, char *out, size_t outsz)
{
	if (root_read_line(r, "proc/sys/kernel/random/boot_id", out, outsz))
		out[0] = '\0';
}

static int print_json(const struct report *rep, const struct plan *p, const char *journal,
		      const struct run *run, const char *error)
{
	json_object *o = json_document(&rep->facts, rep->root_dir);
	json_add(o, "plan", json_plan(p));
	json_add(o, "by_hand", json_by_hand(rep));
	if (journal) {
		json_object *res = json_object_new_object();
		json_add(res, "journal", json_object_new_string(journal));
		json_add(res, "made", json_object_new_int(run->made));
		json_add(res, "already", json_object_new_int(run->skipped));
		json_add(res, "error", json_str_or_null(error));
		json_add(res, "then", json_str_or_null(run->then));
		json_add(o, "result", res);
	}
	return json_write(stdout, o);
}

/* How many changes of P this run makes. */
static size_t to_make(const struct opt_result *o, const struct plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->count; i++) {
		const struct change *c = &p->items[i];
		if (c->state != CHANGE_APPLIES)
			continue;
		if (c->action->kind == FIX_LIBVIRT)
			n += o->v[VM].set;
		else
			n += c->action->when == FIX_RUNTIME ? o->v[APPLY].set : o->v[PERSIST].set;
	}
	return n;
}

/* The changes, made through a new journal. */
static int make_changes(const struct opt_result *o, struct report *rep, const struct plan *p,
			enum cstates_way way)
{
	struct journal_writer w;
	struct run run = { .r = rep->root, .w = &w, .facts = &rep->facts,
			   .out = o->v[JSON].set ? NULL : stdout, .live = root_is_live(rep->root) };
	char cmd[512], boot[64], err[512];
	struct report after;
	bool after_ok = false;
	int status = EXIT_ERROR;

	command_line(o, cmd, sizeof(cmd));
	boot_id(rep->root, boot, sizeof(boot));
	if (journal_lock(rep->root, &w, err, sizeof(err)) ||
	    journal_create(&w, cmd, rep->facts.hostname, boot, err, sizeof(err))) {
		fprintf(stderr, ME ": %s\n", err);
		journal_close(&w);
		return EXIT_ERROR;
	}
	if (run.out) {
		char safe[512];
		str_escape(safe, sizeof(safe), rep->root_dir, false);
		fprintf(run.out, "latdoc tune: journal %s%s%s/%s\n", safe,
			safe[strlen(safe) - 1] == '/' ? "" : "/", JOURNAL_DIR, w.name);
	}
	int e = 0;
	if (o->v[APPLY].set)
		e = apply_runtime(&run, p);
	if (!e && o->v[PERSIST].set)
		e = persist_apply(&run, p, way);
	if (!e && o->v[APPLY].set)
		e = apply_services(&run, p);
	if (!e && o->v[VM].set) {
		const char *uri = o->v[CONNECT].set ? o->v[CONNECT].str : "qemu:///system";
		e = domain_apply(&run, p, uri, o->v[VM].str);
	}
	if (!e && run.live && run.reload) {
		/* units changed: systemd reads them again */
		const char *tool = tune_tool(tune_systemctl);
		char *argv[] = { (char *)tool, "daemon-reload", NULL };
		if (tool)
			e = tune_spawn(argv, run.err, sizeof(run.err));
	}
	char end[600];
	char *enc = journal_words(e ? run.err : "ok");
	snprintf(end, sizeof(end), "{\"end\":\"%s%.500s\"}", e ? "stopped: " : "", enc ? enc : "?");
	free(enc);
	int je = journal_record(&w, end);
	if (!e && o->v[PROVE].set) {
		struct audit_options ao = { .root = rep->root_dir, .measure = true, .fail_on = SEV_WARNING,
					    .only = o->v[ONLY].set ? o->v[ONLY].str : NULL };
		if (audit_run(&ao, &after, err, sizeof(err))) {
			fprintf(stderr, ME ": measuring after the changes: %s\n", err);
		} else {
			after_ok = true;
			char *figures = prove_json(rep, &after);
			if (figures)
				je = je ? je : journal_record(&w, figures);
			free(figures);
			if (run.out)
				prove_print(run.out, rep, &after);
		}
	}
	if (o->v[JSON].set)
		print_json(rep, p, w.name, &run, e ? run.err : NULL);
	if (e) {
		char safe[700];
		str_escape(safe, sizeof(safe), run.err, false);
		fprintf(stderr, ME ": %s\n", safe);
		if (run.made)
			fprintf(stderr, ME ": %d change%s made before it stays in journal %s: latdoc "
					"revert --last undoes %s\n",
				run.made, run.made == 1 ? "" : "s", w.name, run.made == 1 ? "it" : "them");
	} else if (je) {
		fprintf(stderr, ME ": cannot write the journal %s: %s\n", w.name, strerror(-je));
	} else {
		if (run.out) {
			fprintf(run.out, "latdoc tune: %d change%s made, %d found made already; latdoc "
					 "revert --last undoes them\n",
				run.made, run.made == 1 ? "" : "s", run.skipped);
			if (o->v[APPLY].set && !o->v[PERSIST].set && run.made &&
			    plan_count(p, FIX_RUNTIME, CHANGE_APPLIES))
				fprintf(run.out, "The runtime changes last until the next boot; "
						 "--apply --persist also keeps them.\n");
			if (run.then[0])
				fprintf(run.out, "Then run: %s\n", run.then);
		}
		status = o->v[PROVE].set && !after_ok ? EXIT_ERROR : EXIT_CLEAN;
	}
	if (after_ok)
		report_free(&after);
	journal_close(&w);
	return status;
}

int cmd_tune(const struct opt_result *o)
{
	const char *root = o->v[ROOT].set ? o->v[ROOT].str : "/";
	struct report rep;
	struct plan plan;
	char err[512];

	if (o->v[LIST].set && !o->v[APPLY].set && !o->v[PERSIST].set && !o->nargs)
		return list_journals(root, o->v[JSON].set);
	const char *why;
	struct root *probe = root_open(root, &why);
	bool live = probe && root_is_live(probe);
	root_close(probe);
	if (usage_ok(o, live))
		return EXIT_ERROR;
	struct audit_options ao = {
		.root = root,
		.connect = o->v[CONNECT].set ? o->v[CONNECT].str : NULL,
		.only = o->v[ONLY].set ? o->v[ONLY].str : NULL,
		.measure = o->v[PROVE].set,
		.fail_on = SEV_WARNING,
	};
	if (audit_run(&ao, &rep, err, sizeof(err))) {
		fprintf(stderr, ME ": %s\n", err);
		return EXIT_ERROR;
	}
	if ((o->v[APPLY].set || o->v[PERSIST].set) && root_is_archive(rep.root)) {
		fprintf(stderr, ME ": %s is an archive, which is read, never written: unpack it and "
				"give the directory\n", root);
		report_free(&rep);
		return EXIT_ERROR;
	}
	char **carried = NULL;
	if (carry_journals(rep.root, &rep.findings, ao.only, &carried)) {
		fprintf(stderr, ME ": out of memory\n");
		report_free(&rep);
		return EXIT_ERROR;
	}
	enum cstates_way way = o->v[CSTATES].set && !strcmp(o->v[CSTATES].str, "hold") ? CSTATES_HOLD
											: CSTATES_DISABLE;
	struct plan_options po = { .cstates = way, .vm = o->v[VM].set ? o->v[VM].str : NULL,
				   .live = root_is_live(rep.root) };
	int status = EXIT_ERROR;
	if (plan_build(&rep, &po, &plan)) {
		fprintf(stderr, ME ": out of memory\n");
		report_free(&rep);
		root_free_names(carried);
		return EXIT_ERROR;
	}
	if ((o->v[APPLY].set || o->v[PERSIST].set) && !to_make(o, &plan)) {
		/* no journal for a run that changes nothing */
		char safe[512];
		str_escape(safe, sizeof(safe), rep.root_dir, false);
		if (o->v[JSON].set) {
			status = print_json(&rep, &plan, NULL, NULL, NULL) ? EXIT_ERROR : EXIT_CLEAN;
		} else {
			printf("latdoc tune: nothing to change on %s%s\n", safe,
			       plan.count ? " that this run makes (tune without --apply shows the rest)" : "");
			status = EXIT_CLEAN;
		}
	} else if (o->v[APPLY].set || o->v[PERSIST].set) {
		status = make_changes(o, &rep, &plan, way);
	} else if (o->v[JSON].set) {
		status = print_json(&rep, &plan, NULL, NULL, NULL) ? EXIT_ERROR
			 : plan.count				  ? EXIT_FINDINGS
								  : EXIT_CLEAN;
	} else {
		output_plan_text(stdout, &rep, &plan);
		status = plan.count ? EXIT_FINDINGS : EXIT_CLEAN;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, ME ": writing the output: %s\n", strerror(errno));
		status = EXIT_ERROR;
	}
	plan_free(&plan);
	report_free(&rep);
	root_free_names(carried);
	return status;
}
