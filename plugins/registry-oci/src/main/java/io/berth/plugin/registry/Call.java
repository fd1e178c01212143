package io.berth.plugin.registry;

import io.berth.spi.registry.Credentials;

/**
 * Who makes a request, to which registry, with which access, about what.
 *
 * @param endpoint    the registry's endpoint
 * @param scope       the access the request needs
 * @param credentials who asks
 * @param subject     what is asked for, for error messages (a reference, or a repository and digest)
 */
record Call(RegistryEndpoint endpoint, Scope scope, Credentials credentials, String subject) {

    /** @return the registry as written in references */
    String registry() {
        return endpoint.registry();
    }
}
