/*
 * fuzz_common.h: what every fuzz target shares: how an input becomes a
 * simulated run, and the program reader.
 *
 * An input is a header, a program and a choice stream:
 *
 *	byte 0	  choice source (bits 0-1: 0 PRNG, 1 PCT, 2-3 bytes), CPUs the
 *		  runtime sees (bits 2-4, plus 1), PCT depth (bits 5-7, plus 1)
 *	bytes 1-2 the seed (little endian)
 *	byte 3	  the program's length L
 *	then	  L program bytes, read by the target's interpreter, and the
 *		  rest: the scheduler's decisions (SL_SIM_BYTES) or nothing
 *
 * Missing bytes read as zero, so every input is a valid run.
 */
#ifndef SCHEDLAB_FUZZ_COMMON_H
#define SCHEDLAB_FUZZ_COMMON_H

#include "schedlab_sim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
	struct sl_sim_config cfg;
	const uint8_t *prog;
	size_t nprog, pos;
};

/* Split data into a configuration and a program (see above). */
void fuzz_input_parse(struct fuzz_input *in, const uint8_t *data, size_t size);

/* The next program byte (0 once the program is spent), and whether any
 * are left. Read from the main goroutine only (one reader). */
uint8_t fuzz_byte(struct fuzz_input *in);
bool fuzz_more(const struct fuzz_input *in);

/* A broken expectation of the target itself: say which and abort, so that
 * libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__FILE__, __LINE__, #cond);                                      \
	} while (0)
__attribute__((noreturn)) void fuzz_fail(const char *file, int line, const char *what);

#endif
