package io.berth.cli.files;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The host's {@code tar} command (GNU tar), which {@code berth cp} uses to pack and unpack: it knows every
 * tar dialect, long names, links and modes, and keeps the CLI small.
 *
 * <p>An archive from a container is never trusted: {@link #checkMembers} lists it ({@code tar -t}) before
 * anything is extracted and refuses absolute names, {@code ..} components and members beneath a member that
 * is not a directory (a symlink {@code x -> /etc} followed by {@code x/passwd} would write through the link);
 * it is then extracted into a new, empty directory and moved into place by the caller, without following links.
 */
public final class HostTar {
    private HostTar() {
    }

    /**
     * The first member name that could place a file outside the directory it is extracted into, or
     * {@code null} when every name is safe. Names as {@code tar -t} lists them: directories end with {@code /}.
     */
    public static String unsafeMember(List<String> names) {
        Set<String> nonDirectories = new HashSet<>();
        List<String> normalised = new ArrayList<>(names.size());
        for (String name : names) {
            if (name.startsWith("/")) {
                return name;
            }
            StringBuilder n = new StringBuilder();
            for (String part : name.split("/")) {
                if (part.equals("..")) {
                    return name;
                }
                if (part.isEmpty() || part.equals(".")) {
                    continue;
                }
                if (!n.isEmpty()) {
                    n.append('/');
                }
                n.append(part);
            }
            normalised.add(n.toString());
            if (!name.endsWith("/") && !n.isEmpty()) {
                nonDirectories.add(n.toString());
            }
        }
        for (int i = 0; i < normalised.size(); i++) {
            String n = normalised.get(i);
            for (int slash = n.indexOf('/'); slash >= 0; slash = n.indexOf('/', slash + 1)) {
                if (nonDirectories.contains(n.substring(0, slash))) {
                    return names.get(i);
                }
            }
        }
        return null;
    }

    /**
     * The one top-level name every member of an archive lies under, or {@code null} if there is none or
     * more than one.
     */
    public static String topLevel(List<String> names) {
        String top = null;
        for (String name : names) {
            String n = name;
            while (n.startsWith("./")) {
                n = n.substring(2);
            }
            int slash = n.indexOf('/');
            String first = slash < 0 ? n : n.substring(0, slash);
            if (first.isEmpty() || first.equals(".")) {
                continue;
            }
            if (top != null && !top.equals(first)) {
                return null;
            }
            top = first;
        }
        return top;
    }

    /** Lists the member names of {@code archive} ({@code tar -tf}). */
    public static List<String> list(Path archive) throws IOException {
        String out = run(List.of("tar", "-t", "-f", archive.toString()), archive.getParent());
        return out.lines().toList();
    }

    /**
     * Extracts {@code archive} into the empty directory {@code into}, after {@link #checkMembers}; modes kept,
     * owners not (as {@code docker cp} without {@code -a}).
     */
    public static void extract(Path archive, Path into) throws IOException {
        run(List.of("tar", "-x", "-f", archive.toString(), "-C", into.toString(), "--no-same-owner",
                "--preserve-permissions"), archive.getParent());
    }

    /** Refuses an archive with a member that could land outside the directory it is extracted into. */
    public static List<String> checkMembers(Path archive) throws IOException {
        List<String> names = list(archive);
        String bad = unsafeMember(names);
        if (bad != null) {
            throw new CliException(ExitCodes.FAILED, "refusing to extract the archive: its member \"" + bad
                    + "\" would be written outside the destination");
        }
        return names;
    }

    /**
     * The command that writes a tar of {@code name} in {@code directory} to its standard output, the top-level
     * member renamed to {@code renameTo} (when not {@code null}; symlink targets are left alone). Symlinks are
     * stored as links. Owners become root's unless {@code keepIds}, as {@code docker cp} does.
     */
    public static List<String> createCommand(Path directory, String name, String renameTo, boolean keepIds) {
        List<String> cmd = new ArrayList<>(List.of("tar", "-c", "-f", "-", "-C", directory.toString()));
        if (!keepIds) {
            cmd.addAll(List.of("--owner=0", "--group=0", "--numeric-owner"));
        }
        if (renameTo != null) {
            cmd.add("--transform=s,^" + regex(name) + "," + replacement(renameTo) + ",S");
        }
        cmd.add("--");
        cmd.add(name);
        return cmd;
    }

    private static String regex(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("\\.*[]^$,".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static String replacement(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("\\&,".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Runs a tar command to its end; its standard output, or its error as the failure. */
    private static String run(List<String> command, Path scratch) throws IOException {
        Path errors = Files.createTempFile(scratch, ".tar-", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(errors.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0) {
                throw new CliException(ExitCodes.FAILED, "tar failed (exit " + code + "): "
                        + Files.readString(errors, StandardCharsets.UTF_8).strip());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running tar");
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
