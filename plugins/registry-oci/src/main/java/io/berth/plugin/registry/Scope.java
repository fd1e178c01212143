package io.berth.plugin.registry;

import java.util.List;

/**
 * The access a request needs, in the token scope syntax of the distribution spec
 * ({@code repository:team/app:pull,push}). Tokens are cached per registry and scope.
 *
 * @param values the scope strings, possibly none (for {@code /v2/} itself)
 */
record Scope(List<String> values) {

    Scope {
        values = List.copyOf(values);
    }

    /** @return no scope: the base check of {@code /v2/} */
    static Scope none() {
        return new Scope(List.of());
    }

    /**
     * @param repository a repository path
     * @return pull access to it
     */
    static Scope pull(String repository) {
        return new Scope(List.of("repository:" + repository + ":pull"));
    }

    /**
     * @param repository a repository path
     * @return pull and push access to it
     */
    static Scope push(String repository) {
        return new Scope(List.of("repository:" + repository + ":pull,push"));
    }

    /**
     * @param repository where a blob is mounted
     * @param from       where it is mounted from
     * @return push access to the one, pull access to the other
     */
    static Scope mount(String repository, String from) {
        return new Scope(List.of("repository:" + repository + ":pull,push", "repository:" + from + ":pull"));
    }
}
