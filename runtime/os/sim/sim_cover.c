/*
 * sim_cover.c: transition coverage for simulated runs (SL_SIM builds).
 *
 * SIMCOVER(kind, from, to, site) counts one transition. The table outlives
 * runs (teardown leaves it alone), so a replay over a whole corpus adds up
 * what the corpus reaches; fuzz/coverage.py compares that with every site
 * the source names. Sites and kinds are string literals, so a pointer
 * compare finds an entry almost always; strcmp settles the rest; and a
 * cache keyed by the literals' addresses (fast, below) spares the hashing.
 */
#include "runtime.h"
#include "schedlab_sim.h"
#include "sim.h"

#include <stdio.h>
#include <string.h>

/* Bookkeeping, not behaviour: in the fuzz preset these functions carry no
 * coverage instrumentation. Their branches say nothing of the runtime that
 * the callers' own do not, and the fast cache's probes depend on where the
 * literals lie (ASLR): counted, they would make libFuzzer's feedback differ
 * from process to process for the same input. */
#ifdef __clang__
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

#define COVER_SLOTS 1024 /* a power of two, well above the sites there are */

static struct cover {
	const char *kind, *site;
	uint32_t from, to;
	uint64_t count;
} table[COVER_SLOTS];

NO_COVERAGE static uint32_t cover_hash(const char *kind, uint32_t from, uint32_t to,
				       const char *site)
{
	uint32_t h = 2166136261u;
	for (const char *s = kind; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	for (const char *s = site; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ from) * 16777619u;
	return (h ^ to) * 16777619u;
}

/* The entry of a transition, found by content (the strings' bytes), and
 * made if new. NULL when the table is full. */
NO_COVERAGE static struct cover *cover_find(const char *kind, uint32_t from, uint32_t to,
					    const char *site)
{
	uint32_t i = cover_hash(kind, from, to, site) & (COVER_SLOTS - 1);
	for (uint32_t n = 0; n < COVER_SLOTS; n++, i = (i + 1) & (COVER_SLOTS - 1)) {
		struct cover *c = &table[i];
		if (!c->kind) {
			*c = (struct cover){kind, site, from, to, 0};
			return c;
		}
		if (c->from == from && c->to == to && (c->kind == kind || !strcmp(c->kind, kind)) &&
		    (c->site == site || !strcmp(c->site, site)))
			return c;
	}
	return NULL;
}

/*
 * A cache in front of cover_find, keyed by the strings' addresses: a hit
 * costs a few compares instead of hashing two strings. Each string literal
 * has one address for the process's life, so a key maps to one entry for
 * good; two literals with the same bytes are two keys of one entry. The
 * addresses only steer this cache, never what is counted or in what order
 * the table is written, so runs and reports stay address-independent.
 * Like the table, it outlives runs; sl_sim_coverage_reset clears both.
 */
#define FAST_SLOTS 2048 /* a power of two, above the keys there are */

static struct fast {
	const char *kind, *site;
	uint32_t from, to;
	struct cover *c;
} fast[FAST_SLOTS];

NO_COVERAGE void sim_cover(const char *kind, uint32_t from, uint32_t to, const char *site)
{
	uint64_t h = ((uint64_t)(uintptr_t)kind * 0x9E3779B97F4A7C15ull) ^
		     ((uint64_t)(uintptr_t)site * 0xBF58476D1CE4E5B9ull) ^
		     ((uint64_t)from << 32 | to) * 0x94D049BB133111EBull;
	uint32_t i = (uint32_t)(h >> 40) & (FAST_SLOTS - 1);
	struct cover *c = NULL;
	for (uint32_t n = 0; n < FAST_SLOTS; n++, i = (i + 1) & (FAST_SLOTS - 1)) {
		struct fast *f = &fast[i];
		if (f->c && f->kind == kind && f->site == site && f->from == from && f->to == to) {
			c = f->c;
			break;
		}
		if (!f->c) {
			c = cover_find(kind, from, to, site);
			if (c)
				*f = (struct fast){kind, site, from, to, c};
			break;
		}
	}
	if (!c) /* the cache is full: look by content */
		c = cover_find(kind, from, to, site);
	if (c)
		c->count++;
	/* P transitions are traced where they happen (setpstatus), with the
	 * P's id; G transitions would drown the story. */
	if (sim_tracing() && strcmp(kind, "P") != 0 && strcmp(kind, "G") != 0)
		sim_event("%s: %s", kind, site);
}

void sl_sim_coverage_write(void *f)
{
	for (int i = 0; i < COVER_SLOTS; i++) {
		struct cover *c = &table[i];
		if (!c->kind)
			continue;
		if (!strcmp(c->kind, "P"))
			fprintf(f, "P %s %s %s %llu\n", pstatusname(c->from), pstatusname(c->to),
				c->site, (unsigned long long)c->count);
		else if (!strcmp(c->kind, "G"))
			fprintf(f, "G %s %s %s %llu\n", gstatusname(c->from), gstatusname(c->to),
				c->site, (unsigned long long)c->count);
		else
			fprintf(f, "%s - - %s %llu\n", c->kind, c->site,
				(unsigned long long)c->count);
	}
}

void sl_sim_coverage_reset(void)
{
	memset(table, 0, sizeof table);
	memset(fast, 0, sizeof fast);
}
