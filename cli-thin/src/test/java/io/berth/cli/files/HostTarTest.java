package io.berth.cli.files;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The checks on an archive's member names before anything of it is extracted. */
class HostTarTest {
    @Test
    void givenOrdinaryMembers_thenSafe() {
        assertNull(HostTar.unsafeMember(List.of("d/", "d/f", "d/lnk", "d/sub/", "d/sub/g")));
        assertNull(HostTar.unsafeMember(List.of("./", "./x", "./y/", "./y/z")));
        assertNull(HostTar.unsafeMember(List.of("a..b", "c/..d")));
    }

    @Test
    void givenAbsoluteOrDotDotNames_thenRefused() {
        assertEquals("/etc/passwd", HostTar.unsafeMember(List.of("d/", "/etc/passwd")));
        assertEquals("d/../../x", HostTar.unsafeMember(List.of("d/", "d/../../x")));
        assertEquals("..", HostTar.unsafeMember(List.of("..")));
    }

    @Test
    void givenAMemberBeneathANonDirectoryMember_thenRefused() {
        // e.g. "lnk" a symlink to /etc, then "lnk/passwd": extracting would write through the link
        assertEquals("lnk/passwd", HostTar.unsafeMember(List.of("lnk", "lnk/passwd")));
        assertEquals("d/lnk/x", HostTar.unsafeMember(List.of("d/", "d/lnk", "d/lnk/x")));
        assertEquals("./f/x", HostTar.unsafeMember(List.of("./f", "./f/x")));
    }

    @Test
    void givenMembers_thenTheirSingleTopLevelName() {
        assertEquals("d", HostTar.topLevel(List.of("d/", "d/f")));
        assertEquals("f", HostTar.topLevel(List.of("f")));
        assertNull(HostTar.topLevel(List.of("a", "b")));
        assertNull(HostTar.topLevel(List.of()));
    }

    @Test
    void givenARename_thenTarsTransformIsEscaped() {
        List<String> cmd = HostTar.createCommand(java.nio.file.Path.of("/src"), "a.b,c", "n&e", false);
        assertEquals("--transform=s,^a\\.b\\,c,n\\&e,S", cmd.get(cmd.size() - 3));
        assertEquals(List.of("--", "a.b,c"), cmd.subList(cmd.size() - 2, cmd.size()));
    }
}
