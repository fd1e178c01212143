package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code RUN --mount} options as the Dockerfile reference defines them, with each type's defaults. */
class RunMountTest {

    @Test
    void givenNoTypeThenItIsAReadOnlyBindOfTheContext() {
        RunMount m = RunMount.parse("source=src,target=/work", "/");
        assertEquals(RunMount.Type.BIND, m.type());
        assertEquals("/work", m.target());
        assertEquals("src", m.source());
        assertEquals("", m.from());
        assertTrue(m.readOnly());
        assertFalse(RunMount.parse("target=/w,rw", "/").readOnly());
        assertFalse(RunMount.parse("target=/w,readwrite=true", "/").readOnly());
    }

    @Test
    void givenACacheThenItsIdDefaultsToItsTargetAndItsDirectoryTo0755Root() {
        RunMount m = RunMount.parse("type=cache,target=/var/cache/apt", "/");
        assertEquals("/var/cache/apt", m.id());
        assertEquals("shared", m.sharing());
        assertEquals(0755, m.mode());
        assertEquals(0, m.uid());
        assertFalse(m.readOnly());
        RunMount n = RunMount.parse("type=cache,id=go,dst=cache,sharing=locked,mode=0700,uid=1000,gid=50,ro", "/src");
        assertEquals("go", n.id());
        assertEquals("/src/cache", n.target(), "a relative target is under the working directory");
        assertEquals("locked", n.sharing());
        assertEquals(0700, n.mode());
        assertEquals(1000, n.uid());
        assertEquals(50, n.gid());
        assertTrue(n.readOnly());
    }

    @Test
    void givenASecretThenItsIdTargetAndModeHaveTheReferencesDefaults() {
        RunMount byId = RunMount.parse("type=secret,id=aws", "/");
        assertEquals("/run/secrets/aws", byId.target());
        assertEquals(0400, byId.mode());
        assertFalse(byId.required());
        RunMount byTarget = RunMount.parse("type=secret,target=/root/.npmrc,required", "/");
        assertEquals(".npmrc", byTarget.id());
        assertTrue(byTarget.required());
        RunMount envOnly = RunMount.parse("type=secret,id=API_KEY,env=API_KEY", "/");
        assertEquals("", envOnly.target(), "with env and no target the secret is not a file");
        assertEquals("API_KEY", envOnly.env());
    }

    @Test
    void givenSshAndTmpfsThenTheirDefaultsApply() {
        RunMount ssh = RunMount.parse("type=ssh", "/");
        assertEquals("default", ssh.id());
        assertEquals(0600, ssh.mode());
        RunMount tmpfs = RunMount.parse("type=tmpfs,target=/t,size=64m", "/");
        assertEquals(64L << 20, tmpfs.size());
    }

    @Test
    void givenTheCacheKeyDescriptionThenItNamesEveryOptionButNoSecretValue() {
        assertEquals("type=cache,id=go,target=/c,sharing=shared,mode=0755,uid=0,gid=0,rw",
                RunMount.parse("type=cache,id=go,target=/c", "/").describe());
        assertEquals("type=secret,id=s,target=/run/secrets/s,mode=0400,uid=0,gid=0,ro",
                RunMount.parse("type=secret,id=s", "/").describe());
    }

    @Test
    void givenBadOptionsThenTheErrorNamesTheOption() {
        assertTrue(assertThrows(BuildException.class, () -> RunMount.parse("type=volume,target=/x", "/")).getMessage()
                .contains("unsupported mount type \"volume\""));
        assertTrue(assertThrows(BuildException.class, () -> RunMount.parse("type=cache", "/")).getMessage()
                .contains("needs a target"));
        assertTrue(assertThrows(BuildException.class, () -> RunMount.parse("type=cache,target=/c,sharing=all", "/")).getMessage()
                .contains("sharing=all"));
        assertTrue(assertThrows(BuildException.class, () -> RunMount.parse("type=cache,target=/c,mode=999", "/")).getMessage()
                .contains("mode=999"));
        assertTrue(assertThrows(BuildException.class, () -> RunMount.parse("target=/c,colour=blue", "/")).getMessage()
                .contains("unexpected key 'colour'"));
        assertTrue(assertThrows(BuildException.class, () -> RunMount.parse("type=cache,target=/", "/")).getMessage()
                .contains("root directory"));
        assertTrue(assertThrows(BuildException.class, () -> RunMount.parse("type=bind,target=/x,env=A", "/")).getMessage()
                .contains("env is only for type=secret"));
    }
}
