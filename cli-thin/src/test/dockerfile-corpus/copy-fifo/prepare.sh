mkfifo f/pipe
