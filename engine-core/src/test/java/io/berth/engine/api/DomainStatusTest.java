package io.berth.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.engine.domain.DomainException;
import org.junit.jupiter.api.Test;

/** The one place a domain refusal's kind becomes an HTTP status. */
class DomainStatusTest {
    @Test
    void givenEachKind_whenAnswered_thenDockersStatus() {
        assertEquals(404, ApiHandler.statusOf(DomainException.Kind.NOT_FOUND));
        assertEquals(409, ApiHandler.statusOf(DomainException.Kind.CONFLICT));
        assertEquals(403, ApiHandler.statusOf(DomainException.Kind.FORBIDDEN));
        assertEquals(400, ApiHandler.statusOf(DomainException.Kind.INVALID));
        assertEquals(500, ApiHandler.statusOf(DomainException.Kind.UPSTREAM));
        assertEquals(500, ApiHandler.statusOf(DomainException.Kind.INTERNAL));
    }
}
