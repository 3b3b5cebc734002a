/*
 * errors.c: sl_strerror, the text of the API's error codes (the SL_E* of
 * schedlab_chan.h), as strerror is for errno. Each text starts with the
 * code's name, so that a message names what a caller can look up.
 */
#include <schedlab.h>

#include <stdio.h>

const char *sl_strerror(int code)
{
	switch (code) {
	case 0:
		return "no error";
	case SL_ECLOSED:
		return "SL_ECLOSED: send on a closed channel, or close of a closed channel";
	case SL_EAGAIN:
		return "SL_EAGAIN: the operation would block";
	case SL_EFREED:
		return "SL_EFREED: channel used after sl_chan_free";
	case SL_EBUSY:
		return "SL_EBUSY: sl_chan_free of a channel that goroutines are blocked on";
	case SL_ENOTGOROUTINE:
		return "SL_ENOTGOROUTINE: blocking call from a thread that is not a goroutine";
	case SL_EINVAL:
		return "SL_EINVAL: invalid argument";
	}
	/* Per thread, as glibc's strerror does for unknown errno values: a
	 * caller on another thread cannot overwrite it. */
	static __thread char unknown[48];
	snprintf(unknown, sizeof unknown, "unknown schedlab error %d", code);
	return unknown;
}
