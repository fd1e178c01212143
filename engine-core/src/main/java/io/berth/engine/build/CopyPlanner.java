package io.berth.engine.build;

import io.berth.engine.build.dockerfile.Instruction;
import io.berth.engine.build.dockerfile.Location;
import io.berth.engine.container.ImageUsers;
import io.berth.engine.container.RootfsPaths;
import io.berth.engine.image.ImageService;
import io.berth.spi.Digests;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * COPY and ADD: resolves the sources (context, another stage, an image, a URL, a heredoc), hashes
 * them for the cache key, and copies them into the step's snapshot with Docker's rules: a
 * directory's contents are copied, not the directory; several sources need a destination ending
 * in {@code /}; a relative destination is under the working directory; files are owned by 0:0
 * unless {@code --chown}; ADD unpacks a local tar archive and downloads a URL (mode 0600).
 */
final class CopyPlanner {
    private final BuildExecution build;
    private final StageState state;
    private final Location location;
    private final boolean add;
    private final List<String> sourceWords;
    private final String destinationWord;
    private final List<Instruction.Flag> flags;
    private final List<Instruction.Heredoc> heredocs;
    private final String keyword;

    CopyPlanner(BuildExecution build, StageState state, Location location, boolean add, List<String> sources, String destination,
                List<Instruction.Flag> flags, List<Instruction.Heredoc> heredocs) {
        this.build = build;
        this.state = state;
        this.location = location;
        this.add = add;
        this.sourceWords = sources;
        this.destinationWord = destination;
        this.flags = flags;
        this.heredocs = heredocs;
        this.keyword = add ? "ADD" : "COPY";
    }

    /** One resolved source. */
    private record Source(Path path, String name, boolean directory, boolean archive, long mtimeMillis, Integer defaultMode,
                          String origin) {
    }

    void plan(BuildExecution.StepPlan plan, String nop) {
        String from = null;
        String chown = null;
        Integer chmod = null;
        String checksum = null;
        for (Instruction.Flag flag : flags) {
            String value = build.expandFlag(flag.value(), state, location);
            switch (flag.name()) {
                case "from" -> {
                    if (add) {
                        throw new BuildException("ADD does not take --from; use COPY --from");
                    }
                    from = value;
                }
                case "chown" -> chown = value;
                case "chmod" -> {
                    if (!value.matches("[0-7]{3,4}")) {
                        throw new BuildException(keyword + " --chmod=" + value + ": not an octal mode");
                    }
                    chmod = Integer.parseInt(value, 8);
                }
                case "checksum" -> {
                    if (!add) {
                        throw new BuildException("COPY does not take --checksum");
                    }
                    checksum = value;
                }
                case "link" -> { } // layers are independent here anyway
                default -> throw new BuildException(keyword + " --" + flag.name() + " is not supported by this builder");
            }
        }
        String dest = build.expandFlag(destinationWord, state, location);
        if (dest.isEmpty()) {
            throw new BuildException(keyword + " needs a destination");
        }
        boolean destIsDir = dest.endsWith("/") || dest.equals(".") || dest.endsWith("/.");
        if (!dest.startsWith("/")) {
            dest = (state.workingDir.isEmpty() ? "/" : state.workingDir) + "/" + dest;
        }
        String destination = BuildExecution.clean(dest);

        Path tree = build.contextRoot();
        String origin = "context";
        if (from != null) {
            Integer stage = build.stageFor(from, location);
            String chain;
            if (stage != null) {
                chain = build.finishedStage(stage).topChainId();
                origin = "stage " + from;
            } else {
                build.flushPending(); // a pull appends its own events
                ImageService.Image image = build.service().baseImage(from, build.out(), build.context(), location, true);
                chain = image.description().layers().isEmpty() ? null : image.description().layers().getLast().chainId();
                origin = "image " + image.id();
            }
            tree = chain == null ? emptyDir() : build.runner().view(chain);
        }

        List<Source> sources = new ArrayList<>();
        for (String word : sourceWords) {
            Instruction.Heredoc heredoc = heredocFor(word);
            if (heredoc != null) {
                sources.add(heredocSource(heredoc));
                continue;
            }
            String src = build.expandFlag(word, state, location);
            if (src.startsWith("http://") || src.startsWith("https://")) {
                if (!add) {
                    throw new BuildException("source can't be a URL for COPY: " + src);
                }
                sources.add(download(src, checksum));
                continue;
            }
            if (checksum != null) {
                throw new BuildException("checksum can't be specified for non-HTTP(S) sources: " + src);
            }
            String clean = BuildContext.cleanSource(src);
            List<String> matches;
            if (BuildContext.hasWildcard(clean)) {
                try {
                    matches = BuildContext.glob(tree, clean);
                } catch (IOException e) {
                    throw new BuildException(keyword + " failed: " + e.getMessage());
                }
                if (matches.isEmpty()) {
                    throw new BuildException(keyword + " failed: no source files were specified" + (from == null ? "" : " in " + origin)
                            + " (pattern " + src + " matched nothing)");
                }
            } else {
                matches = List.of(clean);
            }
            for (String match : matches) {
                Path host;
                try {
                    host = match.isEmpty() ? tree : RootfsPaths.resolve(tree, "/" + match);
                } catch (IOException e) {
                    throw new BuildException(keyword + " failed: " + src + ": " + e.getMessage());
                }
                if (!Files.exists(host)) {
                    throw new BuildException(keyword + " failed: file not found in " + (from == null
                            ? "build context or excluded by .dockerignore" : origin) + ": stat " + src + ": file does not exist");
                }
                boolean dir = Files.isDirectory(host);
                String name = match.isEmpty() ? "" : match.substring(match.lastIndexOf('/') + 1);
                sources.add(new Source(host, name, dir, add && !dir && isArchive(host), -1, null, origin + ":" + match));
            }
        }
        if (sources.size() > 1 && !destIsDir) {
            throw new BuildException("When using " + keyword + " with more than one source file, the destination must be a directory and end with a /");
        }

        Map<String, String> digests = new TreeMap<>();
        for (Source s : sources) {
            hashInto(s, digests);
        }
        StringBuilder text = new StringBuilder(keyword);
        if (from != null) {
            text.append(" --from=").append(from);
        }
        if (chown != null) {
            text.append(" --chown=").append(chown);
        }
        if (chmod != null) {
            text.append(" --chmod=").append(Integer.toOctalString(chmod));
        }
        for (Source s : sources) {
            text.append(' ').append(s.origin());
        }
        text.append(' ').append(destination).append(destIsDir ? "/" : "");
        plan.text = text.toString();
        plan.sources = digests;
        String sourcesDigest = Digests.hex(Digests.sha256(digests.toString().getBytes(StandardCharsets.UTF_8)));
        plan.createdBy = nop + keyword + " " + (sources.size() == 1 && !sources.getFirst().directory() ? "file:" : "dir:")
                + sourcesDigest + " in " + destination + (destIsDir ? "/" : "") + " ";
        final String chownSpec = chown;
        final Integer mode = chmod;
        final boolean intoDir = destIsDir;
        plan.layerMaker = (s, step) -> build.runner().inSnapshot(s, step, rootfs -> {
            int uid = 0;
            int gid = 0;
            if (chownSpec != null) {
                int[] ids = owner(rootfs, chownSpec);
                uid = ids[0];
                gid = ids[1];
            }
            for (Source source : sources) {
                copyInto(rootfs, source, destination, intoDir, uid, gid, chownSpec != null, mode);
            }
        });
    }

    private Instruction.Heredoc heredocFor(String word) {
        if (!word.startsWith("<<")) {
            return null;
        }
        String name = word.substring(2).replaceFirst("^-", "").replace("\"", "").replace("'", "");
        for (Instruction.Heredoc h : heredocs) {
            if (h.name().equals(name)) {
                return h;
            }
        }
        return null;
    }

    private Source heredocSource(Instruction.Heredoc heredoc) {
        try {
            String content = heredoc.expand() ? build.expandHeredoc(heredoc.content(), state, location) : heredoc.content();
            Path dir = build.scratch().resolve("heredoc-" + System.nanoTime());
            Files.createDirectories(dir);
            Path file = dir.resolve(heredoc.name());
            Files.writeString(file, content);
            return new Source(file, heredoc.name(), false, false, 0, 0644, "heredoc:" + heredoc.name());
        } catch (IOException e) {
            throw new BuildException(keyword + " failed: heredoc " + heredoc.name() + ": " + e.getMessage());
        }
    }

    private Path emptyDir() {
        try {
            Path dir = build.scratch().resolve("empty-" + System.nanoTime());
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new BuildException(e.getMessage());
        }
    }

    /** ADD of a URL: downloaded within the daemon's bounds ({@link UrlDownload}), checked against {@code --checksum}, mode 0600, time from Last-Modified. */
    private Source download(String url, String checksum) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new BuildException("ADD failed: invalid URL " + url);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty()) {
            name = "__unnamed__";
        }
        try {
            Path dir = build.scratch().resolve("download-" + System.nanoTime());
            Files.createDirectories(dir);
            Path file = dir.resolve(name);
            MessageDigest sha = Digests.newSha256();
            UrlDownload.Result response = UrlDownload.fetch(url, file, sha, build.service().addUrlLimits());
            String actual = Digests.sha256(sha);
            if (checksum != null && !checksum.equals(actual)) {
                throw new BuildException("ADD failed: " + url + ": checksum mismatch: expected " + checksum + ", got " + actual);
            }
            long mtime = response.lastModified().map(v -> {
                try {
                    return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                } catch (RuntimeException e) {
                    return 0L;
                }
            }).orElse(0L);
            return new Source(file, name, false, false, mtime, 0600, "url:" + url);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new BuildException("ADD failed: cannot download " + url + ": " + why);
        }
    }

    private static boolean isArchive(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            byte[] head = in.readNBytes(512);
            if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                return true;
            }
            if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
                return true;
            }
            if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X' && head[4] == 'Z') {
                return true;
            }
            return head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        } catch (IOException e) {
            return false;
        }
    }

    /** Adds each file's content digest (and mode, link target) under the source's origin. */
    private void hashInto(Source source, Map<String, String> digests) {
        try {
            if (!source.directory()) {
                digests.put(source.origin(), contextFileDigest(source.path(), source.defaultMode()));
                return;
            }
            try (Stream<Path> walk = Files.walk(source.path())) {
                for (Path p : walk.sorted().toList()) {
                    String rel = source.path().relativize(p).toString();
                    String key = source.origin() + (rel.isEmpty() ? "/" : "/" + rel);
                    if (Files.isSymbolicLink(p)) {
                        digests.put(key, "symlink:" + Files.readSymbolicLink(p));
                    } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        digests.put(key, "dir:" + Integer.toOctalString(mode(p)));
                    } else {
                        digests.put(key, contextFileDigest(p, null));
                    }
                }
            }
        } catch (IOException e) {
            throw new BuildException("cannot read source " + source.origin() + ": " + e.getMessage());
        }
    }

    /** A file's digest, remembered for files of the (never changing) unpacked context. */
    private String contextFileDigest(Path file, Integer defaultMode) throws IOException {
        if (!file.startsWith(build.contextRoot())) {
            return fileDigest(file, defaultMode);
        }
        String memo = file + "\0" + defaultMode;
        String known = build.contextDigests().get(memo);
        if (known == null) {
            known = fileDigest(file, defaultMode);
            build.contextDigests().put(memo, known);
        }
        return known;
    }

    private static String fileDigest(Path file, Integer defaultMode) throws IOException {
        MessageDigest sha = Digests.newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return Digests.sha256(sha) + " " + Integer.toOctalString(defaultMode != null ? defaultMode : mode(file));
    }

    private static int mode(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
    }

    /** {@code --chown=user[:group]}: names looked up in the image's /etc/passwd and /etc/group; a user alone sets both ids. */
    private int[] owner(Path rootfs, String spec) throws IOException {
        String user = spec;
        String group = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            user = spec.substring(0, colon);
            group = spec.substring(colon + 1);
        }
        try {
            ImageUsers.Identity u = ImageUsers.resolve(rootfs, user);
            int uid = u.uid();
            int gid = uid;
            if (group != null && !group.isEmpty()) {
                gid = ImageUsers.resolve(rootfs, "0:" + group).gid();
            } else if (!user.matches("[0-9]+")) {
                gid = u.gid();
            }
            return new int[]{uid, gid};
        } catch (IllegalArgumentException e) {
            throw new BuildException("unable to convert uid/gid chown string to host mapping: " + e.getMessage());
        }
    }

    private void copyInto(Path rootfs, Source source, String destination, boolean intoDir, int uid, int gid, boolean chown,
                          Integer chmod) throws IOException {
        if (source.directory()) {
            Path target = mkdirs(rootfs, destination);
            copyTree(rootfs, source.path(), destination, uid, gid, chmod);
            if (!Files.isDirectory(target)) {
                throw new BuildException(keyword + " failed: cannot copy a directory to " + destination + ": it is not a directory");
            }
            return;
        }
        if (source.archive()) {
            mkdirs(rootfs, destination);
            extract(rootfs, source.path(), destination, chown ? uid : -1, chown ? gid : -1);
            return;
        }
        String target = destination;
        if (intoDir || Files.isDirectory(RootfsPaths.resolve(rootfs, destination))) {
            target = destination.equals("/") ? "/" + source.name() : destination + "/" + source.name();
        }
        int parentEnd = target.lastIndexOf('/');
        mkdirs(rootfs, parentEnd <= 0 ? "/" : target.substring(0, parentEnd));
        Path host = RootfsPaths.resolve(rootfs, target);
        if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildException(keyword + " failed: cannot overwrite directory " + target + " with a file");
        }
        Files.deleteIfExists(host);
        Files.copy(source.path(), host);
        int mode = chmod != null ? chmod : source.defaultMode() != null ? source.defaultMode() : mode(source.path());
        finish(host, mode, uid, gid, source.mtimeMillis() >= 0 ? source.mtimeMillis() : Files.getLastModifiedTime(source.path()).toMillis());
    }

    private void copyTree(Path rootfs, Path from, String destination, int uid, int gid, Integer chmod) throws IOException {
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(from)) {
            entries = walk.sorted().toList();
        }
        List<Path> dirs = new ArrayList<>();
        for (Path p : entries) {
            if (p.equals(from)) {
                continue;
            }
            String rel = from.relativize(p).toString();
            String inContainer = destination.equals("/") ? "/" + rel : destination + "/" + rel;
            Path host = RootfsPaths.resolve(rootfs, inContainer);
            if (Files.isSymbolicLink(p)) {
                Files.deleteIfExists(host);
                Files.createSymbolicLink(host, Files.readSymbolicLink(p));
                Files.setAttribute(host, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(host, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                Files.getFileAttributeView(host, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS), null, null);
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(host)) {
                    Files.deleteIfExists(host);
                    Files.createDirectory(host);
                }
                dirs.add(p);
                finish(host, chmod != null ? chmod : mode(p), uid, gid, Files.getLastModifiedTime(p).toMillis());
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BuildException(keyword + " failed: cannot overwrite directory " + inContainer + " with a file");
                }
                Files.deleteIfExists(host);
                Files.copy(p, host);
                finish(host, chmod != null ? chmod : mode(p), uid, gid, Files.getLastModifiedTime(p).toMillis());
            }
        }
        // a directory's time is set again after its entries were written into it
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Path p = dirs.get(i);
            String rel = from.relativize(p).toString();
            Path host = RootfsPaths.resolve(rootfs, destination.equals("/") ? "/" + rel : destination + "/" + rel);
            Files.setLastModifiedTime(host, Files.getLastModifiedTime(p));
        }
    }

    /** Unpacks a local archive (tar, optionally gzip/bzip2/xz) into a directory of the rootfs. */
    private void extract(Path rootfs, Path archive, String destination, int uid, int gid) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
            InputStream in = raw;
            raw.mark(16);
            try {
                String type = CompressorStreamFactory.detect(raw);
                in = new CompressorStreamFactory().createCompressorInputStream(type, raw);
            } catch (CompressorException e) {
                raw.reset(); // not compressed: a plain tar
            }
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name;
                try {
                    name = BuildContext.cleanSource(entry.getName());
                } catch (BuildException e) {
                    throw new BuildException("ADD failed: archive " + archive.getFileName() + ": entry " + entry.getName() + " leaves the destination");
                }
                if (name.isEmpty()) {
                    continue;
                }
                String inContainer = destination.equals("/") ? "/" + name : destination + "/" + name;
                int slash = inContainer.lastIndexOf('/');
                mkdirs(rootfs, slash <= 0 ? "/" : inContainer.substring(0, slash));
                Path host = RootfsPaths.resolve(rootfs, inContainer);
                int owner = uid >= 0 ? uid : (int) entry.getLongUserId();
                int group = gid >= 0 ? gid : (int) entry.getLongGroupId();
                if (entry.isDirectory()) {
                    if (!Files.isDirectory(host)) {
                        Files.deleteIfExists(host);
                        Files.createDirectory(host);
                    }
                    finish(host, entry.getMode() & 07777, owner, group, entry.getModTime().getTime());
                } else if (entry.isSymbolicLink()) {
                    Files.deleteIfExists(host);
                    Files.createSymbolicLink(host, Path.of(entry.getLinkName()));
                    Files.setAttribute(host, "unix:uid", owner, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(host, "unix:gid", group, LinkOption.NOFOLLOW_LINKS);
                } else if (entry.isLink()) {
                    String linkName = BuildContext.cleanSource(entry.getLinkName());
                    Path linked = RootfsPaths.resolve(rootfs, destination.equals("/") ? "/" + linkName : destination + "/" + linkName);
                    Files.deleteIfExists(host);
                    Files.createLink(host, linked);
                } else if (entry.isFile()) {
                    Files.deleteIfExists(host);
                    Files.copy(tar, host);
                    finish(host, entry.getMode() & 07777, owner, group, entry.getModTime().getTime());
                }
                // devices and fifos in an ADDed archive are skipped: the build runs unprivileged content
            }
        }
    }

    /** Creates the missing directories of a path in the rootfs (0755, root-owned, as Docker does). */
    private static Path mkdirs(Path rootfs, String containerPath) throws IOException {
        StringBuilder prefix = new StringBuilder();
        Path host = rootfs;
        for (String part : containerPath.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            prefix.append('/').append(part);
            host = RootfsPaths.resolve(rootfs, prefix.toString());
            if (!Files.exists(host)) {
                Files.createDirectory(host);
                Files.setAttribute(host, "unix:mode", 0755);
            } else if (!Files.isDirectory(host)) {
                throw new BuildException("cannot create directory " + prefix + ": a file is in the way");
            }
        }
        return host;
    }

    private static void finish(Path host, int mode, int uid, int gid, long mtimeMillis) throws IOException {
        Files.setAttribute(host, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(host, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(host, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        Files.setLastModifiedTime(host, FileTime.fromMillis(Math.max(0, mtimeMillis)));
    }
}
