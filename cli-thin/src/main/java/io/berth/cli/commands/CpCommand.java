package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.ApiException;
import io.berth.text.json.Json;
import io.berth.cli.args.CopyArg;
import io.berth.cli.files.HostTar;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * {@code berth cp CONTAINER:SRC DEST} and {@code berth cp SRC CONTAINER:DEST}, with Docker's rules:
 * {@code GET|HEAD|PUT /containers/{id}/archive?path=}, packed and unpacked by the host's {@code tar}
 * ({@link HostTar}); {@code -} is a tar on standard output or input.
 *
 * <p>Copying out, the archive is checked, extracted into a new directory next to the destination and moved
 * into place without following any link: into DEST when it is a directory (its contents with {@code SRC/.}),
 * else under the name DEST. Copying in, the destination is looked at first ({@code HEAD}): an existing
 * directory receives SRC under its own name, anything else is written as DEST, in its parent directory.
 */
public final class CpCommand extends ContainerCommand {
    private static final long MODE_DIR = 1L << 31; // Go's os.ModeDir in the path-stat header
    private static final long MODE_SYMLINK = 1L << 27; // Go's os.ModeSymlink
    private final PositionalParamSpec args;
    private final OptionSpec archive;
    private final OptionSpec followLink;

    public CpCommand(CommandContext root) {
        super(root, "cp", "Copy files/folders between a container and the local filesystem");
        synopsis("[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH");
        archive = flag("Archive mode (copy all uid/gid information)", "-a", "--archive");
        followLink = flag("Always follow symbol link in SRC_PATH", "-L", "--follow-link");
        flag("Suppress progress output during copy (berth prints none)", "-q", "--quiet");
        args = arguments("PATH");
    }

    /** What {@code berth cp} was asked to do, from its two arguments (Docker's checks and messages). */
    public record Copy(CopyArg source, CopyArg destination) {
        /** Checks the two arguments as Docker's CLI does. */
        public static Copy of(String source, String destination) {
            if (source.isEmpty()) {
                throw new CliException(ExitCodes.FAILED, "source can not be empty");
            }
            if (destination.isEmpty()) {
                throw new CliException(ExitCodes.FAILED, "destination can not be empty");
            }
            CopyArg s = CopyArg.parse(source);
            CopyArg d = CopyArg.parse(destination);
            if (s.inContainer() && d.inContainer()) {
                throw new CliException(ExitCodes.FAILED, "copying between containers is not supported");
            }
            if (!s.inContainer() && !d.inContainer()) {
                throw new CliException(ExitCodes.FAILED, "must specify at least one container source");
            }
            return new Copy(s, d);
        }

        /** Whether the copy goes from the container to the host. */
        public boolean out() {
            return source.inContainer();
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> a = requireArgs(args, 2, 2);
        Copy copy = Copy.of(a.get(0), a.get(1));
        if (copy.out()) {
            copyOut(copy.source().container(), copy.source().path(), copy.destination().path());
        } else {
            copyIn(copy.source().path(), copy.destination().container(), copy.destination().path());
        }
        return 0;
    }

    // ---- out of the container

    private void copyOut(String ctr, String src, String dest) throws IOException {
        // -L: ask for what the link leads to, which the daemon names resolved inside the container's root; the
        // copy keeps the link's own name (Docker's rebase). Never a link written on the host and read through it.
        String fetched = isSet(followLink) ? followedInContainer(ctr, src) : src;
        String target = container(ctr) + "/archive?path=" + q(fetched);
        if (dest.equals("-")) {
            try (HttpResponse r = root.api().open("GET", target, null)) {
                r.body().transferTo(root.out());
            }
            root.out().flush();
            return;
        }
        Path destPath = Path.of(dest).toAbsolutePath().normalize();
        boolean destExists = Files.exists(destPath);
        boolean destIsDir = Files.isDirectory(destPath);
        Path parent = destPath.getParent();
        if (!destExists && (parent == null || !Files.isDirectory(parent))) {
            throw new CliException(ExitCodes.FAILED, "lstat " + parent + ": no such file or directory");
        }
        Path scratch = Files.createTempDirectory(destIsDir ? destPath : parent, ".berth-cp-");
        try {
            Path tar = scratch.resolve("archive.tar");
            try (HttpResponse r = root.api().open("GET", target, null)) {
                boolean srcIsDir = (mode(r.header("X-Docker-Container-Path-Stat")) & MODE_DIR) != 0;
                if (!destExists && !srcIsDir && CopyArg.assertsDirectory(dest)) {
                    throw new CliException(ExitCodes.FAILED, "no such directory");
                }
                if (destExists && !destIsDir) {
                    if (srcIsDir) {
                        throw new CliException(ExitCodes.FAILED, "cannot copy directory");
                    }
                    if (CopyArg.assertsDirectory(dest)) {
                        throw new CliException(ExitCodes.FAILED, "not a directory");
                    }
                }
                try (InputStream body = r.body()) {
                    Files.copy(body, tar);
                }
            }
            List<String> names = HostTar.checkMembers(tar);
            String top = HostTar.topLevel(names);
            if (top == null) {
                throw new CliException(ExitCodes.FAILED, "the daemon's archive of " + src + " has no single top-level entry");
            }
            Path unpacked = Files.createDirectory(scratch.resolve("out"));
            HostTar.extract(tar, unpacked);
            Path got = unpacked.resolve(top);
            String name = CopyArg.baseName(src);
            if (name.equals("/") || name.equals(".") || name.equals("..")) {
                name = top;
            }
            if (!destExists) {
                place(got, destPath);
            } else if (!destIsDir) {
                place(got, destPath);
            } else if (CopyArg.contentsOnly(src) && Files.isDirectory(got, LinkOption.NOFOLLOW_LINKS)) {
                for (Path child : children(got)) {
                    place(child, destPath.resolve(child.getFileName()));
                }
            } else {
                place(got, destPath.resolve(name));
            }
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * Moves {@code from} to {@code to}: a rename when {@code to} does not exist, a merge of two directories,
     * a replacement of a non-directory. Links are never followed, on either side.
     */
    static void place(Path from, Path to) throws IOException {
        if (!Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(from, to);
            return;
        }
        boolean fromDir = Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS);
        boolean toDir = Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS);
        if (fromDir && toDir) {
            for (Path child : children(from)) {
                place(child, to.resolve(child.getFileName()));
            }
            return;
        }
        if (fromDir) {
            throw new CliException(ExitCodes.FAILED, "cannot overwrite non-directory \"" + to + "\" with directory");
        }
        if (toDir) {
            throw new CliException(ExitCodes.FAILED, "cannot overwrite directory \"" + to + "\" with non-directory");
        }
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<Path> children(Path dir) throws IOException {
        List<Path> list = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                list.add(p);
            }
        }
        return list;
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) { // does not follow links
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a read-only directory from the archive
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    /**
     * The container path a symlink at {@code path} leads to, as the daemon's path-stat header names it (resolved
     * in the container), keeping a trailing {@code /} or {@code /.}; {@code path} itself when it is no link or
     * cannot be looked at (the copy then reports the error).
     */
    private String followedInContainer(String ctr, String path) throws IOException {
        String header;
        try (HttpResponse r = root.api().open("HEAD", container(ctr) + "/archive?path=" + q(path), null)) {
            header = r.header("X-Docker-Container-Path-Stat");
        } catch (ApiException e) {
            return path;
        }
        return linkTarget(path, mode(header), Json.text(stat(header), "linkTarget"));
    }

    /** Docker's rule: a link's target, joined to the link's directory when relative, with the path's trailing slash or dot. */
    static String linkTarget(String path, long mode, String linkTarget) {
        if ((mode & MODE_SYMLINK) == 0 || linkTarget == null || linkTarget.isEmpty()) {
            return path;
        }
        String parent = containerParent(path);
        String target = linkTarget.startsWith("/") ? linkTarget : (parent.equals("/") ? "/" : parent + "/") + linkTarget;
        if (path.endsWith("/.")) {
            return target + "/.";
        }
        return path.endsWith("/") ? target + "/" : target;
    }

    /** The {@code mode} of Docker's base64 JSON path-stat header, 0 when absent. */
    static long mode(String header) throws IOException {
        return Json.at(stat(header), "mode") instanceof Number n ? n.longValue() : 0;
    }

    /** Docker's base64 JSON path-stat header, decoded ({@code null} when absent). */
    private static Object stat(String header) throws IOException {
        if (header == null || header.isBlank()) {
            return null;
        }
        byte[] json;
        try {
            json = Base64.getDecoder().decode(header.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("bad X-Docker-Container-Path-Stat header: " + e.getMessage());
        }
        return Json.parse(json);
    }

    // ---- into the container

    private void copyIn(String src, String ctr, String dst) throws IOException {
        Path given = src.equals("-") ? null : Path.of(src).toAbsolutePath().normalize();
        if (given != null && !Files.exists(given, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliException(ExitCodes.FAILED, "lstat " + given + ": no such file or directory");
        }
        Long dstMode = null;
        try (HttpResponse r = root.api().open("HEAD", container(ctr) + "/archive?path=" + q(dst), null)) {
            String header = r.header("X-Docker-Container-Path-Stat");
            dstMode = mode(header);
            if ((dstMode & MODE_SYMLINK) != 0) {
                // a link as destination: Docker writes where it leads, inside the container, not over the link
                dst = linkTarget(dst, dstMode, Json.text(stat(header), "linkTarget"));
                dstMode = null;
                try (HttpResponse followed = root.api().open("HEAD", container(ctr) + "/archive?path=" + q(dst), null)) {
                    dstMode = mode(followed.header("X-Docker-Container-Path-Stat"));
                }
            }
        } catch (ApiException ignored) {
            // missing, or no such container: the copy itself says which
        }
        String statTarget = container(ctr) + "/archive?path=" + q(dst);
        boolean dstExists = dstMode != null;
        boolean dstIsDir = dstExists && (dstMode & MODE_DIR) != 0;
        if (src.equals("-")) {
            if (!dstIsDir) {
                throw new CliException(ExitCodes.FAILED, "destination \"" + ctr + ":" + dst + "\" must be a directory");
            }
            try (HttpResponse r = root.api().sendStream("PUT", statTarget, "application/x-tar", root.in(), -1)) {
                r.bodyBytes();
            }
            return;
        }
        Path srcPath = isSet(followLink) && Files.isSymbolicLink(given) ? given.toRealPath() : given;
        boolean srcIsDir = Files.isDirectory(srcPath, LinkOption.NOFOLLOW_LINKS);
        boolean contents = srcIsDir && (CopyArg.contentsOnly(src) || srcPath.getParent() == null);
        Path tarDir = contents ? srcPath : srcPath.getParent();
        String tarName = contents ? "." : srcPath.getFileName().toString();
        String wanted = contents ? null : given.getFileName().toString();
        String putPath;
        String rename;
        if (dstIsDir) {
            putPath = dst;
            rename = wanted == null || wanted.equals(tarName) ? null : wanted;
        } else {
            if (dstExists && srcIsDir) {
                throw new CliException(ExitCodes.FAILED, "cannot copy directory");
            }
            if (!dstExists && !srcIsDir && CopyArg.assertsDirectory(dst)) {
                throw new CliException(ExitCodes.FAILED, "no such directory");
            }
            putPath = containerParent(dst);
            rename = CopyArg.baseName(dst);
        }
        List<String> command = HostTar.createCommand(tarDir, tarName, rename, isSet(archive));
        Path errors = Files.createTempFile("berth-cp-", ".err");
        try {
            Process tar = new ProcessBuilder(command).redirectError(errors.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            IOException failure = null;
            try (InputStream tarOut = tar.getInputStream();
                 HttpResponse r = root.api().sendStream("PUT", container(ctr) + "/archive?path=" + q(putPath),
                         "application/x-tar", tarOut, -1)) {
                r.bodyBytes();
            } catch (IOException e) {
                failure = e; // the daemon's answer comes first; tar then fails on its closed pipe
                tar.destroy();
            }
            int code = waitFor(tar);
            if (failure != null) {
                throw failure;
            }
            String message = Files.readString(errors, StandardCharsets.UTF_8).strip();
            if (code >= 2) {
                throw new CliException(ExitCodes.FAILED, "tar failed (exit " + code + "): " + message);
            }
            if (!message.isEmpty()) {
                root.err().println(message);
            }
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static int waitFor(Process p) throws IOException {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running tar");
        }
    }

    /** The parent of a path in the container ({@code /} for a top-level or relative name). */
    static String containerParent(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        return slash <= 0 ? "/" : p.substring(0, slash);
    }
}
