/*
 * sim_cover.c: transition coverage for simulated runs (SL_SIM builds).
 *
 * SIMCOVER(kind, from, to, site) counts one transition. The table outlives
 * runs (teardown leaves it alone), so a replay over a whole corpus adds up
 * what the corpus reaches; fuzz/coverage.py compares that with every site
 * the source names. Sites and kinds are string literals, so a pointer
 * compare finds an entry almost always; strcmp settles the rest.
 */
#include "runtime.h"
#include "schedlab_sim.h"
#include "sim.h"

#include <stdio.h>
#include <string.h>

#define COVER_SLOTS 1024 /* a power of two, well above the sites there are */

static struct cover {
	const char *kind, *site;
	uint32_t from, to;
	uint64_t count;
} table[COVER_SLOTS];

static uint32_t cover_hash(const char *kind, uint32_t from, uint32_t to, const char *site)
{
	uint32_t h = 2166136261u;
	for (const char *s = kind; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	for (const char *s = site; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ from) * 16777619u;
	return (h ^ to) * 16777619u;
}

void sim_cover(const char *kind, uint32_t from, uint32_t to, const char *site)
{
	uint32_t i = cover_hash(kind, from, to, site) & (COVER_SLOTS - 1);
	for (uint32_t n = 0; n < COVER_SLOTS; n++, i = (i + 1) & (COVER_SLOTS - 1)) {
		struct cover *c = &table[i];
		if (!c->kind) {
			*c = (struct cover){kind, site, from, to, 1};
			break;
		}
		if (c->from == from && c->to == to && (c->kind == kind || !strcmp(c->kind, kind)) &&
		    (c->site == site || !strcmp(c->site, site))) {
			c->count++;
			break;
		}
	}
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
}
