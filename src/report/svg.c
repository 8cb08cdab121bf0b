/* The report's charts as inline SVG, drawn from the check --json document:
 * the clock of each CPU against its rating, the idle states by exit
 * latency, and wake-up latency histograms with C-states allowed and held
 * (log scale). Each scales with the page (a viewBox) and carries a title
 * for screen readers; numbers are formatted here, names escaped. */
#include "html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../output/json_util.h"

#define W 640
#define FONT "font-family=\"system-ui,sans-serif\" font-size=\"11\""
#define MAX_BARS 512

static const char *const blue = "#0b62b8", *const orange = "#c2410c", *const grey = "#aab4be",
		  *const green = "#1a7f37", *const ink = "#1f2328", *const muted = "#59636e";

static double num(json_object *o, const char *path)
{
	json_object *v = json_at(o, path);
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)
		       ? json_object_get_double(v)
		       : NAN;
}

/* " p99 12.0 us allowed, 3.1 us held", each figure said to be missing
 * where the run had too few samples to give it (a p99 needs 1,000) */
static void caption_percentile(FILE *out, const char *name, double allowed, double held)
{
	fprintf(out, " %s ", name);
	if (isnan(allowed))
		fputs("not given (too few samples)", out);
	else
		fprintf(out, "%.1f us", allowed);
	fputs(" allowed, ", out);
	if (isnan(held))
		fputs("not given", out);
	else
		fprintf(out, "%.1f us", held);
	fputs(" held", out);
}

/* LABEL is text made here, with nothing from the machine in it */
static void svg_open(FILE *out, int h, const char *label)
{
	fprintf(out, "<figure><svg viewBox=\"0 0 %d %d\" role=img aria-label=\"%s\" "
		     "xmlns=\"http://www.w3.org/2000/svg\" class=chart><title>%s</title>",
		W, h, label, label);
}

static void svg_close(FILE *out, const char *caption)
{
	fprintf(out, "</svg><figcaption>%s</figcaption></figure>", caption);
}

static void hline(FILE *out, double y, const char *color, const char *dash, const char *label, int x0, int x1)
{
	fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s/>",
		x0, y, x1, y, color, dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	if (label)
		fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\" %s>%s</text>", x1, y - 4,
			color, FONT, label);
}

/* The MHz a CPU reports now: /proc/cpuinfo, else its policy's
 * scaling_cur_freq. */
static double cpu_mhz(json_object *doc, json_object *cpu)
{
	double mhz = num(cpu, "cpuinfo_mhz");
	json_object *pol = json_at(cpu, "policy"), *ps = json_at(doc, "facts.cpufreq.policies");

	if (!isnan(mhz) || !json_object_is_type(pol, json_type_string) || !json_object_is_type(ps, json_type_array))
		return mhz;
	for (size_t i = 0; i < json_object_array_length(ps); i++) {
		json_object *p = json_object_array_get_idx(ps, i);
		json_object *name = json_at(p, "name");
		if (json_object_is_type(name, json_type_string) &&
		    !strcmp(json_object_get_string(name), json_object_get_string(pol)))
			return num(p, "cur_khz") / 1000;
	}
	return NAN;
}

static double measured_mhz(json_object *doc, int cpu)
{
	json_object *cs = json_at(doc, "measurements.freq.cpus");
	size_t n = json_object_is_type(cs, json_type_array) ? json_object_array_length(cs) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cs, i);
		if (num(c, "cpu") == cpu)
			return num(c, "mhz");
	}
	return NAN;
}

void html_chart_clock(FILE *out, json_object *doc)
{
	json_object *cpus = json_at(doc, "facts.cpus");
	size_t n = json_object_is_type(cpus, json_type_array) ? json_object_array_length(cpus) : 0;
	double rated = num(doc, "facts.cpu.nominal_mhz"), top = 0, hwmax = 0, mhz[MAX_BARS], meas[MAX_BARS];
	int ids[MAX_BARS];
	size_t bars = 0, shown = 0;
	bool any_measured = false;

	if (isnan(rated))
		rated = num(doc, "measurements.freq.rated_mhz");
	json_object *ps = json_at(doc, "facts.cpufreq.policies");
	for (size_t i = 0; json_object_is_type(ps, json_type_array) && i < json_object_array_length(ps); i++) {
		double m = num(json_object_array_get_idx(ps, i), "hw_max_khz") / 1000;
		if (m > hwmax)
			hwmax = m;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cpus, i);
		if (!json_object_get_boolean(json_at(c, "online")))
			continue;
		shown++;
		if (bars == MAX_BARS)
			continue;
		ids[bars] = (int)num(c, "id");
		mhz[bars] = cpu_mhz(doc, c);
		meas[bars] = measured_mhz(doc, ids[bars]);
		any_measured |= !isnan(meas[bars]);
		if (isnan(mhz[bars]) && isnan(meas[bars]))
			continue;
		top = fmax(top, fmax(isnan(mhz[bars]) ? 0 : mhz[bars], isnan(meas[bars]) ? 0 : meas[bars]));
		bars++;
	}
	if (!bars || top <= 0)
		return;
	top = fmax(top, fmax(isnan(rated) ? 0 : rated, hwmax));
	top = ceil(top * 1.1 / 500) * 500;

	const int x0 = 56, x1 = W - 10, y0 = 24, y1 = 200, h = 236;
	double slot = (double)(x1 - x0) / (double)bars;
	char label[160];
	snprintf(label, sizeof(label), "Clock of each CPU in MHz against its rating%s",
		 any_measured ? ", with the measured clock" : "");
	svg_open(out, h, label);
	for (int t = 0; t <= 4; t++) {
		double y = y1 - (y1 - y0) * t / 4.0;
		fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e9ee\"/>"
			     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\" %s>%.0f</text>",
			x0, y, x1, y, x0 - 6, y + 4, muted, FONT, top * t / 4);
	}
	fprintf(out, "<text x=\"12\" y=\"%d\" fill=\"%s\" %s transform=\"rotate(-90 12 %d)\" "
		     "text-anchor=\"middle\">MHz</text>",
		(y0 + y1) / 2, muted, FONT, (y0 + y1) / 2);
	for (size_t i = 0; i < bars; i++) {
		double x = x0 + slot * (double)i, bw = fmax(slot * 0.78, 0.6);
		if (!isnan(mhz[i])) {
			double bh = (y1 - y0) * mhz[i] / top;
			bool slow = !isnan(rated) && mhz[i] < 0.9 * rated;
			fprintf(out, "<rect class=bar x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
				     "<title>cpu %d: %.0f MHz now</title></rect>",
				x + (slot - bw) / 2, y1 - bh, bw, bh, slow ? orange : blue, ids[i], mhz[i]);
		}
		if (!isnan(meas[i])) {
			double y = y1 - (y1 - y0) * meas[i] / top;
			fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"3\" fill=\"%s\">"
				     "<title>cpu %d: %.0f MHz measured</title></rect>",
				x + (slot - bw) / 2, y - 1.5, bw, ink, ids[i], meas[i]);
		}
	}
	size_t every = bars <= 16 ? 1 : (bars + 15) / 16;
	for (size_t i = 0; i < bars; i += every)
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" %s>%d</text>",
			x0 + slot * ((double)i + 0.5), y1 + 14, muted, FONT, ids[i]);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" %s>CPU</text>", (x0 + x1) / 2,
		y1 + 30, muted, FONT);
	char line[64];
	if (!isnan(rated) && rated > 0) {
		snprintf(line, sizeof(line), "rated %.0f MHz", rated);
		hline(out, y1 - (y1 - y0) * rated / top, green, "6 4", line, x0, x1);
	}
	if (hwmax > 0 && (isnan(rated) || fabs(hwmax - rated) > 50)) {
		snprintf(line, sizeof(line), "highest %.0f MHz", hwmax);
		hline(out, y1 - (y1 - y0) * hwmax / top, muted, "2 3", line, x0, x1);
	}
	fputs("</svg><figcaption>", out);
	fprintf(out, "The clock each CPU reports now%s%s.", any_measured ? ", and as measured (black marks)" : "",
		isnan(rated) ? "" : "; orange below 90% of the rating");
	if (shown > bars)
		fprintf(out, " The first %zu of %zu CPUs.", bars, shown);
	fputs("</figcaption></figure>", out);
}

void html_chart_idle(FILE *out, json_object *doc)
{
	json_object *cpus = json_at(doc, "facts.cpus"), *states = NULL;
	size_t n = json_object_is_type(cpus, json_type_array) ? json_object_array_length(cpus) : 0;
	int cpu = -1;

	/* the first online CPU with idle states: the one cpu.cstate.deep quotes */
	for (size_t i = 0; i < n && !states; i++) {
		json_object *c = json_object_array_get_idx(cpus, i), *s = json_at(c, "idle_states");
		if (json_object_get_boolean(json_at(c, "online")) && json_object_is_type(s, json_type_array) &&
		    json_object_array_length(s)) {
			states = s;
			cpu = (int)num(c, "id");
		}
	}
	if (!states)
		return;
	size_t ns = json_object_array_length(states);
	if (ns > 16)
		ns = 16;
	double top = 1;
	for (size_t i = 0; i < ns; i++)
		top = fmax(top, num(json_object_array_get_idx(states, i), "latency_us"));
	const int x0 = 120, x1 = W - 110, row = 24, h = 20 + row * (int)ns;
	char label[96];
	snprintf(label, sizeof(label), "Idle states of cpu %d by exit latency, log scale", cpu);
	svg_open(out, h, label);
	for (size_t i = 0; i < ns; i++) {
		json_object *s = json_object_array_get_idx(states, i);
		double lat = num(s, "latency_us");
		bool off = json_object_get_boolean(json_at(s, "disabled"));
		double len = isnan(lat) ? 0 : (x1 - x0) * log10(lat + 1) / log10(top + 1);
		double y = 10 + row * (double)i;
		fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\" %s>", x0 - 8, y + 15, ink, FONT);
		html_json_text(out, json_at(s, "name"));
		fprintf(out, "</text><rect class=bar x=\"%d\" y=\"%.1f\" width=\"%.2f\" height=\"16\" fill=\"%s\">"
			     "<title>",
			x0, y + 3, fmax(len, 1.5), off ? grey : lat > 20 ? orange : blue);
		html_json_text(out, json_at(s, "name"));
		fprintf(out, "</title></rect><text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" %s>", x0 + fmax(len, 1.5) + 6,
			y + 15, muted, FONT);
		if (isnan(lat))
			fputs("exit latency unknown", out);
		else
			fprintf(out, "%.0f us", lat);
		fprintf(out, "%s</text>", off ? " (disabled)" : "");
	}
	char caption[200];
	snprintf(caption, sizeof(caption),
		 "Idle states cpu %d may enter, by exit latency (log scale): orange ones cost more than "
		 "20 us to leave, grey ones are disabled.", cpu);
	svg_close(out, caption);
}

/* One histogram: the runs with C-states allowed and held, bucket by bucket
 * (under 1 us, 1-2, 2-4 ... doubling), counts on a log scale. */
static void wake_hist(FILE *out, const char *what, json_object *allowed, json_object *held)
{
	json_object *ha = json_at(allowed, "histogram"), *hh = json_at(held, "histogram");
	size_t nb = json_object_is_type(ha, json_type_array) ? json_object_array_length(ha) : 0;
	double top = 1;

	if (!nb || nb > 64)
		return;
	for (size_t i = 0; i < nb; i++) {
		top = fmax(top, num(json_object_array_get_idx(ha, i), "count"));
		if (json_object_is_type(hh, json_type_array) && i < json_object_array_length(hh))
			top = fmax(top, num(json_object_array_get_idx(hh, i), "count"));
	}
	const int x0 = 56, x1 = W - 10, y0 = 28, y1 = 190, h = 232;
	/* a count of 1 stands one unit tall, 10 two, 100 three */
	double slot = (double)(x1 - x0) / (double)nb, units = log10(top) + 1;
	char label[200];
	snprintf(label, sizeof(label), "%s wake-up latency histogram, C-states allowed against held, log scale",
		 what);
	svg_open(out, h, label);
	for (int d = 0; d + 1 <= units + 1e-9; d++) {
		double y = y1 - (y1 - y0) * (d + 1) / units;
		fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e9ee\"/>"
			     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\" %s>%.0f</text>",
			x0, y, x1, y, x0 - 6, y + 4, muted, FONT, pow(10, d));
	}
	for (int k = 0; k < 2; k++) {
		json_object *hist = k ? hh : ha;
		if (!json_object_is_type(hist, json_type_array))
			continue;
		for (size_t i = 0; i < nb && i < json_object_array_length(hist); i++) {
			double c = num(json_object_array_get_idx(hist, i), "count");
			if (isnan(c) || c <= 0)
				continue;
			double bh = (y1 - y0) * (log10(c) + 1) / units, bw = slot * 0.38;
			fprintf(out, "<rect class=bar x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
				     "<title>%s: %.0f wake-ups</title></rect>",
				x0 + slot * (double)i + slot * 0.1 + bw * k, y1 - bh, bw, bh, k ? blue : orange,
				k ? "held" : "allowed", c);
		}
	}
	for (size_t i = 0; i < nb; i += 2) {
		double below = num(json_object_array_get_idx(ha, i), "below_us");
		char t[24];
		if (isnan(below))
			snprintf(t, sizeof(t), "more");
		else if (below >= 1000)
			snprintf(t, sizeof(t), "&lt;%.0fms", below / 1000);
		else
			snprintf(t, sizeof(t), "&lt;%.0f", below);
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" %s>%s</text>",
			x0 + slot * ((double)i + 0.5), y1 + 14, muted, FONT, t);
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" %s>wake-up latency, us</text>"
		     "<rect x=\"%d\" y=\"6\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		     "<text x=\"%d\" y=\"15\" fill=\"%s\" %s>C-states allowed</text>"
		     "<rect x=\"%d\" y=\"6\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		     "<text x=\"%d\" y=\"15\" fill=\"%s\" %s>C-states held off</text>",
		(x0 + x1) / 2, y1 + 32, muted, FONT, x0, orange, x0 + 14, ink, FONT, x0 + 140, blue, x0 + 154, ink,
		FONT);
	fputs("</svg><figcaption>", out);
	html_text(out, what);
	fputs(" wake-ups:", out);
	caption_percentile(out, "p50", num(allowed, "p50_us"), num(held, "p50_us"));
	fputc(';', out);
	caption_percentile(out, "p99", num(allowed, "p99_us"), num(held, "p99_us"));
	fputs(" (counts on a log scale).</figcaption></figure>", out);
}

void html_chart_wake(FILE *out, json_object *doc)
{
	json_object *timer = json_at(doc, "measurements.wake.timer");
	json_object *cross = json_at(doc, "measurements.wake.cross_cpu");

	if (timer)
		wake_hist(out, "Timer", json_at(timer, "allowed"), json_at(timer, "held"));
	if (json_object_is_type(cross, json_type_array) && json_object_array_length(cross)) {
		json_object *p = json_object_array_get_idx(cross, 0);
		char what[96];
		snprintf(what, sizeof(what), "Cross-CPU (cpu %.0f to %.0f)", num(p, "from"), num(p, "to"));
		wake_hist(out, what, json_at(p, "allowed"), json_at(p, "held"));
	}
}
