package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A daemon on a fresh temporary root per test, and assertions on raw replies. */
abstract class ApiTestBase {
    @TempDir
    Path root;
    Daemon daemon;
    RawClient client;

    @BeforeEach
    void startDaemon() throws IOException {
        daemon = Daemon.start(new QubesPaths(root));
        client = new RawClient(daemon.paths().adminSocket());
    }

    @AfterEach
    void stopDaemon() {
        daemon.close();
    }

    /** Calls with source dom0 and expects success; returns the value. */
    String ok(String method, String arg, String dest, String payload) throws IOException {
        RawClient.Reply r = client.call(method, arg, dest, payload);
        if (r instanceof RawClient.Reply.Ok o) {
            return o.value();
        }
        return fail(method + "+" + arg + " -> " + dest + ": " + r);
    }

    String ok(String method, String arg, String dest) throws IOException {
        return ok(method, arg, dest, "");
    }

    /** Expects an exception frame of {@code type}; returns its message. */
    String err(String type, String method, String arg, String dest, String payload) throws IOException {
        RawClient.Reply r = client.call(method, arg, dest, payload);
        RawClient.Reply.Error e = assertInstanceOf(RawClient.Reply.Error.class, r,
                () -> method + "+" + arg + " -> " + dest + ": expected " + type + ", got " + r);
        assertEquals(type, e.type(), () -> method + "+" + arg + ": " + e.message());
        return e.message();
    }

    String err(String type, String method, String arg, String dest) throws IOException {
        return err(type, method, arg, dest, "");
    }

    /** Expects either an exception frame or no answer: a refusal. */
    void refused(String method, String arg, String dest, String payload) throws IOException {
        RawClient.Reply r = client.call(method, arg, dest, payload);
        if (r instanceof RawClient.Reply.Ok) {
            fail(method + "+" + arg + " -> " + dest + " was accepted");
        }
    }

    byte[] xml() throws IOException {
        return Files.readAllBytes(daemon.paths().qubesXml());
    }

    void assertXmlUnchanged(byte[] before) throws IOException {
        if (!Arrays.equals(before, xml())) {
            fail("qubes.xml changed");
        }
    }

    /** Creates a template and an AppVM on it, plus a standalone; handy for most tests. */
    void createBasics() throws IOException {
        ok("admin.vm.Create.TemplateVM", "", "dom0", "name=tpl label=black");
        ok("admin.vm.Create.AppVM", "tpl", "dom0", "name=work label=blue");
        ok("admin.vm.Create.StandaloneVM", "", "dom0", "name=alone label=red");
    }
}
