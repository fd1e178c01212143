package io.berth.engine.container;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for containers: until one is not running (stop's timeout, {@code wait}), for its next exit, or for
 * its removal — Docker's wait conditions. Woken by the exit supervisor at each exit and by removal.
 */
final class ContainerWaits {
    private final ContainerService containers;
    private final Map<String, CountDownLatch> exits = new ConcurrentHashMap<>();
    /** Exit codes of containers removed right after they exited ({@code --rm}), for a waiting client. */
    private final Map<String, Integer> lastExit = new ConcurrentHashMap<>();
    /** How many times each container's process ended (exited, or failed to start) since the daemon started. */
    private final Map<String, Integer> endings = new ConcurrentHashMap<>();
    /** Notified whenever a container exits or is removed, for {@code wait}'s conditions. */
    private final Object changes = new Object();
    /** Exits and removals so far; guarded by {@link #changes}. */
    private long changeCount;

    ContainerWaits(ContainerService containers) {
        this.containers = containers;
    }

    /** A start is about to run the container: its exit is waited for from now. */
    void expectExit(String id) {
        exits.put(id, new CountDownLatch(1));
    }

    /** Its exit with {@code code} was recorded: waiters learn of it at once. */
    void exited(String id, int code) {
        lastExit.put(id, code);
        CountDownLatch latch = exits.remove(id);
        if (latch != null) {
            latch.countDown();
        }
        ended(id);
    }

    /** Its process ended (exited, or its start failed). */
    void ended(String id) {
        endings.merge(id, 1, Integer::sum);
        notifyChanges();
    }

    /** It was removed. */
    void removed(String id) {
        endings.remove(id);
        notifyChanges();
    }

    private void notifyChanges() {
        synchronized (changes) {
            changeCount++;
            changes.notifyAll();
        }
    }

    /** How many exits and removals there were so far: what {@link #awaitChangeAfter} compares with. */
    long changeCount() {
        synchronized (changes) {
            return changeCount;
        }
    }

    /** Waits at most {@code millis} for an exit or removal after the {@code seen}-th one (returns at once if there was). */
    void awaitChangeAfter(long seen, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (changes) {
            long left;
            while (changeCount == seen && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
        }
    }

    /** Waits until the container is not running; true when it stopped within {@code timeout}. */
    boolean awaitExit(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ContainerState.ContainerRecord> now = containers.find(id);
            if (now.isEmpty() || !now.get().running()) {
                return true;
            }
            CountDownLatch latch = exits.computeIfAbsent(id, k -> new CountDownLatch(1));
            try {
                latch.await(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            containers.exits().checkExit(id);
        }
        return containers.find(id).map(c -> !c.running()).orElse(true);
    }

    /** Docker's wait conditions: {@code not-running} (the default), {@code next-exit}, {@code removed}. */
    static String waitCondition(String condition) {
        String c = condition == null || condition.isEmpty() ? "not-running" : condition;
        if (!c.equals("not-running") && !c.equals("next-exit") && !c.equals("removed")) {
            throw ContainerException.invalid("invalid condition: \"" + condition + "\": use not-running, next-exit or removed");
        }
        return c;
    }

    /**
     * Docker's wait: blocks until the condition holds and gives the container's exit code.
     * {@code not-running}: at once if it is not running, else at its exit; {@code next-exit}: at its
     * next exit, also for a container not started yet (Docker's CLI waits so before it starts one);
     * {@code removed}: once it is removed.
     */
    int await(String idOrName, String condition) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        String id = container.id();
        switch (waitCondition(condition)) {
            case "next-exit" -> {
                int before = endings.getOrDefault(id, 0);
                awaitChange(() -> endings.getOrDefault(id, 0) != before || containers.find(id).isEmpty());
            }
            case "removed" -> awaitChange(() -> containers.find(id).isEmpty());
            default -> {
                if (container.running()) {
                    awaitExit(id, Duration.ofDays(365));
                }
            }
        }
        // a removed container's last exit code, from its last ContainerExited event
        return containers.find(id).map(ContainerState.ContainerRecord::exitCode).orElseGet(() -> lastExit.getOrDefault(id, 0));
    }

    private void awaitChange(java.util.function.BooleanSupplier done) {
        synchronized (changes) {
            while (!done.getAsBoolean()) {
                try {
                    // notified on every exit and removal; the timeout only bounds a missed notification
                    changes.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Joins {@code thread}, keeping an interrupt for the caller. */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
