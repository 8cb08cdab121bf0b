/* Small pieces shared by the JSON writers. */
#ifndef LATDOC_JSON_UTIL_H
#define LATDOC_JSON_UTIL_H

#include <json-c/json.h>
#include <stdio.h>
#include <time.h>

#include "../facts/facts.h"

/* "" is unknown: null */
json_object *json_str_or_null(const char *s);
void json_add(json_object *o, const char *key, json_object *v);
/* "2026-11-25T21:22:57Z": when a report was made, in UTC (fleet tells
 * stale reports by it). */
json_object *json_generated(time_t t);
/* A JSON document's head, the same for every command: schema, version, generated, and
 * the host it speaks of (from F's host facts; ROOT the directory read). */
json_object *json_document(const struct facts *f, const char *root);
struct report;
/* The whole check --json document of R: what diff and report compare. */
json_object *json_report(const struct report *r);
/* Prints O, pretty, and releases it; -1 when it could not be built. */
int json_write(FILE *out, json_object *o);

/* Reading a document back: the part of DOC at a dotted PATH
 * ("facts.cpu.model_name"; "" is DOC itself), or NULL where a step is
 * missing or not an object. */
json_object *json_at(json_object *doc, const char *path);
/* The string at PATH, or NULL when there is none or it is not a string. */
const char *json_string_at(json_object *doc, const char *path);

/* A CPU set as the kernel's list: "0-3,8". */
json_object *json_cpulist(const struct cpuset *s);

json_object *json_virt(const struct facts *f);
json_object *json_guest(const struct facts *f);

struct summary;
/* samples, min_us ... max_us, mean_us, histogram[] */
json_object *json_summary(const struct summary *s);
struct freq_result;
struct wake_result;
json_object *json_freq(const struct freq_result *r);
json_object *json_wake(const struct wake_result *w);
json_object *json_measurements(const struct freq_result *freq, const struct wake_result *wake);

#endif
