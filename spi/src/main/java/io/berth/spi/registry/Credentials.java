package io.berth.spi.registry;

import java.util.Objects;

/**
 * Who talks to a registry, in the forms Docker's {@code X-Registry-Auth} carries. The secrets
 * never appear in {@link Object#toString()}.
 */
public sealed interface Credentials {

    /** @return no credentials: anonymous access */
    static Credentials anonymous() {
        return Anonymous.INSTANCE;
    }

    /**
     * @param username the user name
     * @param password the password or personal access token
     * @return basic credentials
     */
    static Credentials basic(String username, String password) {
        return new Basic(username, password);
    }

    /** Anonymous access; the registry may still hand out an anonymous bearer token. */
    enum Anonymous implements Credentials {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "anonymous";
        }
    }

    /**
     * A user name and password, sent as HTTP basic auth or exchanged for a bearer token.
     *
     * @param username the user name
     * @param password the password or personal access token
     */
    record Basic(String username, String password) implements Credentials {
        /** Checks for nulls. */
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "basic(" + username + ", ****)";
        }
    }

    /**
     * An OAuth2 refresh token from a previous login (Docker's {@code identitytoken}), exchanged
     * for a bearer token.
     *
     * @param token the refresh token
     */
    record IdentityToken(String token) implements Credentials {
        /** Checks for null. */
        public IdentityToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "identity-token(****)";
        }
    }

    /**
     * A bearer token sent as is (Docker's {@code registrytoken}).
     *
     * @param token the bearer token
     */
    record RegistryToken(String token) implements Credentials {
        /** Checks for null. */
        public RegistryToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "registry-token(****)";
        }
    }
}
