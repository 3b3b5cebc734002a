/* schedlab_chan.h: channels and select (being written, issue 3). */
#ifndef SCHEDLAB_CHAN_H
#define SCHEDLAB_CHAN_H
#endif
