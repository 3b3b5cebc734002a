/*
 * sieve: Go's concurrent prime sieve. A generator goroutine sends 2, 3, 4,
 * ... down an unbuffered channel; each prime found adds a filter goroutine
 * that passes on only the numbers it does not divide. Prints the first N
 * primes (default 100) on one line.
 *
 * Then it shuts the pipeline down cleanly: every goroutine selects on its
 * channel operation and on a quit channel, which main closes; each reports
 * its exit on another channel, and main frees every channel.
 */
#include <schedlab.h>
#include <stdio.h>
#include <stdlib.h>

static sl_chan *quit;	/* closed by main: stop */
static sl_chan *exited; /* each goroutine sends once as it returns */

/* Send v on out unless quit is closed first; false means quit. */
static bool send_or_quit(sl_chan *out, long *v)
{
	sl_select_case cs[2] = {
	    {out, SL_SELECT_SEND, v, NULL, 0},
	    {quit, SL_SELECT_RECV, NULL, NULL, 0},
	};
	return sl_select(cs, 2, true) == 0;
}

/* Receive into v from in unless quit is closed first. */
static bool recv_or_quit(sl_chan *in, long *v)
{
	sl_select_case cs[2] = {
	    {in, SL_SELECT_RECV, v, NULL, 0},
	    {quit, SL_SELECT_RECV, NULL, NULL, 0},
	};
	return sl_select(cs, 2, true) == 0;
}

static void generate(void *arg)
{
	sl_chan *out = arg;
	for (long i = 2; send_or_quit(out, &i); i++)
		;
	sl_chan_send(exited, NULL);
}

struct filter {
	sl_chan *in, *out;
	long prime;
};

static void filter(void *arg)
{
	struct filter *f = arg;
	long v;
	while (recv_or_quit(f->in, &v))
		if (v % f->prime != 0 && !send_or_quit(f->out, &v))
			break;
	sl_chan_send(exited, NULL);
}

int sl_main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100;
	if (n < 1)
		n = 1;
	quit = sl_chan_make(0, 0);
	exited = sl_chan_make(0, 0);
	sl_chan **chans = calloc((size_t)n + 1, sizeof *chans);
	struct filter *filters = calloc((size_t)n, sizeof *filters);
	if (!quit || !exited || !chans || !filters)
		return 1;

	chans[0] = sl_chan_make(sizeof(long), 0);
	sl_go(generate, chans[0]);
	printf("primes:");
	for (int i = 0; i < n; i++) {
		long prime;
		sl_chan_recv(chans[i], &prime, NULL);
		printf(" %ld", prime);
		chans[i + 1] = sl_chan_make(sizeof(long), 0);
		filters[i] = (struct filter){chans[i], chans[i + 1], prime};
		sl_go(filter, &filters[i]);
	}
	printf("\n");

	sl_chan_close(quit);
	for (int i = 0; i < n + 1; i++) /* the generator and n filters */
		sl_chan_recv(exited, NULL, NULL);
	for (int i = 0; i <= n; i++)
		sl_chan_free(chans[i]);
	sl_chan_free(quit);
	sl_chan_free(exited);
	free(chans);
	free(filters);
	return 0;
}
