package io.berth.engine.container;

import java.util.ArrayList;
import java.util.List;

/**
 * The environment and groups a launched process gets, as Docker's daemon makes them
 * ({@code CreateDaemonEnvironment}, then runc's HOME): {@code PATH} (Docker's default),
 * {@code HOSTNAME} and, with a terminal, {@code TERM=xterm} first; the configured variables
 * replace those by key or follow them; {@code HOME} from the user's passwd entry when still unset.
 */
public final class LaunchEnvironment {
    /** Docker's default PATH for Linux containers and build steps. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private LaunchEnvironment() {}

    /**
     * @param configured the container's (or build step's) variables, {@code KEY=value}
     * @param home       the user's home directory
     */
    public static List<String> of(List<String> configured, String hostname, boolean terminal, String home) {
        List<String> env = new ArrayList<>();
        env.add("PATH=" + DEFAULT_PATH);
        env.add("HOSTNAME=" + hostname);
        if (terminal) {
            env.add("TERM=xterm");
        }
        for (String entry : configured) {
            replaceOrAppend(env, entry);
        }
        if (env.stream().noneMatch(e -> e.startsWith("HOME="))) {
            env.add("HOME=" + home);
        }
        return env;
    }

    /** Sets {@code entry}'s key in {@code env} where it is, or appends it. */
    static void replaceOrAppend(List<String> env, String entry) {
        String key = key(entry);
        for (int i = 0; i < env.size(); i++) {
            if (key(env.get(i)).equals(key)) {
                env.set(i, entry);
                return;
            }
        }
        env.add(entry);
    }

    private static String key(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? entry : entry.substring(0, eq);
    }

    /** The process's groups: the user's (primary first, then its memberships), then {@code --group-add}. */
    public static List<Integer> groups(ImageUsers.Identity user, List<Integer> groupAdd) {
        List<Integer> groups = new ArrayList<>(user.additionalGids());
        for (Integer g : groupAdd) {
            if (!groups.contains(g)) {
                groups.add(g);
            }
        }
        return groups;
    }
}
