package org.qubicle.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyEngineTest {
    @TempDir
    Path dir;

    private static void write(Path p, String text, long mtimeSeconds) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        // explicit mtimes: the test must not depend on the file system's timestamp resolution
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(mtimeSeconds)));
    }

    @Test
    void reloadsWhenAFileChangesAndOnlyThen() throws IOException {
        Path etc = dir.resolve("etc/qubes/policy.d");
        write(etc.resolve("50-main.policy"), "s * @anyvm @anyvm deny\n!include include/extra\n", 1000);
        write(etc.resolve("include/extra"), "t * @anyvm @anyvm allow\n", 1000);
        PolicyEngine engine = PolicyEngine.open(List.of(etc));
        SystemInfo info = Fixtures.system();
        Request call = Request.of("work", "personal", "s");
        assertInstanceOf(Decision.Denied.class, engine.evaluate(info, call));
        assertFalse(engine.reloadIfChanged());

        write(etc.resolve("50-main.policy"), "s * @anyvm @anyvm allow\n!include include/extra\n", 2000);
        assertInstanceOf(Decision.Allowed.class, engine.evaluate(info, call));
        assertFalse(engine.reloadIfChanged());

        // an included file outside the top directory listing counts too
        write(etc.resolve("include/extra"), "t * @anyvm @anyvm deny\n", 3000);
        assertTrue(engine.reloadIfChanged());
        assertInstanceOf(Decision.Denied.class, engine.evaluate(info, Request.of("work", "personal", "t")));

        // a new file, and a broken one: everything is denied with the error's place
        write(etc.resolve("10-new.policy"), "s * @anyvm @anyvm allow bogus\n", 4000);
        Decision.Failed f = assertInstanceOf(Decision.Failed.class, engine.evaluate(info, call));
        assertTrue(f.detail().startsWith("10-new.policy:1: "), f.detail());

        Files.delete(etc.resolve("10-new.policy"));
        assertInstanceOf(Decision.Allowed.class, engine.evaluate(info, call));
        assertEquals(2, engine.policy().rules().size());
    }

    @Test
    void overlayValidatesAChangeBeforeItIsWritten() throws IOException {
        Path etc = dir.resolve("policy.d");
        write(etc.resolve("50-main.policy"), "s * @anyvm @anyvm deny\n!include include/x\n", 1000);
        write(etc.resolve("include/x"), "t * @anyvm @anyvm deny\n", 1000);
        String root = etc.toRealPath().toString();
        PolicySource disk = PolicySource.fileSystem();
        java.util.Map<String, String> change = new java.util.HashMap<>();
        change.put(root + "/30-user.policy", "u * @anyvm @anyvm allow\n");
        Policy added = Policy.load(PolicySource.overlay(disk, change), List.of(root));
        assertEquals(List.of("u", "s", "t"), added.rules().stream().map(Rule::service).toList());
        change.put(root + "/30-user.policy", "u * @anyvm @anyvm allow notify=maybe\n");
        assertEquals("30-user.policy", Policy.load(PolicySource.overlay(disk, change), List.of(root))
                .error().orElseThrow().file());
        java.util.Map<String, String> removal = new java.util.HashMap<>();
        removal.put(root + "/include/x", null);
        assertEquals("not a file: include/x", Policy.load(PolicySource.overlay(disk, removal), List.of(root))
                .error().orElseThrow().message());
        // nothing was written
        assertFalse(Files.exists(etc.resolve("30-user.policy")));
        assertTrue(Files.exists(etc.resolve("include/x")));
    }

    @Test
    void missingDirectoryIsALoadError() {
        PolicyEngine engine = PolicyEngine.open(List.of(dir.resolve("nope")));
        assertTrue(engine.policy().error().isPresent());
    }

    @Test
    void symlinkedFilesCountAndIncludesResolveAgainstTheTopDirectory() throws IOException {
        Path etc = dir.resolve("policy.d");
        write(dir.resolve("elsewhere/real.policy"), "s * @anyvm @anyvm allow\n", 1000);
        Files.createDirectories(etc);
        Files.createSymbolicLink(etc.resolve("20-link.policy"), dir.resolve("elsewhere/real.policy"));
        write(etc.resolve("30-x.policy"), "!include ../elsewhere/real.policy\n", 1000);
        Policy p = PolicyEngine.open(List.of(etc)).policy();
        assertTrue(p.error().isEmpty(), () -> p.error().toString());
        assertEquals(2, p.rules().size());
        assertEquals("20-link.policy:1", p.rules().get(0).location().toString());
        assertTrue(p.rules().get(1).location().file().endsWith("/elsewhere/real.policy"));
    }
}
