/* The metrics registry; see include/domain/metrics.h. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/metrics.h"
#include "domain/text.h"

struct family {
	char *name;
	char *help;
	metric_type type;
	metrics_collect_fn collect;
	void *ctx;
	/* The simple kinds keep what they read here. */
	const atomic_uint_fast64_t *counter;
	double (*gauge)(void *ctx);
};

struct metrics {
	pthread_mutex_t lock;
	struct family *families;
	size_t count, cap;
};

struct metrics_out {
	struct text text;
	const struct family *family; /* the one being collected */
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->count; i++) {
		free(m->families[i].name);
		free(m->families[i].help);
	}
	free(m->families);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static bool name_valid(const char *name)
{
	if (name == NULL || *name == '\0')
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		char c = *p;
		bool letter =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
		if (!letter && !(p != name && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

/* Adds a family; the caller fills what reads it. NULL when refused. */
static struct family *family_add(struct metrics *m, const char *name, const char *help,
				 metric_type type)
{
	if (!name_valid(name) || help == NULL || strchr(help, '\n') != NULL)
		return NULL;
	for (size_t i = 0; i < m->count; i++)
		if (strcmp(m->families[i].name, name) == 0)
			return NULL;
	if (m->count == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct family *grown = realloc(m->families, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		m->families = grown;
		m->cap = cap;
	}
	struct family f = {.name = strdup(name), .help = strdup(help), .type = type};
	if (f.name == NULL || f.help == NULL) {
		free(f.name);
		free(f.help);
		return NULL;
	}
	m->families[m->count] = f;
	return &m->families[m->count++];
}

bool metrics_add(struct metrics *m, const char *name, const char *help, metric_type type,
		 metrics_collect_fn collect, void *ctx)
{
	if (collect == NULL)
		return false;
	pthread_mutex_lock(&m->lock);
	struct family *f = family_add(m, name, help, type);
	if (f != NULL) {
		f->collect = collect;
		f->ctx = ctx;
	}
	pthread_mutex_unlock(&m->lock);
	return f != NULL;
}

bool metrics_add_counter(struct metrics *m, const char *name, const char *help,
			 const atomic_uint_fast64_t *value)
{
	if (value == NULL)
		return false;
	pthread_mutex_lock(&m->lock);
	struct family *f = family_add(m, name, help, METRIC_COUNTER);
	if (f != NULL)
		f->counter = value;
	pthread_mutex_unlock(&m->lock);
	return f != NULL;
}

bool metrics_add_gauge(struct metrics *m, const char *name, const char *help,
		       double (*fn)(void *ctx), void *ctx)
{
	if (fn == NULL)
		return false;
	pthread_mutex_lock(&m->lock);
	struct family *f = family_add(m, name, help, METRIC_GAUGE);
	if (f != NULL) {
		f->gauge = fn;
		f->ctx = ctx;
	}
	pthread_mutex_unlock(&m->lock);
	return f != NULL;
}

/* name{labels} or name, with the suffix. */
static void sample_start(struct metrics_out *out, const char *suffix, const char *labels)
{
	text_add_str(&out->text, out->family->name);
	text_add_str(&out->text, suffix ? suffix : "");
	if (labels != NULL && *labels != '\0') {
		text_add_str(&out->text, "{");
		text_add_str(&out->text, labels);
		text_add_str(&out->text, "}");
	}
	text_add_str(&out->text, " ");
}

void metrics_sample(struct metrics_out *out, const char *suffix, const char *labels, double value)
{
	char number[64];
	if (value != value)
		snprintf(number, sizeof(number), "NaN");
	else if (value > 1.7976931348623157e308)
		snprintf(number, sizeof(number), "+Inf");
	else if (value < -1.7976931348623157e308)
		snprintf(number, sizeof(number), "-Inf");
	else {
		/* The shortest text that reads back as the same double. */
		snprintf(number, sizeof(number), "%.15g", value);
		if (strtod(number, NULL) != value)
			snprintf(number, sizeof(number), "%.17g", value);
	}
	sample_start(out, suffix, labels);
	text_add_str(&out->text, number);
	text_add_str(&out->text, "\n");
}

void metrics_sample_u64(struct metrics_out *out, const char *suffix, const char *labels,
			uint64_t value)
{
	char number[32];
	snprintf(number, sizeof(number), "%" PRIu64, value);
	sample_start(out, suffix, labels);
	text_add_str(&out->text, number);
	text_add_str(&out->text, "\n");
}

void metrics_histogram(struct metrics_out *out, const char *labels, const double *bounds,
		       const uint64_t *counts, size_t n, double sum)
{
	const char *sep = labels != NULL && *labels != '\0' ? "," : "";
	uint64_t cumulative = 0;
	char le[512];
	for (size_t i = 0; i <= n; i++) {
		cumulative += counts[i];
		if (i < n)
			snprintf(le, sizeof(le), "%s%sle=\"%g\"", labels ? labels : "", sep,
				 bounds[i]);
		else
			snprintf(le, sizeof(le), "%s%sle=\"+Inf\"", labels ? labels : "", sep);
		metrics_sample_u64(out, "_bucket", le, cumulative);
	}
	metrics_sample(out, "_sum", labels, sum);
	metrics_sample_u64(out, "_count", labels, cumulative);
}

char *metrics_label_value(const char *value, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = value; *p != '\0'; p++) {
		const char *esc = *p == '\\'   ? "\\\\"
				  : *p == '"'  ? "\\\""
				  : *p == '\n' ? "\\n"
					       : NULL;
		size_t need = esc ? 2 : 1;
		if (n + need >= cap)
			break;
		if (esc) {
			out[n++] = esc[0];
			out[n++] = esc[1];
		} else {
			out[n++] = *p;
		}
	}
	if (cap > 0)
		out[n < cap ? n : cap - 1] = '\0';
	return out;
}

static const char *type_name(metric_type type)
{
	switch (type) {
	case METRIC_COUNTER: return "counter";
	case METRIC_GAUGE: return "gauge";
	case METRIC_HISTOGRAM: return "histogram";
	}
	return "untyped";
}

char *metrics_render(struct metrics *m, size_t *len)
{
	struct metrics_out out = {0};
	text_reserve(&out.text, 8192);
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->count; i++) {
		const struct family *f = &m->families[i];
		out.family = f;
		text_add_str(&out.text, "# HELP ");
		text_add_str(&out.text, f->name);
		text_add_str(&out.text, " ");
		text_add_str(&out.text, f->help);
		text_add_str(&out.text, "\n# TYPE ");
		text_add_str(&out.text, f->name);
		text_add_str(&out.text, " ");
		text_add_str(&out.text, type_name(f->type));
		text_add_str(&out.text, "\n");
		if (f->counter != NULL)
			metrics_sample_u64(&out, "", "", atomic_load(f->counter));
		else if (f->gauge != NULL)
			metrics_sample(&out, "", "", f->gauge(f->ctx));
		else
			f->collect(&out, f->ctx);
	}
	pthread_mutex_unlock(&m->lock);
	if (out.text.failed || out.text.s == NULL) {
		text_free(&out.text);
		return NULL;
	}
	*len = out.text.len;
	return out.text.s;
}
