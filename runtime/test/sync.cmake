# mutex and WaitGroup tests (issue 3)
