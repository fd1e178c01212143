package io.berth.engine.daemon;

import io.berth.eventlog.kafka.KafkaMirrorConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a daemon runs. Each field says what fills it when the user leaves it out.
 *
 * @param root           data directory; {@code --root}, else {@code BERTH_ROOT}, else /var/lib/berth
 * @param socket         API socket; {@code -H unix://PATH}, else /run/berth/berth.sock
 * @param pidFile        pid file; {@code --pidfile}, else /run/berth/berth.pid
 * @param pluginDirs     where plugin jars are loaded from; {@code --plugins-dir} (repeatable), else the
 *                       installation's {@code plugins} directory and {@code <root>/plugins}
 * @param snapshotEvery  events between projection snapshots; {@code --snapshot-every}, else 10000
 * @param pluginOptions  per-plugin settings from the config file's {@code plugins} object
 * @param parallelDownloads layers downloaded at once by a pull; {@code --max-concurrent-downloads}, else 3
 * @param kafkaMirror    where the Kafka mirror sends events; {@code --kafka-bootstrap-servers}, {@code --kafka-topic},
 *                       {@code --kafka-properties} or the config file keys of the same names, else null: no mirror
 * @param addUrlMaxBytes the largest body a build's {@code ADD <url>} accepts; {@code --add-url-max-size}, else 1 GiB
 * @param addUrlTimeout  the time an {@code ADD <url>} download may take; {@code --add-url-timeout}, else 10 minutes
 */
public record DaemonOptions(Path root, Path socket, Path pidFile, List<Path> pluginDirs, long snapshotEvery,
                            Map<String, Map<String, String>> pluginOptions, int parallelDownloads,
                            KafkaMirrorConfig kafkaMirror, long addUrlMaxBytes, java.time.Duration addUrlTimeout) {
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/berth");
    public static final Path DEFAULT_SOCKET = Path.of("/run/berth/berth.sock");
    public static final Path DEFAULT_PID_FILE = Path.of("/run/berth/berth.pid");
    public static final long DEFAULT_SNAPSHOT_EVERY = 10_000;
    public static final int DEFAULT_PARALLEL_DOWNLOADS = 3;
    public static final long DEFAULT_ADD_URL_MAX_BYTES = 1L << 30;
    public static final java.time.Duration DEFAULT_ADD_URL_TIMEOUT = java.time.Duration.ofMinutes(10);

    public DaemonOptions {
        pluginDirs = List.copyOf(pluginDirs);
        pluginOptions = Map.copyOf(pluginOptions);
    }

    /** Without the Kafka mirror. */
    public DaemonOptions(Path root, Path socket, Path pidFile, List<Path> pluginDirs, long snapshotEvery,
                         Map<String, Map<String, String>> pluginOptions, int parallelDownloads) {
        this(root, socket, pidFile, pluginDirs, snapshotEvery, pluginOptions, parallelDownloads, null);
    }

    /** With the default bounds of {@code ADD <url>}. */
    public DaemonOptions(Path root, Path socket, Path pidFile, List<Path> pluginDirs, long snapshotEvery,
                         Map<String, Map<String, String>> pluginOptions, int parallelDownloads, KafkaMirrorConfig kafkaMirror) {
        this(root, socket, pidFile, pluginDirs, snapshotEvery, pluginOptions, parallelDownloads, kafkaMirror,
                DEFAULT_ADD_URL_MAX_BYTES, DEFAULT_ADD_URL_TIMEOUT);
    }

    public DaemonOptions withAddUrlLimits(long maxBytes, java.time.Duration timeout) {
        return new DaemonOptions(root, socket, pidFile, pluginDirs, snapshotEvery, pluginOptions, parallelDownloads, kafkaMirror,
                maxBytes, timeout);
    }

    public DaemonOptions withKafkaMirror(KafkaMirrorConfig mirror) {
        return new DaemonOptions(root, socket, pidFile, pluginDirs, snapshotEvery, pluginOptions, parallelDownloads, mirror,
                addUrlMaxBytes, addUrlTimeout);
    }

    public Path eventLogDirectory() {
        return root.resolve("events");
    }

    public Path snapshotDirectory() {
        return root.resolve("snapshots");
    }
}
