/*
 * w_spawn.c: spawn storms. One round picks, from its seed, how big and which
 * of: a binary tree (each goroutine spawns two children down to a depth), a
 * chain (each goroutine spawns the next), a wide fan-out from many spawners
 * at once (so that spawns come from many Ps), and spawns from a thread that
 * is not a goroutine (sl_go from a pthread, Go's cgo-thread case).
 *
 * Books: every goroutine has an index in the round's tally and counts itself
 * when it runs; after the round's WaitGroup, each index must have run
 * exactly once ("goroutine 12 of spawn round 3 counted 0 times").
 */
#include "soak.h"

#include <pthread.h>
#include <stdlib.h>

struct storm {
	struct tally ran;
	sl_waitgroup wg;
	_Atomic int next; /* the next free index */
	int depth;	  /* tree depth */
	int chain;	  /* chain length left */
	int per_spawner;  /* wide: goroutines per spawner */
};

/* Each spawned goroutine gets a node: its storm and its index. Allocated by
 * the parent, freed by the child. */
struct node {
	struct storm *s;
	int idx;
	int depth;
};

static void go_node(struct storm *s, void (*fn)(void *), int depth)
{
	struct node *n = malloc(sizeof *n);
	if (!n)
		soak_fail("out of memory spawning");
	int idx = atomic_fetch_add(&s->next, 1);
	if (idx >= s->ran.len)
		soak_fail("spawn: index %d past the storm's %d", idx, s->ran.len);
	*n = (struct node){s, idx, depth};
	sl_waitgroup_add(&s->wg, 1);
	soak_add(&soak_spawned, 1);
	sl_go(fn, n);
}

static void leaf(void *arg)
{
	struct node *n = arg;
	tally_hit(&n->s->ran, n->idx);
	sl_waitgroup_done(&n->s->wg);
	free(n);
}

static void tree(void *arg)
{
	struct node *n = arg;
	tally_hit(&n->s->ran, n->idx);
	if (n->depth > 0) {
		go_node(n->s, tree, n->depth - 1);
		go_node(n->s, tree, n->depth - 1);
	}
	sl_waitgroup_done(&n->s->wg);
	free(n);
}

static void chain(void *arg)
{
	struct node *n = arg;
	tally_hit(&n->s->ran, n->idx);
	if (n->depth > 0)
		go_node(n->s, chain, n->depth - 1);
	sl_waitgroup_done(&n->s->wg);
	free(n);
}

static void spawner(void *arg)
{
	struct node *n = arg;
	tally_hit(&n->s->ran, n->idx);
	for (int i = 0; i < n->s->per_spawner; i++) {
		go_node(n->s, leaf, 0);
		if (i % 16 == 0)
			sl_yield();
	}
	sl_waitgroup_done(&n->s->wg);
	free(n);
}

/* A thread that is not a goroutine: the WaitGroup was added to by the
 * goroutine that started it (sl_waitgroup_add needs a goroutine). */
struct foreign {
	struct storm *s;
	int n;
	int first;
};
static void *foreign_thread(void *arg)
{
	struct foreign *f = arg;
	for (int i = 0; i < f->n; i++) {
		struct node *n = malloc(sizeof *n);
		if (!n)
			soak_fail("out of memory spawning");
		*n = (struct node){f->s, f->first + i, 0};
		soak_add(&soak_spawned, 1);
		sl_go(leaf, n);
	}
	return NULL;
}

void w_spawn(uint64_t round)
{
	uint64_t r = rng_seed(round, 1);
	struct storm s = {.wg = SL_WAITGROUP_INIT};
	s.depth = (int)rng_range(&r, 3, 10); /* tree: 2^(depth+1)-1 goroutines */
	s.chain = (int)rng_range(&r, 50, 1000);
	int spawners = (int)rng_range(&r, 2, 16);
	s.per_spawner = (int)rng_range(&r, 10, 200);
	int nforeign = rng_range(&r, 0, 3) == 0 ? (int)rng_range(&r, 1, 200) : 0;
	int total = (2 << s.depth) - 1 + s.chain + 1 + spawners * (1 + s.per_spawner) + nforeign;
	tally_init(&s.ran, total);

	go_node(&s, tree, s.depth);
	go_node(&s, chain, s.chain);
	for (int i = 0; i < spawners; i++) {
		go_node(&s, spawner, 0);
	}
	pthread_t th;
	struct foreign f = {&s, nforeign, 0};
	if (nforeign) {
		f.first = atomic_fetch_add(&s.next, nforeign);
		sl_waitgroup_add(&s.wg, nforeign);
		if (pthread_create(&th, NULL, foreign_thread, &f) != 0)
			soak_fail("spawn: pthread_create failed");
	}
	sl_waitgroup_wait(&s.wg);
	if (nforeign) {
		/* The thread may still be returning from its last sl_go. */
		sl_syscall_begin();
		pthread_join(th, NULL);
		sl_syscall_end();
	}
	if (atomic_load(&s.next) != total)
		soak_fail("spawn round %llu: %d goroutines started, want %d",
			  (unsigned long long)round, atomic_load(&s.next), total);
	tally_check(&s.ran, NULL, "goroutine of spawn", round);
	tally_free(&s.ran);
}
