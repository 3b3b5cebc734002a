/*
 * fuzz_common.c: the input format of fuzz_common.h.
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_input_parse(struct fuzz_input *in, const uint8_t *data, size_t size)
{
	uint8_t h[4] = {0};
	memcpy(h, data, size < 4 ? size : 4);
	size_t rest = size > 4 ? size - 4 : 0;
	const uint8_t *body = data + (size > 4 ? 4 : size);
	memset(in, 0, sizeof *in);
	switch (h[0] & 3) {
	case 0:
		in->cfg.choice = SL_SIM_RANDOM;
		break;
	case 1:
		in->cfg.choice = SL_SIM_PCT;
		break;
	default:
		in->cfg.choice = SL_SIM_BYTES;
		break;
	}
	in->cfg.ncpu = 1 + ((h[0] >> 2) & 7);
	in->cfg.pct_depth = 1 + (h[0] >> 5);
	in->cfg.seed = (uint64_t)h[1] | (uint64_t)h[2] << 8;
	in->cfg.max_steps = 2 * 1000 * 1000;
	in->nprog = h[3] < rest ? h[3] : rest;
	in->prog = body;
	if (in->cfg.choice == SL_SIM_BYTES) {
		in->cfg.bytes = body + in->nprog;
		in->cfg.nbytes = rest - in->nprog;
	}
}

uint8_t fuzz_byte(struct fuzz_input *in)
{
	return in->pos < in->nprog ? in->prog[in->pos++] : 0;
}

bool fuzz_more(const struct fuzz_input *in)
{
	return in->pos < in->nprog;
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz: %s:%d: check failed: %s (step %llu)\n", file, line, what,
		(unsigned long long)sl_sim_steps());
	abort();
}
