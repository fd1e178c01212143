package io.berth.spi.storage;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "build-3.step_2"})
    void givenAnEngineStyleKey_whenChecked_thenValid(String key) {
        assertTrue(Keys.isValid(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../x", "a/b", "-a", ".hidden", "a b", "a\u0000"})
    void givenAKeyThatCouldBeAPath_whenChecked_thenInvalid(String key) {
        assertFalse(Keys.isValid(key));
    }
}
