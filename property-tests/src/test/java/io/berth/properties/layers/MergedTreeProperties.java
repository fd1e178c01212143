package io.berth.properties.layers;

import io.berth.plugin.overlayfs.OverlayfsDriver;
import io.berth.spi.Digests;
import io.berth.spi.storage.ChainIds;
import io.berth.spi.tck.FileTree;
import io.berth.spi.tck.LayerTar;
import io.berth.spi.tck.Mounts;
import io.berth.spi.tck.TestPluginContext;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Layers of random file trees, unpacked by the overlayfs driver and mounted, show exactly the tree
 * a plain in-memory model of OCI layer semantics predicts.
 *
 * <p>Each try builds 1–4 layers from random operations — add a file, directory, symbolic link or
 * hard link, delete a path (an OCI whiteout), make a directory opaque — written as real layer tars
 * with the conformance kit's {@link LayerTar}. The model applies the same operations to a map of
 * paths. The driver applies the tars, mounts the top chain on real overlayfs, and the mounted tree
 * (types, modes with setuid/setgid/sticky, owners, contents, link targets) must equal the model;
 * names the model says are one file (hard links) must be one inode in the mount.
 *
 * <p>Operations pick their targets by index into what exists at that moment, so every generated
 * sequence is valid and shrinking keeps it valid. Within one layer a path is touched once: OCI
 * leaves "delete and re-create in the same layer" to each implementation.
 */
class MergedTreeProperties {

    // ------------------------------------------------------------------ the model

    sealed interface Node permits Dir, File, Link {
    }

    record Dir(int mode) implements Node {
    }

    record File(int mode, int owner, String content, int group) implements Node {
    }

    record Link(String target) implements Node {
    }

    // ------------------------------------------------------------------ operations

    sealed interface Op permits AddFile, AddDir, AddLink, AddHardLink, Delete, Opaque {
    }

    record AddFile(int dir, String name, int mode, int owner, String content) implements Op {
    }

    record AddDir(int dir, String name, int mode) implements Op {
    }

    record AddLink(int dir, String name, String target) implements Op {
    }

    record AddHardLink(int file, int dir, String name) implements Op {
    }

    record Delete(int path) implements Op {
    }

    record Opaque(int dir) implements Op {
    }

    @Provide
    Arbitrary<List<List<Op>>> layers() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 1000);
        Arbitrary<String> name = Arbitraries.oneOf(
                Arbitraries.strings().withChars("abc").ofMinLength(1).ofMaxLength(2),
                Arbitraries.of("x y", ".hidden", "-dash", "a.b", "n".repeat(120)));
        Arbitrary<Integer> fileMode = Arbitraries.of(0644, 0755, 0600, 0444, 04755, 02755, 0700);
        Arbitrary<Integer> dirMode = Arbitraries.of(0755, 0700, 01777, 0555, 02775);
        Arbitrary<Integer> owner = Arbitraries.of(0, 1000, 65534);
        Arbitrary<String> content = Arbitraries.strings().alpha().ofMaxLength(40);
        Arbitrary<String> target = Arbitraries.of("a", "../x", "/etc/passwd", "b/c", "", ".", "missing/");
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Combinators.combine(pick, name, fileMode, owner, content).as(AddFile::new)),
                net.jqwik.api.Tuple.of(3, Combinators.combine(pick, name, dirMode).as(AddDir::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(pick, name, target.filter(t -> !t.isEmpty())).as(AddLink::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(pick, pick, name).as(AddHardLink::new)),
                net.jqwik.api.Tuple.of(3, pick.map(Delete::new)),
                net.jqwik.api.Tuple.of(2, pick.map(Opaque::new)));
        // Uniform sizes: jqwik's default favours short lists, and one-layer images exercise no whiteout.
        return op.list().ofMinSize(1).ofMaxSize(12).withSizeDistribution(RandomDistribution.uniform())
                .list().ofMinSize(1).ofMaxSize(4).withSizeDistribution(RandomDistribution.uniform());
    }

    @Property(tries = 50)
    void layersOfRandomTreesMountToTheTreeTheModelPredicts(@ForAll("layers") List<List<Op>> layers) throws Exception {
        net.jqwik.api.statistics.Statistics.label("layers").collect(layers.size());
        for (List<Op> ops : layers) {
            for (Op op : ops) {
                net.jqwik.api.statistics.Statistics.label("operations").collect(op.getClass().getSimpleName());
            }
        }
        Path temp = Files.createTempDirectory("berth-layers-");
        try {
            OverlayfsDriver driver = new OverlayfsDriver();
            driver.initialize(TestPluginContext.in(temp, "store-overlayfs", Map.of()));
            Model model = new Model();
            String chain = null;
            for (List<Op> ops : layers) {
                LayerTar tar = model.layer(ops);
                String next = ChainIds.next(chain, tar.diffId());
                driver.applyLayer(next, chain, tar.stream());
                chain = next;
            }
            driver.prepare("view", chain);
            try {
                Path root = driver.mount("view").target();
                assertEquals(model.describe(), FileTree.of(root), "the mounted tree differs from the model for layers " + layers);
                for (List<String> names : model.hardLinkGroups()) {
                    Object ino = Files.getAttribute(root.resolve(names.get(0)), "unix:ino");
                    for (String n : names) {
                        assertEquals(ino, Files.getAttribute(root.resolve(n), "unix:ino"), "hard links " + names + " must be one file");
                    }
                }
            } finally {
                driver.removeSnapshot("view");
            }
        } finally {
            Mounts.detachAll(temp);
            deleteTree(temp);
        }
    }

    /** The merged tree as OCI layer semantics define it, and the layer tars that produce it. */
    static final class Model {
        private final TreeMap<String, Node> tree = new TreeMap<>();
        private int groups;

        LayerTar layer(List<Op> ops) {
            LayerTar tar = LayerTar.create();
            Set<String> touched = new HashSet<>();
            Set<String> filesHere = new HashSet<>();
            for (Op op : ops) {
                switch (op) {
                    case AddFile f -> {
                        String path = place(f.dir(), f.name(), touched);
                        if (path != null) {
                            parents(path, tar, touched);
                            removeSubtree(path);
                            tar.owner(f.owner(), f.owner()).file(path, f.mode(), f.content()).owner(0, 0);
                            tree.put(path, new File(f.mode(), f.owner(), f.content(), -1));
                            touched.add(path);
                            filesHere.add(path);
                        }
                    }
                    case AddDir d -> {
                        String path = place(d.dir(), d.name(), touched);
                        if (path != null) {
                            parents(path, tar, touched);
                            if (!(tree.get(path) instanceof Dir)) {
                                removeSubtree(path);
                            }
                            tar.dir(path, d.mode());
                            tree.put(path, new Dir(d.mode()));
                            touched.add(path);
                        }
                    }
                    case AddLink l -> {
                        String path = place(l.dir(), l.name(), touched);
                        if (path != null) {
                            parents(path, tar, touched);
                            removeSubtree(path);
                            tar.symlink(path, l.target());
                            tree.put(path, new Link(l.target()));
                            touched.add(path);
                        }
                    }
                    case AddHardLink h -> {
                        List<String> files = filesHere.stream().filter(p -> tree.get(p) instanceof File).sorted().toList();
                        if (files.isEmpty()) {
                            continue;
                        }
                        String target = files.get(h.file() % files.size());
                        String path = place(h.dir(), h.name(), touched);
                        if (path != null && !path.equals(target)) {
                            parents(path, tar, touched);
                            removeSubtree(path);
                            File t = (File) tree.get(target);
                            int group = t.group() >= 0 ? t.group() : groups++;
                            tree.put(target, new File(t.mode(), t.owner(), t.content(), group));
                            tar.hardlink(path, target);
                            tree.put(path, new File(t.mode(), t.owner(), t.content(), group));
                            touched.add(path);
                            filesHere.add(path);
                        }
                    }
                    case Delete d -> {
                        List<String> candidates = tree.keySet().stream()
                                .filter(p -> touched.stream().noneMatch(t -> t.equals(p) || t.startsWith(p + "/")))
                                .toList();
                        if (candidates.isEmpty()) {
                            continue;
                        }
                        String path = candidates.get(d.path() % candidates.size());
                        parents(path, tar, touched);
                        tar.whiteout(path);
                        removeSubtree(path);
                        touched.add(path);
                    }
                    case Opaque o -> {
                        List<String> dirs = tree.entrySet().stream().filter(e -> e.getValue() instanceof Dir).map(Map.Entry::getKey)
                                .filter(p -> touched.stream().noneMatch(t -> t.startsWith(p + "/")))
                                .toList();
                        if (dirs.isEmpty()) {
                            continue;
                        }
                        String dir = dirs.get(o.dir() % dirs.size());
                        parents(dir, tar, touched);
                        if (touched.add(dir)) {
                            tar.dir(dir, ((Dir) tree.get(dir)).mode());
                        }
                        tar.opaque(dir);
                        tree.keySet().removeIf(p -> p.startsWith(dir + "/"));
                    }
                }
            }
            return tar;
        }

        /** A path for a new entry in the picked directory, or {@code null} if that name is taken in this layer. */
        private String place(int dirPick, String name, Set<String> touched) {
            List<String> dirs = new ArrayList<>();
            dirs.add("");
            tree.forEach((p, n) -> {
                if (n instanceof Dir) {
                    dirs.add(p);
                }
            });
            String dir = dirs.get(dirPick % dirs.size());
            String path = dir.isEmpty() ? name : dir + "/" + name;
            if (touched.contains(path) || touched.stream().anyMatch(t -> t.startsWith(path + "/"))) {
                return null;
            }
            return path;
        }

        /** Writes the directories above a path into the layer, with the modes the model has for them. */
        private void parents(String path, LayerTar tar, Set<String> touched) {
            int slash = -1;
            while ((slash = path.indexOf('/', slash + 1)) > 0) {
                String dir = path.substring(0, slash);
                if (touched.add(dir)) {
                    tar.dir(dir, ((Dir) tree.get(dir)).mode());
                }
            }
        }

        private void removeSubtree(String path) {
            tree.remove(path);
            tree.keySet().removeIf(p -> p.startsWith(path + "/"));
        }

        /** The model in {@link FileTree}'s words. */
        SortedMap<String, String> describe() {
            SortedMap<String, String> out = new TreeMap<>();
            tree.forEach((p, n) -> out.put(p, switch (n) {
                case Dir d -> "d " + String.format("%04o", d.mode()) + " 0:0";
                case File f -> "f " + String.format("%04o", f.mode()) + " " + f.owner() + ":" + f.owner() + " "
                        + Digests.sha256(f.content().getBytes(StandardCharsets.UTF_8));
                case Link l -> "l 0:0 -> " + l.target();
            }));
            return out;
        }

        /** Paths that the model says are one file, per file with more than one name. */
        List<List<String>> hardLinkGroups() {
            Map<Integer, List<String>> byGroup = new HashMap<>();
            tree.forEach((p, n) -> {
                if (n instanceof File f && f.group() >= 0) {
                    byGroup.computeIfAbsent(f.group(), g -> new ArrayList<>()).add(p);
                }
            });
            return byGroup.values().stream().filter(l -> l.size() > 1).toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
