package io.berth.engine.api;

/** One API operation. Throws {@link ApiException} for a request it cannot serve. */
@FunctionalInterface
public interface Endpoint {
    void handle(ApiExchange exchange) throws Exception;
}
