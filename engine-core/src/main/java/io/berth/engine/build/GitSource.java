package io.berth.engine.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ADD} of a Git repository, with the host's {@code git}: the reference's forms
 * {@code https://host/repo.git}, {@code http://…/repo.git}, {@code git://…}, {@code ssh://…} and
 * {@code git@host:repo.git}, each with an optional {@code #ref[:subdir]} fragment (a branch, a tag
 * or a commit). The ref is resolved to its commit first (the commit is the source's identity in the
 * cache key and is checked against {@code --checksum}, a commit prefix), then the repository is
 * cloned into the build's scratch directory and checked out there. What is added is the checkout
 * (or its {@code subdir}) without {@code .git} unless {@code --keep-git-dir}; files get mode 0644, or
 * 0755 when executable, directories 0755, as the reference says.
 *
 * <p>git runs with prompts off and SSH in batch mode; an SSH URL uses the build's {@code --ssh default}
 * agent when one was given.
 */
final class GitSource {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final long TIMEOUT_SECONDS = 600;

    /** A parsed Git source. */
    record Ref(String url, String ref, String subdir) {
    }

    private GitSource() {
    }

    /** Whether an ADD source names a Git repository (see the class description for the forms). */
    static boolean isGitUrl(String src) {
        if (src.startsWith("git@") || src.startsWith("git://") || src.startsWith("ssh://")) {
            return true;
        }
        if (src.startsWith("https://") || src.startsWith("http://")) {
            String beforeFragment = src.contains("#") ? src.substring(0, src.indexOf('#')) : src;
            return beforeFragment.endsWith(".git") || beforeFragment.endsWith(".git/");
        }
        return false;
    }

    static Ref parse(String src) {
        String url = src;
        String ref = "";
        String subdir = "";
        int hash = src.indexOf('#');
        if (hash >= 0) {
            url = src.substring(0, hash);
            String fragment = src.substring(hash + 1);
            int colon = fragment.indexOf(':');
            ref = colon < 0 ? fragment : fragment.substring(0, colon);
            subdir = colon < 0 ? "" : fragment.substring(colon + 1);
        }
        if (url.isEmpty() || url.startsWith("-") || ref.startsWith("-")) {
            throw new BuildException("ADD failed: invalid git source " + src);
        }
        return new Ref(url, ref, BuildContext.cleanSource(subdir));
    }

    /** What a clone gave: the tree to add and the commit it is. */
    record Checkout(Path tree, String commit) {
    }

    /**
     * Resolves, clones and checks out a Git source into {@code scratch}.
     *
     * @param checksum   {@code --checksum}: a commit (prefix) the ref must resolve to, or null
     * @param sshSocket  an SSH agent socket for SSH URLs, or null
     */
    static Checkout fetch(String src, String checksum, boolean keepGitDir, Path scratch, String sshSocket) {
        Ref ref = parse(src);
        try {
            Path dir = Files.createTempDirectory(scratch, "git-");
            Map<String, String> env = new java.util.HashMap<>();
            env.put("GIT_TERMINAL_PROMPT", "0");
            env.put("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new");
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("HOME", dir.toString()); // no user's git configuration applies
            if (sshSocket != null) {
                env.put("SSH_AUTH_SOCK", sshSocket);
            }
            Path repo = dir.resolve("checkout");
            git(env, dir, src, "clone", "--quiet", "--no-checkout", "--", ref.url(), repo.toString());
            String wanted = ref.ref().isEmpty() ? "HEAD" : ref.ref();
            String commit = resolve(env, repo, src, wanted);
            if (checksum != null && !checksum.isEmpty() && !commit.startsWith(checksum)) {
                throw new BuildException("ADD failed: " + src + ": checksum mismatch: expected commit " + checksum + ", got " + commit);
            }
            git(env, repo, src, "-c", "advice.detachedHead=false", "checkout", "--quiet", commit);
            if (!keepGitDir) {
                BuildService.deleteTree(repo.resolve(".git"));
            }
            Path tree = ref.subdir().isEmpty() ? repo : repo.resolve(ref.subdir());
            if (!tree.normalize().startsWith(repo) || !Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
                throw new BuildException("ADD failed: " + src + ": no directory " + ref.subdir() + " at " + commit);
            }
            normalizeModes(tree);
            return new Checkout(tree, commit);
        } catch (IOException e) {
            throw new BuildException("ADD failed: " + src + ": " + e.getMessage());
        }
    }

    /** A branch, a tag or a commit (prefix) to the commit it names. */
    private static String resolve(Map<String, String> env, Path repo, String src, String wanted) throws IOException {
        for (String candidate : List.of("refs/remotes/origin/" + wanted, "refs/tags/" + wanted + "^{commit}", wanted + "^{commit}")) {
            try {
                String out = git(env, repo, src, "rev-parse", "--verify", "--quiet", candidate).strip();
                if (COMMIT.matcher(out).matches()) {
                    return out;
                }
            } catch (BuildException notThisOne) {
                // try the next kind of ref
            }
        }
        throw new BuildException("ADD failed: " + src + ": no branch, tag or commit " + wanted);
    }

    /** Files 0644 (0755 when executable), directories 0755; links are left as they are. */
    private static void normalizeModes(Path tree) throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            for (Path p : walk.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                int wanted = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || (mode & 0100) != 0 ? 0755 : 0644;
                Files.setAttribute(p, "unix:mode", wanted, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    private static String git(Map<String, String> env, Path cwd, String src, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Path errors = Files.createTempFile(cwd.getParent() == null ? cwd : cwd.getParent(), ".git-", ".err");
        pb.redirectError(errors.toFile());
        // stdout to a file as well: reading a pipe to its end would wait for git however long it hangs, and the
        // timeout below would never be reached
        Path output = Files.createTempFile(cwd.getParent() == null ? cwd : cwd.getParent(), ".git-", ".out");
        pb.redirectOutput(output.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            Files.deleteIfExists(errors);
            Files.deleteIfExists(output);
            throw new BuildException("ADD failed: " + src + ": git is not installed on the daemon's host (" + e.getMessage() + ")");
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BuildException("ADD failed: " + src + ": git " + args[0] + " took longer than " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                String why = Files.readString(errors, StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElse("exit " + p.exitValue());
                throw new BuildException("ADD failed: " + src + ": git " + args[0] + ": " + why);
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new BuildException("build interrupted");
        } finally {
            Files.deleteIfExists(errors);
            Files.deleteIfExists(output);
        }
    }
}
