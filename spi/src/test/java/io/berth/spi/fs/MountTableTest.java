package io.berth.spi.fs;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountTableTest {

    @Test
    void givenLinesWithOptionalFieldsAndEscapes_whenParsed_thenEachFieldIsWhereProc5SaysItIs() {
        List<MountTable.Entry> entries = MountTable.parse(List.of(
                "36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue",
                "40 25 0:35 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory",
                "41 25 0:36 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate",
                "garbage without the separator"));
        assertEquals(3, entries.size());
        MountTable.Entry first = entries.getFirst();
        assertEquals(Path.of("/mnt two"), first.mountPoint());
        assertEquals("/mnt1", first.root());
        assertEquals("rw,noatime", first.options());
        assertEquals("ext3", first.type());
        assertEquals("/dev/root", first.source());
        assertEquals("rw,errors=continue", first.superOptions());
        assertEquals("rw,memory", entries.get(1).superOptions());
        assertEquals("cgroup2", entries.get(2).type());
    }

    @Test
    void givenThisProcess_whenItsMountsAreRead_thenTheRootIsAmongThem() {
        assertTrue(MountTable.isMounted(Path.of("/")), "/ is always mounted");
        assertEquals(Path.of("/"), MountTable.under(Path.of("/")).getLast());
    }

    @Test
    void givenABackslashThatIsNoEscape_whenUnescaped_thenItStays() {
        assertEquals("a\\b", MountTable.unescape("a\\b"));
        assertEquals("end\\04", MountTable.unescape("end\\04"));
        assertEquals("tab\there", MountTable.unescape("tab\\011here"));
    }
}
