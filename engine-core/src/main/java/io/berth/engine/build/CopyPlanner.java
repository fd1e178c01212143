package io.berth.engine.build;

import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Location;
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
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import io.berth.spi.fs.SafeFile;
import io.berth.spi.fs.SafeFsException;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;

/**
 * Plans a COPY or ADD: reads its flags, resolves the sources (context, another stage, an image, a
 * URL downloaded with mode 0600, a Git repository, a heredoc) and hashes them for the cache key,
 * with Docker's rules on the destination (several sources need one ending in {@code /}; a relative
 * one is under the working directory). The copy itself is {@link CopyWriter}'s.
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

    StepPlan plan(String nop) {
        CopyFlags options = copyFlags();
        String dest = build.expandFlag(destinationWord, state, location);
        if (dest.isEmpty()) {
            throw new BuildException(keyword + " needs a destination");
        }
        boolean destIsDir = dest.endsWith("/") || dest.equals(".") || dest.endsWith("/.") || options.parents();
        if (!dest.startsWith("/")) {
            dest = (state.workingDir.isEmpty() ? "/" : state.workingDir) + "/" + dest;
        }
        String destination = BuildExecution.clean(dest);

        Path tree = build.contextRoot();
        String origin = "context";
        if (options.from() != null) {
            Integer stage = build.stageFor(options.from(), location);
            String chain;
            if (stage != null) {
                chain = build.finishedStage(stage).topChainId();
                origin = "stage " + options.from();
            } else {
                build.flushPending(); // a pull appends its own events
                ImageService.Image image = build.copyFromImage(options.from(), location);
                chain = image.description().layers().isEmpty() ? null : image.description().layers().getLast().chainId();
                origin = "image " + image.id();
            }
            tree = chain == null ? emptyDir() : build.runner().view(chain);
        }

        List<CopyWriter.Source> sources = new ArrayList<>();
        CopyFilters filters = new CopyFilters(options.excludePatterns());
        Map<CopyWriter.Source, String> parentDirs = new java.util.IdentityHashMap<>();
        for (String word : sourceWords) {
            Instruction.Heredoc heredoc = heredocFor(word);
            if (heredoc != null) {
                sources.add(heredocSource(heredoc));
                continue;
            }
            String src = build.expandFlag(word, state, location);
            if (add && GitSource.isGitUrl(src)) {
                build.flushPending();
                GitSource.Checkout checkout = GitSource.fetch(src, options.checksum(), options.keepGitDir(), build.scratch(),
                        build.request().secrets().sshSocket("default").orElse(null));
                GitSource.Ref ref = GitSource.parse(src);
                sources.add(new CopyWriter.Source(checkout.tree(), "", true, false, -1, null,
                        "git:" + ref.url() + "#" + checkout.commit() + (ref.subdir().isEmpty() ? "" : ":" + ref.subdir())
                                + (options.keepGitDir() ? " keep-git-dir" : "")));
                continue;
            }
            if (src.startsWith("http://") || src.startsWith("https://")) {
                if (!add) {
                    throw new BuildException("source can't be a URL for COPY: " + src);
                }
                sources.add(download(src, options.checksum()));
                continue;
            }
            if (options.checksum() != null) {
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
                    throw new BuildException(keyword + " failed: no source files were specified" + (options.from() == null ? "" : " in " + origin)
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
                    throw new BuildException(keyword + " failed: file not found in " + (options.from() == null
                            ? "build context or excluded by .dockerignore" : origin) + ": stat " + src + ": file does not exist");
                }
                boolean dir = Files.isDirectory(host);
                String name = match.isEmpty() ? "" : match.substring(match.lastIndexOf('/') + 1);
                if (filters.excludes(match)) {
                    continue; // COPY --exclude
                }
                if (dir && !filters.isEmpty()) {
                    try {
                        host = filters.filteredCopy(host, match, build.scratch());
                    } catch (IOException e) {
                        throw new BuildException(keyword + " failed: " + src + ": " + e.getMessage());
                    }
                }
                CopyWriter.Source found = new CopyWriter.Source(host, name, dir, add && !dir && isArchive(host), -1, null, origin + ":" + match);
                sources.add(found);
                if (options.parents()) {
                    parentDirs.put(found, CopyFilters.parentsOf(src, match, dir));
                }
            }
        }
        if (sources.size() > 1 && !destIsDir) {
            throw new BuildException("When using " + keyword + " with more than one source file, the destination must be a directory and end with a /");
        }

        Map<String, String> digests = new TreeMap<>();
        final Path sourceTree = tree;
        for (CopyWriter.Source s : sources) {
            hashInto(s, sourceTree, digests);
        }
        StringBuilder text = new StringBuilder(keyword);
        if (options.from() != null) {
            text.append(" --from=").append(options.from());
        }
        if (options.chown() != null) {
            text.append(" --chown=").append(options.chown());
        }
        if (options.chmod() != null) {
            text.append(" --chmod=").append(Integer.toOctalString(options.chmod()));
        }
        if (options.parents()) {
            text.append(" --parents");
        }
        options.excludePatterns().forEach(p -> text.append(" --exclude=").append(p));
        for (CopyWriter.Source s : sources) {
            text.append(' ').append(s.origin());
        }
        text.append(' ').append(destination).append(destIsDir ? "/" : "");
        String sourcesDigest = Digests.hex(Digests.sha256(digests.toString().getBytes(StandardCharsets.UTF_8)));
        String createdBy = nop + keyword + " " + (sources.size() == 1 && !sources.getFirst().directory() ? "file:" : "dir:")
                + sourcesDigest + " in " + destination + (destIsDir ? "/" : "") + " ";
        return new StepPlan(text.toString(), createdBy, Map.of(), digests, null, new StepPlan.LayerWork.Copy(
                new CopyWriter.Copy(keyword, List.copyOf(sources), sourceTree, parentDirs, destination, options.chown(), options.chmod(), destIsDir)));
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

    private CopyWriter.Source heredocSource(Instruction.Heredoc heredoc) {
        try {
            String content = heredoc.expand() ? build.expandHeredoc(heredoc.content(), state, location) : heredoc.content();
            Path dir = build.scratch().resolve("heredoc-" + System.nanoTime());
            Files.createDirectories(dir);
            Path file = dir.resolve(heredoc.name());
            Files.writeString(file, content);
            return new CopyWriter.Source(file, heredoc.name(), false, false, 0, 0644, "heredoc:" + heredoc.name());
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

    /** The instruction's flags, expanded and checked. */
    record CopyFlags(String from, String chown, Integer chmod, String checksum, boolean parents, boolean keepGitDir,
                     List<String> excludePatterns) {
    }

    private CopyFlags copyFlags() {
        Map<String, String> given = new java.util.HashMap<>(); // a repeated flag: the last one counts
        List<String> excludes = new ArrayList<>();
        for (Instruction.Flag flag : flags) {
            String value = build.expandFlag(flag.value(), state, location);
            switch (flag.name()) {
                case "exclude" -> excludes.add(value);
                case "from", "chown", "chmod", "checksum", "parents", "keep-git-dir" -> given.put(flag.name(), value);
                case "link" -> { } // layers are independent here anyway
                default -> throw new BuildException(keyword + " --" + flag.name() + " is not supported by this builder");
            }
        }
        if (add && given.containsKey("from")) {
            throw new BuildException("ADD does not take --from; use COPY --from");
        }
        if (!add && given.containsKey("checksum")) {
            throw new BuildException("COPY does not take --checksum");
        }
        String mode = given.get("chmod");
        if (mode != null && !mode.matches("[0-7]{3,4}")) {
            throw new BuildException(keyword + " --chmod=" + mode + ": not an octal mode");
        }
        return new CopyFlags(given.get("from"), given.get("chown"), mode == null ? null : Integer.parseInt(mode, 8),
                given.get("checksum"), isSet(given.get("parents")), isSet(given.get("keep-git-dir")), List.copyOf(excludes));
    }

    /** A boolean flag: given without a value, or with any value but {@code false}. */
    private static boolean isSet(String value) {
        return value != null && !value.equals("false");
    }

    /** ADD of a URL: downloaded within the daemon's bounds ({@link UrlDownload}), checked against {@code --checksum}, mode 0600, time from Last-Modified. */
    private CopyWriter.Source download(String url, String checksum) {
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
            return new CopyWriter.Source(file, name, false, false, mtime, 0600, "url:" + url);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new BuildException("ADD failed: cannot download " + url + ": " + why);
        }
    }

    /**
     * Whether ADD unpacks a local file, as Docker's builder decides: a tar, plain or compressed with
     * gzip, bzip2 or xz (Docker 20.10 does not unpack zstd), whose first tar header reads. A compressed
     * file that is not a tar inside (a {@code .gz} of a text file) is copied as it is.
     */
    private static boolean isArchive(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(8);
            byte[] magic = raw.readNBytes(6);
            raw.reset();
            InputStream in;
            if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
                in = new java.util.zip.GZIPInputStream(raw);
            } else if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
                in = new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(raw);
            } else if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'
                    && magic[4] == 'Z' && magic[5] == 0) {
                in = new org.apache.commons.compress.compressors.xz.XZCompressorInputStream(raw);
            } else {
                in = raw;
            }
            byte[] header = in.readNBytes(512);
            return header.length == 512 && tarChecksumMatches(header);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A tar header's checksum: the sum of its bytes with the checksum field read as spaces. */
    private static boolean tarChecksumMatches(byte[] header) {
        String field = new String(header, 148, 8, StandardCharsets.US_ASCII).replace("\0", " ").strip();
        if (field.isEmpty() || !field.matches("[0-7]+")) {
            return false;
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
        }
        return sum == Long.parseLong(field, 8);
    }

    /**
     * Adds each file's content digest (and mode, link target) under the source's origin. Contents
     * are read through {@link SafeRoot}, and only a regular file's: a device node or fifo is hashed
     * by its kind and numbers, never opened.
     */
    private void hashInto(CopyWriter.Source source, Path tree, Map<String, String> digests) {
        try (SafeRoot root = CopyWriter.sourceRoot(source, tree)) {
            String top = CopyWriter.relative(source, tree);
            if (!source.directory()) {
                digests.put(source.origin(), contextFileDigest(root, top, source.path(), source.defaultMode()));
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
                        digests.put(key, contextFileDigest(root, top.isEmpty() ? rel : top + "/" + rel, p, null));
                    }
                }
            }
        } catch (IOException e) {
            throw new BuildException("cannot read source " + source.origin() + ": " + e.getMessage());
        }
    }

    /** A file's digest, remembered for files of the (never changing) unpacked context. */
    private String contextFileDigest(SafeRoot root, String rel, Path file, Integer defaultMode) throws IOException {
        if (!file.startsWith(build.contextRoot())) {
            return fileDigest(root, rel, defaultMode);
        }
        String memo = file + "\0" + defaultMode;
        String known = build.contextDigests().get(memo);
        if (known == null) {
            known = fileDigest(root, rel, defaultMode);
            build.contextDigests().put(memo, known);
        }
        return known;
    }

    private static String fileDigest(SafeRoot root, String rel, Integer defaultMode) throws IOException {
        Sys.Stat st = root.lstat(rel);
        if (st == null) {
            throw new SafeFsException(SafeFsException.Reason.NOT_FOUND, SafeRoot.quote(rel) + ": does not exist");
        }
        int mode = defaultMode != null ? defaultMode : st.mode() & 07777;
        if (!st.isRegular()) {
            // a device node or fifo: copied as a node (or skipped), so its identity is what counts
            return "special:" + Integer.toOctalString(st.type()) + ":" + st.rdevMajor() + ":" + st.rdevMinor()
                    + " " + Integer.toOctalString(mode);
        }
        MessageDigest sha = Digests.newSha256();
        try (SafeFile f = root.openRead(rel, false); InputStream in = new DigestInputStream(f.inputStream(), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return Digests.sha256(sha) + " " + Integer.toOctalString(mode);
    }

    private static int mode(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
    }

}
