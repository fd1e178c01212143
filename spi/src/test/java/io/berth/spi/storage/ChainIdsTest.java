package io.berth.spi.storage;

import io.berth.spi.Digests;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChainIdsTest {

    // Expected values computed outside Java: printf '%s %s' "$parent" "$diff" | sha256sum
    private static final String A = "sha256:589f0d58b9053a4ff7329b8fdb4f9dd120e29354c086ad0b3b10733f6cfd6de3";
    private static final String B = "sha256:55fea2a37a9fc5963f1beccd0d162b856e6bd05ca07cdd3726847846ab740f0d";
    private static final String C = "sha256:e6c65c655ca8172ab7a2b634dab3220a45472dd6571b6efd956ccc05e229a201";
    private static final String AB = "sha256:267c5fd16af60e52927fabf0a36a31f3b5a2069347f7f00c7bd7f93f6ebc01f4";
    private static final String ABC = "sha256:82c0ed5f6c15be9b9180a8c04b9f2c676d74af6db13c711f5bb47a0fa43b56df";

    @Test
    void givenDiffIds_whenChained_thenTheBottomIsItsDiffIdAndEachNextHashesParentSpaceDiff() {
        assertEquals(A, Digests.sha256("layer-a".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(A, AB, ABC), ChainIds.of(List.of(A, B, C)));
    }

    @Test
    void givenNoParent_whenNext_thenTheDiffIdItself() {
        assertEquals(B, ChainIds.next(null, B));
    }

    @Test
    void givenAMalformedDiffId_whenChained_thenIllegalArgumentNamesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChainIds.of(List.of(A, "sha256:nope")));
        assertEquals("diff id \"sha256:nope\" is not a digest: expected sha256: followed by 64 lower-case hex digits", e.getMessage());
    }
}
