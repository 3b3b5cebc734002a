# channel and select tests (issue 3)
