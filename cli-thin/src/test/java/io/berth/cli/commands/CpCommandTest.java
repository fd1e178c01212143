package io.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code berth cp -L}: which container path the CLI asks for when the source is a link (Docker's rule). */
class CpCommandTest {
    private static final long LINK = 1L << 27;

    @Test
    void aLinkIsReplacedByTheTargetTheDaemonResolvedInTheContainer() {
        assertEquals("/etc/shadow", CpCommand.linkTarget("/sh", LINK, "/etc/shadow"));
    }

    @Test
    void aRelativeTargetIsJoinedToTheLinksDirectory() {
        assertEquals("/a/b/../c", CpCommand.linkTarget("/a/b/l", LINK, "../c"));
        assertEquals("/c", CpCommand.linkTarget("l", LINK, "c"));
    }

    @Test
    void aTrailingSlashOrDotOfTheSourceIsKept() {
        assertEquals("/etc/", CpCommand.linkTarget("/x/", LINK, "/etc"));
        assertEquals("/etc/.", CpCommand.linkTarget("/x/.", LINK, "/etc"));
    }

    @Test
    void aPathThatIsNoLinkIsLeftAsGiven() {
        assertEquals("/etc", CpCommand.linkTarget("/etc", 1L << 31, ""));
        assertEquals("/sh", CpCommand.linkTarget("/sh", LINK, ""));
    }
}
