/*
 * host: a library host, as a user writes one against an installed schedlab.
 * It owns main; sl_run runs a function as a goroutine, which fans out 100
 * goroutines that send their numbers on a channel and adds them up. Prints
 * "host sum=5050".
 */
#include "schedlab.h"

#include <stdint.h>
#include <stdio.h>

enum { N = 100 };

static sl_chan *numbers;

static void send_number(void *arg)
{
	int v = (int)(intptr_t)arg;
	sl_chan_send(numbers, &v);
}

static void add_up(void *arg)
{
	int *sum = arg;
	numbers = sl_chan_make(sizeof(int), 0);
	for (int i = 1; i <= N; i++)
		sl_go(send_number, (void *)(intptr_t)i);
	for (int i = 0; i < N; i++) {
		int v = 0;
		if (sl_chan_recv(numbers, &v, NULL) == 0)
			*sum += v;
	}
	sl_chan_free(numbers);
}

int main(void)
{
	int sum = 0;
	if (sl_run(add_up, &sum) != 0)
		return 1;
	printf("host sum=%d\n", sum);
	return sum == N * (N + 1) / 2 ? 0 : 1;
}
