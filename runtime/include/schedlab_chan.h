/*
 * schedlab_chan.h: channels and select, with Go's semantics (chan.go,
 * select.go). Included by schedlab.h.
 *
 * A channel carries fixed-size elements (elemsize bytes, copied with memcpy;
 * 0 is allowed) through a FIFO buffer of cap elements; cap 0 makes it
 * unbuffered: a send and a receive meet, and the value is copied straight
 * from the sender to the receiver.
 *
 * Errors are negative return values. Go panics where schedlab returns
 * SL_ECLOSED or SL_EINVAL; SL_EFREED reports use after sl_chan_free,
 * whatever the program allocated since, until 1024 more channels (of the
 * freed one's size class) have been freed: then its memory may be a new
 * channel's, which no check can tell apart, so do not build on it. All
 * functions are safe to call from any goroutine at once. Blocking
 * calls (sl_chan_send, sl_chan_recv, sl_select with block) need a goroutine;
 * other threads (a library host's own threads) may use the rest.
 */
#ifndef SCHEDLAB_CHAN_H
#define SCHEDLAB_CHAN_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Send on a closed channel (Go: panic), or close of a closed channel. In
 * sl_select, reported in the chosen send case's err. */
#define SL_ECLOSED (-1)
/* A try-operation, or a non-blocking select, would have to block. */
#define SL_EAGAIN (-2)
/* The channel was freed with sl_chan_free (see above for how long this is
 * known). */
#define SL_EFREED (-3)
/* sl_chan_free of a channel that goroutines are blocked on. */
#define SL_EBUSY (-4)
/* A blocking operation called from a thread that is not a goroutine. */
#define SL_ENOTGOROUTINE (-5)
/* A bad argument: close of a NULL channel (Go: panic), a NULL element to
 * send on a channel with elemsize > 0, a bad select case or case count. */
#define SL_EINVAL (-6)

typedef struct sl_chan sl_chan;

/*
 * A new channel of cap elements of elemsize bytes (Go's make(chan T, cap)).
 * elemsize must be below 65536 and elemsize * cap must fit in memory; if not,
 * or if memory runs out, NULL with a message on stderr.
 */
sl_chan *sl_chan_make(size_t elemsize, size_t cap);

/*
 * Copy elemsize bytes from elem into the channel, blocking until a receiver
 * takes them or there is room in the buffer. Returns 0; SL_ECLOSED if the
 * channel is or becomes closed (a sender blocked at close is woken with it);
 * SL_ENOTGOROUTINE, SL_EFREED, SL_EINVAL. A NULL channel blocks forever.
 */
int sl_chan_send(sl_chan *c, const void *elem);

/*
 * Receive one element into elem (NULL: discard it), blocking until there is
 * one. *ok (if ok is not NULL) is true for a value that was sent, false once
 * the channel is closed and its buffer drained, in which case elem is zeroed.
 * Returns 0 in both cases; SL_ENOTGOROUTINE, SL_EFREED. A NULL channel blocks
 * forever.
 */
int sl_chan_recv(sl_chan *c, void *elem, bool *ok);

/* sl_chan_send that never blocks: SL_EAGAIN where it would (a NULL channel
 * always would). Any thread. */
int sl_chan_trysend(sl_chan *c, const void *elem);

/* sl_chan_recv that never blocks: SL_EAGAIN where it would (a NULL channel
 * always would). Any thread. */
int sl_chan_tryrecv(sl_chan *c, void *elem, bool *ok);

/*
 * Close the channel (Go's close): no more sends; receivers get the buffered
 * elements, then zero values with ok false. Every blocked receiver and sender
 * is woken (senders with SL_ECLOSED). Returns 0; SL_ECLOSED if it was already
 * closed, SL_EINVAL for NULL, SL_EFREED. Any thread.
 */
int sl_chan_close(sl_chan *c);

/* Elements buffered now, and the buffer's capacity (Go's len and cap). 0 for
 * a NULL or freed channel. Any thread. */
size_t sl_chan_len(sl_chan *c);
size_t sl_chan_cap(sl_chan *c);

/*
 * Release the channel. Returns 0 (also for NULL); SL_EBUSY, leaving the
 * channel alone, while goroutines are blocked on it; SL_EFREED for a second
 * free. Buffered elements are dropped. The caller makes sure that nobody uses
 * the channel afterwards. Any thread.
 */
int sl_chan_free(sl_chan *c);

/* ---- select ---- */

#define SL_SELECT_SEND 1
#define SL_SELECT_RECV 2

/*
 * One case of a select. Fill in c, dir, elem and ok; sl_select writes err,
 * and for a receive *elem and *ok, only in the case it chooses.
 *   c     the channel; a NULL channel's case is never ready
 *   dir   SL_SELECT_SEND or SL_SELECT_RECV
 *   elem  send: the value to send (NULL only if elemsize is 0);
 *         receive: where the value goes (NULL: discard it)
 *   ok    receive: as in sl_chan_recv (may be NULL); send: unused
 *   err   0, or SL_ECLOSED when a send case proceeded because its channel
 *         was closed (Go would panic); nothing was sent
 */
typedef struct sl_select_case {
	sl_chan *c;
	int dir;
	void *elem;
	bool *ok;
	int err;
} sl_select_case;

/*
 * Go's select statement: wait until one of the cases can proceed, do it, and
 * return its index. When several are ready, one is chosen uniformly at random.
 * With block false, return SL_EAGAIN at once if none is ready (Go's default
 * case). ncases 0 with block waits forever, as does a blocking select whose
 * channels are all NULL. At most 65536 cases. Errors: SL_EINVAL (bad case or
 * count), SL_EFREED (a freed channel), SL_ENOTGOROUTINE (block from a thread
 * that is not a goroutine).
 */
int sl_select(sl_select_case *cases, int ncases, bool block);

#ifdef __cplusplus
}
#endif

#endif
