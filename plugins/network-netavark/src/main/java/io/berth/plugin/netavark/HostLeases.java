package io.berth.plugin.netavark;

import io.berth.spi.network.NetworkException;
import io.berth.spi.network.NetworkException.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The addresses every berth daemon on this host holds on one bridge, so that two daemons sharing a
 * bridge (the default {@code berth0}, whose subnet they share) never hand out the same address.
 *
 * <p>One file per bridge, {@code <directory>/<bridge>.leases}, a line per address:
 * {@code <address> <owner>}, where the owner is the absolute path of the attachment file the
 * holding driver keeps for it. A lease is alive while that file exists: a driver deletes the file
 * when it tears the attachment down, so a daemon whose data directory is gone (a removed test root)
 * leaves no lease that blocks an address. Every read and write holds an exclusive lock on the file
 * (between processes) and a lock of this class (between drivers in one JVM, which the file lock
 * does not separate).
 */
final class HostLeases {

    /** Where the lease files live unless the option {@code host-lease-directory} says otherwise. */
    static final String DEFAULT_DIRECTORY = "/run/berth/netavark-leases";

    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private final Path directory;

    HostLeases(Path directory) {
        this.directory = directory;
    }

    /** Chooses an address given those taken elsewhere and makes its owner file; may refuse. */
    @FunctionalInterface
    interface Reservation {
        /**
         * @param takenElsewhere the addresses other owners hold on the bridge
         * @return the chosen address, whose owner file now exists
         * @throws NetworkException when no address can be chosen
         */
        String reserve(Set<Integer> takenElsewhere) throws NetworkException;
    }

    private record Lease(int address, String owner) {
        String line() {
            return Ipv4.format(address) + " " + owner;
        }
    }

    /**
     * Under the lock: reads the live leases of {@code bridge}, lets {@code reservation} choose an
     * address not among those of other owners, and records it for {@code owner}.
     *
     * @return the address chosen
     */
    String lease(String bridge, Path owner, Reservation reservation) throws NetworkException {
        return locked(bridge, leases -> {
            String ownerText = owner.toAbsolutePath().toString();
            Set<Integer> taken = new TreeSet<>();
            leases.stream().filter(l -> !l.owner().equals(ownerText)).forEach(l -> taken.add(l.address()));
            String chosen = reservation.reserve(taken);
            leases.removeIf(l -> l.owner().equals(ownerText));
            leases.add(new Lease(Ipv4.parse(chosen), ownerText));
            return chosen;
        });
    }

    /** Records an address this driver holds already (after a restart, or from before leases existed). */
    void keep(String bridge, Path owner, String address) throws NetworkException {
        lease(bridge, owner, taken -> address);
    }

    /** Drops the lease of {@code owner}, with any whose owner file is gone. */
    void release(String bridge, Path owner) throws NetworkException {
        String ownerText = owner.toAbsolutePath().toString();
        locked(bridge, leases -> {
            leases.removeIf(l -> l.owner().equals(ownerText));
            return null;
        });
    }

    private interface Change<T> {
        T apply(List<Lease> leases) throws NetworkException;
    }

    private <T> T locked(String bridge, Change<T> change) throws NetworkException {
        Path file = directory.resolve(bridge + ".leases");
        IN_PROCESS.lock();
        try {
            Files.createDirectories(directory);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
                while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                    // reads the whole file
                }
                List<Lease> leases = new ArrayList<>();
                for (String line : new String(buffer.array(), StandardCharsets.UTF_8).split("\n")) {
                    int space = line.indexOf(' ');
                    if (space <= 0) {
                        continue;
                    }
                    String owner = line.substring(space + 1).strip();
                    try {
                        if (Files.exists(Path.of(owner))) {
                            leases.add(new Lease(Ipv4.parse(line.substring(0, space)), owner));
                        }
                    } catch (IllegalArgumentException malformed) {
                        // a line no driver wrote: dropped
                    }
                }
                T result = change.apply(leases);
                StringBuilder text = new StringBuilder();
                leases.forEach(l -> text.append(l.line()).append('\n'));
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)), 0);
                channel.force(false);
                return result;
            }
        } catch (NetworkException e) {
            throw e;
        } catch (IOException e) {
            throw new NetworkException(Reason.FAILED, "bridge " + bridge + ": cannot use the host's address leases " + file + ": " + e.getMessage(), e);
        } finally {
            IN_PROCESS.unlock();
        }
    }
}
