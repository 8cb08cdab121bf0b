/* The report page: head and style, the diff of two sides, then each side's
 * machine, charts, findings and problems. Written to memory first, so the
 * page goes out whole and valid UTF-8, or not at all. */
#include "html.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../findings/findings.h"
#include "../lib/escape.h"
#include "../output/json_util.h"
#include "version.h"

/* Escapes for text and attribute values alike; what a terminal would act
 * on (control bytes, bidi overrides, bytes that are not UTF-8) shows as
 * \xNN, as on the terminal. */
void html_text(FILE *out, const char *s)
{
	char *safe = str_escape_dup(s ? s : "", true);
	for (const char *p = safe ? safe : ""; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*p, out);
		}
	}
	free(safe);
}

void html_json_text(FILE *out, json_object *o)
{
	if (json_object_is_type(o, json_type_string))
		html_text(out, json_object_get_string(o));
	else if (json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double) ||
		 json_object_is_type(o, json_type_boolean))
		html_text(out, json_object_to_json_string(o));
	else
		fputs("-", out);
}

static const char style[] =
	":root{--crit:#b3261e;--warn:#8a5a00;--info:#0b62b8;--ok:#1a7f37;--fg:#1f2328;--muted:#59636e;"
	"--line:#d1d9e0;--soft:#f6f8fa}"
	"*{box-sizing:border-box}"
	"body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
	"margin:0 auto;max-width:76rem;padding:1rem}"
	"h1{font-size:1.45rem;margin:.2rem 0 .4rem}"
	"h2{font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin:1.6rem 0 .6rem}"
	"h3{font-size:1rem;margin:1rem 0 .3rem}"
	"p{margin:.3rem 0}.muted{color:var(--muted)}"
	".sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:0 2rem}"
	".side{min-width:0}"
	".finding{border:1px solid var(--line);border-left:.35rem solid var(--info);border-radius:.4rem;"
	"padding:.5rem .8rem;margin:.7rem 0;break-inside:avoid}"
	".finding.critical{border-left-color:var(--crit)}.finding.warning{border-left-color:var(--warn)}"
	".sev{font-weight:700;text-transform:uppercase;font-size:.72rem;letter-spacing:.05em;margin-right:.4rem}"
	".sev.critical{color:var(--crit)}.sev.warning{color:var(--warn)}.sev.info{color:var(--info)}"
	".id{color:var(--muted);font-size:.85rem}"
	"table{border-collapse:collapse;width:100%;margin:.3rem 0}"
	"th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid var(--line)}"
	"th{font-weight:600;background:var(--soft)}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".scroll{overflow-x:auto}"
	".worse{background:#fff0e0;font-weight:600}"
	"code,pre,.mono{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
	"pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0;background:var(--soft);"
	"padding:.4rem .6rem;border-radius:.3rem}"
	"td,p,li{overflow-wrap:break-word}.mono,td.mono{overflow-wrap:anywhere}"
	"figure{margin:.8rem 0;break-inside:avoid}figcaption{font-size:.85rem;color:var(--muted)}"
	"svg{width:100%;height:auto;display:block;max-width:44rem}"
	".verdict{font-weight:600}.verdict.fails{color:var(--crit)}.verdict.passes{color:var(--ok)}"
	"@media (max-width:40rem){body{padding:.6rem;font-size:14px}th,td{padding:.2rem .3rem}}"
	"@media print{body{max-width:none;padding:0;font-size:10pt}h2{break-after:avoid}"
	".sides{grid-template-columns:1fr 1fr}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static void side_name(FILE *out, const struct diff_side *s, size_t i, size_t n)
{
	if (n > 1)
		fprintf(out, "%c: ", i ? 'B' : 'A');
	const char *host = json_string_at(s->doc, "host.hostname");
	html_text(out, host ? host : s->input);
}

/* The machine in a few rows: what check's head line says. */
static void machine(FILE *out, const struct diff_side *s)
{
	static const struct {
		const char *label, *path;
	} rows[] = {
		{ "kernel", "host.kernel" },
		{ "operating system", "host.os" },
		{ "CPU", "facts.cpu.model_name" },
		{ "CPUs", "facts.cpu.count" },
		{ "cpufreq driver", "facts.cpufreq.policies" },
		{ "cpuidle driver", "facts.cpuidle.driver" },
		{ "clocksource", "facts.kernel.clocksource" },
		{ "transparent huge pages", "facts.memory.thp_enabled" },
	};
	char about[512];

	diff_side_describe(s, about, sizeof(about));
	fputs("<p>", out);
	html_text(out, about);
	fputs("</p><p class=muted>from <span class=mono>", out);
	html_text(out, s->input);
	fprintf(out, "</span> (%s)</p>", s->kind);
	if (!s->facts)
		return;
	fputs("<div class=scroll><table>", out);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_object *v = json_at(s->doc, rows[i].path);
		fprintf(out, "<tr><th scope=row>%s</th><td>", rows[i].label);
		if (json_object_is_type(v, json_type_array)) {
			/* the policies: their driver and governor */
			json_object *p = json_object_array_length(v) ? json_object_array_get_idx(v, 0) : NULL;
			if (p) {
				html_json_text(out, json_at(p, "driver"));
				fputs(", governor ", out);
				html_json_text(out, json_at(p, "governor"));
			} else {
				fputs("none: the firmware sets the clock", out);
			}
		} else {
			html_json_text(out, v);
		}
		fputs("</td></tr>", out);
	}
	fputs("</table></div>", out);
}

static void verdict(FILE *out, json_object *doc)
{
	json_object *fs = json_at(doc, "findings");
	size_t n = json_object_is_type(fs, json_type_array) ? json_object_array_length(fs) : 0;
	size_t count[SEV_CRITICAL + 1] = { 0 };

	for (size_t i = 0; i < n; i++) {
		const char *sev = json_string_at(json_object_array_get_idx(fs, i), "severity");
		enum severity s;
		if (sev && !severity_parse(sev, &s))
			count[s]++;
	}
	bool fails = json_object_get_boolean(json_at(doc, "verdict.fails"));
	fprintf(out, "<p class=\"verdict %s\">%zu critical, %zu warning, %zu info</p>",
		fails ? "fails" : "passes", count[SEV_CRITICAL], count[SEV_WARNING], count[SEV_INFO]);
}

static void finding(FILE *out, json_object *x)
{
	const char *sev = json_string_at(x, "severity");
	json_object *ev = json_at(x, "evidence");
	enum severity s;
	/* a word that is no severity is shown as the mildest */
	const char *cls = sev && !severity_parse(sev, &s) ? severity_name(s) : "info";

	fprintf(out, "<article class=\"finding %s\"><h3><span class=\"sev %s\">%s</span>", cls, cls, cls);
	html_json_text(out, json_at(x, "title"));
	fputs("</h3><p class=id>", out);
	html_json_text(out, json_at(x, "id"));
	fputs(" &middot; ", out);
	html_json_text(out, json_at(x, "subject"));
	fputs("</p>", out);
	if (json_object_is_type(ev, json_type_array) && json_object_array_length(ev)) {
		fputs("<div class=scroll><table><tr><th>evidence</th><th>value</th></tr>", out);
		for (size_t i = 0; i < json_object_array_length(ev); i++) {
			json_object *e = json_object_array_get_idx(ev, i);
			fputs("<tr><td class=mono>", out);
			html_json_text(out, json_at(e, "source"));
			fputs("</td><td>", out);
			html_json_text(out, json_at(e, "value"));
			fputs("</td></tr>", out);
		}
		fputs("</table></div>", out);
	}
	static const struct {
		const char *label, *path;
	} parts[] = { { "Why", "why" }, { "Fix now", "fix.runtime" }, { "Fix for good", "fix.persistent" } };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *text = json_string_at(x, parts[i].path);
		if (!text)
			continue;
		fprintf(out, "<p><strong>%s</strong></p>", parts[i].label);
		fputs(i ? "<pre>" : "<p>", out);
		html_text(out, text);
		fputs(i ? "</pre>" : "</p>", out);
	}
	fputs("</article>", out);
}

static void findings(FILE *out, json_object *doc)
{
	json_object *fs = json_at(doc, "findings");
	size_t n = json_object_array_length(fs);

	fputs("<h3>Findings</h3>", out);
	if (!n)
		fputs("<p>No finding.</p>", out);
	for (size_t i = 0; i < n; i++)
		finding(out, json_object_array_get_idx(fs, i));
}

static void problems(FILE *out, json_object *doc)
{
	json_object *ps = json_at(doc, "problems");
	size_t n = json_object_is_type(ps, json_type_array) ? json_object_array_length(ps) : 0;

	if (!n)
		return;
	fputs("<h3>Files that could not be used</h3><ul>", out);
	for (size_t i = 0; i < n; i++) {
		fputs("<li class=mono>", out);
		html_json_text(out, json_object_array_get_idx(ps, i));
		fputs("</li>", out);
	}
	fputs("</ul>", out);
}

static void side(FILE *out, const struct diff_side *s, size_t i, size_t n)
{
	fputs("<section class=side><h2>", out);
	side_name(out, s, i, n);
	fputs("</h2>", out);
	machine(out, s);
	if (s->findings)
		verdict(out, s->doc);
	html_chart_clock(out, s->doc);
	html_chart_wake(out, s->doc);
	html_chart_idle(out, s->doc);
	if (s->findings)
		findings(out, s->doc);
	problems(out, s->doc);
	fputs("</section>", out);
}

static void cell(FILE *out, const char *text, bool worse)
{
	fputs(worse ? "<td class=worse>" : "<td>", out);
	html_text(out, text ? text : "-");
	fputs("</td>", out);
}

/* The diff's rows, section by section, the side each costs marked. */
static void diff_section(FILE *out, const struct diff *d)
{
	static const char *const heads[] = { "Findings that differ", "Settings that differ",
					     "Measurements, where both have them" };

	fputs("<section><h2>What differs that matters, most costly first</h2>", out);
	for (int i = 0; i < 2; i++)
		if (d->note[i][0]) {
			fputs("<p class=muted>", out);
			html_text(out, d->note[i]);
			fputs("</p>", out);
		}
	if (!diff_matters(d))
		fputs("<p>No difference that matters for latency.</p>", out);
	for (int sec = DIFF_FINDING; sec <= DIFF_MEASUREMENT; sec++) {
		bool any = false;
		for (size_t i = 0; i < d->count; i++) {
			const struct diff_row *r = &d->rows[i];
			if ((int)r->section != sec)
				continue;
			if (!any)
				fprintf(out, "<h3>%s</h3><div class=scroll><table><tr><th>%s</th><th>A</th><th>B</th>%s</tr>",
					heads[sec], sec == DIFF_FINDING ? "finding" : sec == DIFF_FACT ? "setting" : "figure",
					sec == DIFF_MEASUREMENT ? "<th>B / A</th>" : "");
			any = true;
			fputs("<tr><td>", out);
			html_text(out, r->label);
			if (r->section == DIFF_FINDING) {
				fputs("<br><span class=id>", out);
				html_text(out, r->key);
				fputs(" &middot; ", out);
				html_text(out, r->subject);
				fputs("</span>", out);
			}
			fputs("</td>", out);
			cell(out, r->a, r->worse == 'a');
			cell(out, r->b, r->worse == 'b');
			if (r->section == DIFF_MEASUREMENT)
				fprintf(out, "<td class=num>%.2f</td>", r->ratio);
			fputs("</tr>", out);
		}
		if (any)
			fputs("</table></div>", out);
	}
	fputs("</section>", out);
}

static void page(FILE *out, const struct diff_side *sides, size_t n, const struct diff *d)
{
	char when[32];
	time_t now = time(NULL);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&now));

	fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	      "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
	      "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src "
	      "'unsafe-inline'\"><meta name=generator content=\"latdoc " LATDOC_VERSION "\"><title>latdoc report: ",
	      out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(" against ", out);
		side_name(out, &sides[i], i, 1);
	}
	fprintf(out, "</title><style>%s</style></head><body><header><h1>latdoc report</h1><p class=muted>", style);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? " against " : "", out);
		side_name(out, &sides[i], i, n);
	}
	fprintf(out, "; made %s by latdoc %s</p></header>", when, LATDOC_VERSION);
	if (d)
		diff_section(out, d);
	fputs(n > 1 ? "<div class=sides>" : "<div>", out);
	for (size_t i = 0; i < n; i++)
		side(out, &sides[i], i, n);
	fputs("</div><footer><p class=muted>Each finding's evidence is what the machine's own files said; "
	      "docs/CHECKS.md explains every check.</p></footer></body></html>\n",
	      out);
}

int output_html(FILE *out, const struct diff_side *sides, size_t nsides, const struct diff *d)
{
	char *text = NULL, *fixed;
	size_t len = 0, fixed_len;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return -1;
	page(mem, sides, nsides, d);
	if (fclose(mem)) {
		free(text);
		return -1;
	}
	fixed = utf8_repair(text, len, &fixed_len);
	free(text);
	if (!fixed)
		return -1;
	fwrite(fixed, 1, fixed_len, out);
	free(fixed);
	return 0;
}
