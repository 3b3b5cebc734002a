/*
 * test_errors: sl_strerror. argv[1] is runtime/include: every "#define SL_E*
 * (N)" of its schedlab*.h headers must have a message of its own that starts
 * with the code's name, and so must each code this file lists (so that a
 * header this test cannot parse fails it too). 0 and unknown codes get
 * "no error" and "unknown schedlab error N", the latter per thread.
 */
#include "check.h"
#include "schedlab.h"

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

struct code {
	char name[64];
	int value;
};

static const struct code listed[] = {
    {"SL_ECLOSED", SL_ECLOSED},
    {"SL_EAGAIN", SL_EAGAIN},
    {"SL_EFREED", SL_EFREED},
    {"SL_EBUSY", SL_EBUSY},
    {"SL_ENOTGOROUTINE", SL_ENOTGOROUTINE},
    {"SL_EINVAL", SL_EINVAL},
};
#define NLISTED ((int)(sizeof listed / sizeof listed[0]))

enum { MAXCODES = 256 };
static struct code found[MAXCODES];
static int nfound;

/* Collect into found[] the error codes the public headers in dir define: every
 * line of the form "#define SL_E<NAME> (<value>)" in dir/schedlab*.h. */
static void parse_headers(const char *dir)
{
	regex_t re;
	CHECK(regcomp(&re, "^#define[ \t]+(SL_E[A-Z0-9_]+)[ \t]+\\((-?[0-9]+)\\)", REG_EXTENDED) ==
	      0);
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "test_errors: cannot open %s\n", dir);
		_Exit(1);
	}
	int nheaders = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "schedlab", 8) || n < 3 || strcmp(e->d_name + n - 2, ".h"))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		CHECK(f != NULL);
		nheaders++;
		char line[512];
		regmatch_t m[3];
		while (fgets(line, sizeof line, f)) {
			if (regexec(&re, line, 3, m, 0))
				continue;
			CHECK(nfound < MAXCODES);
			struct code *c = &found[nfound++];
			int len = (int)(m[1].rm_eo - m[1].rm_so);
			CHECK(len < (int)sizeof c->name);
			memcpy(c->name, line + m[1].rm_so, (size_t)len);
			c->name[len] = 0;
			c->value = atoi(line + m[2].rm_so);
			printf("%s/%s: %s = %d\n", dir, e->d_name, c->name, c->value);
		}
		fclose(f);
	}
	closedir(d);
	regfree(&re);
	CHECK(nheaders > 0);
}

/* msg is a known code's message: it starts with "NAME: ". */
static void check_message(const struct code *c)
{
	const char *msg = sl_strerror(c->value);
	size_t n = strlen(c->name);
	printf("sl_strerror(%s) = \"%s\"\n", c->name, msg);
	if (!msg || strncmp(msg, c->name, n) || strncmp(msg + n, ": ", 2) || !msg[n + 2]) {
		fprintf(stderr, "test_errors: sl_strerror(%s = %d) is \"%s\", want \"%s: ...\"\n",
			c->name, c->value, msg ? msg : "(null)", c->name);
		_Exit(1);
	}
}

static void *other_thread(void *arg)
{
	(void)arg;
	CHECK(!strcmp(sl_strerror(-98), "unknown schedlab error -98"));
	return NULL;
}

int sl_main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_errors INCLUDE_DIR\n");
		return 2;
	}
	parse_headers(argv[1]);

	/* Every code of the headers and of the list: named, distinct. */
	for (int i = 0; i < nfound; i++) {
		check_message(&found[i]);
		for (int j = 0; j < i; j++) {
			CHECK(found[i].value != found[j].value);
			CHECK(strcmp(sl_strerror(found[i].value), sl_strerror(found[j].value)));
		}
	}
	for (int i = 0; i < NLISTED; i++) {
		check_message(&listed[i]);
		bool seen = false;
		for (int j = 0; j < nfound; j++)
			seen |= !strcmp(found[j].name, listed[i].name) &&
				found[j].value == listed[i].value;
		if (!seen) {
			fprintf(stderr, "test_errors: %s (%d) not found in %s/schedlab*.h\n",
				listed[i].name, listed[i].value, argv[1]);
			return 1;
		}
	}
	CHECK(nfound >= NLISTED);

	/* 0, and codes that are not the API's. */
	CHECK(!strcmp(sl_strerror(0), "no error"));
	CHECK(!strcmp(sl_strerror(-99), "unknown schedlab error -99"));
	CHECK(!strcmp(sl_strerror(7), "unknown schedlab error 7"));
	CHECK(!strcmp(sl_strerror(INT_MIN), "unknown schedlab error -2147483648"));
	/* The unknown code's buffer is the thread's own. */
	const char *mine = sl_strerror(-99);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0);
	sl_syscall_begin();
	pthread_join(t, NULL);
	sl_syscall_end();
	CHECK(!strcmp(mine, "unknown schedlab error -99"));
	printf("ok errors: %d codes\n", nfound);
	return 0;
}
