/*
 * replay_main.c: the standalone driver. Linked with a target instead of
 * libFuzzer, it runs LLVMFuzzerTestOneInput once on every file named (a
 * directory: every file in it, in name order), so that any compiler builds
 * a replayer for a crash or a corpus.
 *
 *	replay_NAME [--trace] [--coverage FILE] [--repeat N] INPUT...
 *
 * --trace sets SL_SIM_TRACE=1: the run prints every decision, which makes a
 * crash's input a story. --coverage appends the transitions all the inputs
 * reached to FILE. --repeat runs each input N times (determinism checks).
 */
#define _GNU_SOURCE
#include "schedlab_sim.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path, int repeat)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			uint8_t *n = realloc(buf, cap);
			if (!n) {
				fprintf(stderr, "replay: out of memory reading %s\n", path);
				free(buf);
				fclose(f);
				return 1;
			}
			buf = n;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		if (r == 0)
			break;
		len += r;
	}
	fclose(f);
	for (int i = 0; i < repeat; i++)
		LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	printf("replay: %s (%zu bytes): ok\n", path, len);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, int repeat)
{
	DIR *d = opendir(path);
	if (!d)
		return run_file(path, repeat);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **nn = realloc(names, (n + 1) * sizeof *nn);
		if (!nn || asprintf(&nn[n], "%s/%s", path, e->d_name) < 0) {
			fprintf(stderr, "replay: out of memory\n");
			exit(1);
		}
		names = nn;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		bad |= run_file(names[i], repeat);
		free(names[i]);
	}
	free(names);
	return bad;
}

static void usage(void)
{
	fprintf(stderr, "usage: replay [--trace] [--coverage FILE] [--repeat N] INPUT...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *coverage = NULL;
	int repeat = 1, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--trace")) {
			setenv("SL_SIM_TRACE", "1", 1);
		} else if (!strcmp(argv[i], "--coverage") && i + 1 < argc) {
			coverage = argv[++i];
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > 1000000) {
				fprintf(stderr, "replay: --repeat wants 1..1000000, not '%s'\n",
					argv[i]);
				exit(2);
			}
			repeat = (int)v;
		} else {
			usage();
		}
	}
	if (i == argc)
		usage();
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	int bad = 0;
	for (; i < argc; i++)
		bad |= run_path(argv[i], repeat);
	if (coverage) {
		FILE *f = fopen(coverage, "a");
		if (!f) {
			perror(coverage);
			return 1;
		}
		sl_sim_coverage_write(f);
		fclose(f);
	}
	return bad;
}
