package io.berth.engine.container;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Notices container exits: the monitor (conmon) writes an exit file into one directory when a
 * container's process ends; an inotify watch on it wakes the check at once, and a periodic check
 * covers anything the watch missed.
 */
final class ExitWatcher implements AutoCloseable {
    private static final long FALLBACK_MILLIS = 1000;

    private final Path directory;
    private final Runnable check;
    private volatile boolean closed;
    private Thread thread;
    private WatchService watch;

    ExitWatcher(Path directory, Runnable check) {
        this.directory = directory;
        this.check = check;
    }

    synchronized void start() {
        if (thread != null) {
            return;
        }
        try {
            watch = FileSystems.getDefault().newWatchService();
            directory.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            watch = null; // polling alone still finds every exit
        }
        thread = Thread.ofPlatform().daemon().name("berth-exit-watcher").start(this::run);
    }

    private void run() {
        while (!closed) {
            try {
                if (watch != null) {
                    WatchKey key = watch.poll(FALLBACK_MILLIS, TimeUnit.MILLISECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                } else {
                    Thread.sleep(FALLBACK_MILLIS);
                }
                check.run();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                // closing
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
