/* latdoc check: audit this machine, or a dump of one, and print the
 * findings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../audit/audit.h"
#include "../output/output.h"
#include "../rules/rules.h"
#include "commands.h"

enum { ROOT, CONNECT, JSON, FAIL_ON, ONLY, LIST_CHECKS, COLOR, MEASURE };

static const struct opt opts[] = {
	[ROOT] = { .name = "root", .type = OPT_STRING, .arg = "DIR",
		.help = "audit the machine dumped in DIR (default /)", .complete = COMPLETE_DIR },
	[CONNECT] = { .name = "connect", .type = OPT_STRING, .arg = "URI",
		.help = "also ask libvirt at URI for its domains (read-only); on this machine "
		      "qemu:///system is asked when it is a KVM host. A URI named here that does "
		      "not answer is an error." },
	[JSON] = { .name = "json", .type = OPT_FLAG,
		.help = "print facts, findings and fixes as JSON" },
	[FAIL_ON] = { .name = "fail-on", .type = OPT_CHOICE, .arg = "LEVEL",
		.help = "exit 1 when a finding reaches LEVEL: critical, warning (default) or info",
		.choices = "critical warning info" },
	[ONLY] = { .name = "only", .type = OPT_STRING, .arg = "PREFIX",
		.help = "run only the checks whose id starts with PREFIX (cpu, mem.thp)" },
	[LIST_CHECKS] = { .name = "list-checks", .type = OPT_FLAG,
		.help = "print every check id and what it looks for" },
	[COLOR] = { .name = "color", .type = OPT_CHOICE, .arg = "WHEN",
		.help = "colour the severities: auto (default), always or never",
		.choices = "auto always never" },
	[MEASURE] = { .name = "measure", .type = OPT_FLAG,
		.help = "also measure the clock and the cost of idle here (about ten seconds) and weigh the "
		      "findings with them" },
};
const struct opt_table check_options = OPT_TABLE(opts);

static int list_checks(void)
{
	for (size_t i = 0; i < rules_count; i++)
		printf("%-20s %s\n", rules[i].id, rules[i].summary);
	return EXIT_CLEAN;
}

static bool want_color(const struct opt_value *color)
{
	const char *when = color->set ? color->str : "auto";
	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never"))
		return false;
	const char *no = getenv("NO_COLOR");
	return isatty(STDOUT_FILENO) && !(no && *no);
}

int cmd_check(const struct opt_result *o)
{
	struct audit_options ao = {
		.root = o->v[ROOT].set ? o->v[ROOT].str : "/",
		.connect = o->v[CONNECT].set ? o->v[CONNECT].str : NULL,
		.only = o->v[ONLY].set ? o->v[ONLY].str : NULL,
		.measure = o->v[MEASURE].set,
		.fail_on = SEV_WARNING,
	};
	struct report rep;
	char err[512];

	if (o->v[LIST_CHECKS].set)
		return list_checks();
	if (o->nargs) {
		fprintf(stderr, "latdoc check: unexpected argument '%s' (a dump is given with --root)\n",
			o->args[0]);
		return EXIT_ERROR;
	}
	if (o->v[FAIL_ON].set)
		severity_parse(o->v[FAIL_ON].str, &ao.fail_on); /* the table checked the word */
	if (ao.only && !audit_only_valid(ao.only)) {
		fprintf(stderr, "latdoc check: no check id starts with '%s'; --list-checks shows them\n",
			ao.only);
		return EXIT_ERROR;
	}
	if (audit_run(&ao, &rep, err, sizeof(err))) {
		fprintf(stderr, "latdoc check: %s\n", err);
		return EXIT_ERROR;
	}
	int status = EXIT_ERROR;
	if (o->v[JSON].set) {
		if (output_json(stdout, &rep)) {
			fprintf(stderr, "latdoc check: out of memory while writing JSON\n");
			goto out;
		}
	} else {
		output_text(stdout, &rep, want_color(&o->v[COLOR]));
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "latdoc check: writing the report: %s\n", strerror(errno));
		goto out;
	}
	status = rep.fails ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	report_free(&rep);
	return status;
}
