/* schedlab_sync.h: mutex and WaitGroup (being written, issue 3). */
#ifndef SCHEDLAB_SYNC_H
#define SCHEDLAB_SYNC_H
#endif
