package io.berth.eventlog;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link DamagedTailTest}: appends batches to the log in {@code args[0]} until
 * it is killed, printing the last sequence of each batch it got back, so the parent knows what was
 * acknowledged before the kill.
 */
public final class CrashingWriter {
    private CrashingWriter() {}

    public static void main(String[] args) {
        boolean sync = Boolean.parseBoolean(args[1]);
        ChronicleEventLog log = ChronicleEventLog.open(Path.of(args[0]), ChronicleEventLog.Options.defaults().withSync(sync), new EventCodec());
        for (int i = 0; ; i += 10) {
            long last = log.append(TestEvents.batch(i, 10)).getLast().sequence();
            System.out.println(last);
            System.out.flush();
        }
    }
}
