package org.qubicle.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/** admin.vm.feature.* and admin.vm.tag.*. */
class FeatureTagApiTest extends ApiTestBase {
    @Test
    void features() throws Exception {
        createBasics();
        ok("admin.vm.feature.Set", "gui", "work", "1");
        ok("admin.vm.feature.Set", "empty", "work", "");
        assertEquals("1", ok("admin.vm.feature.Get", "gui", "work"));
        assertEquals("", ok("admin.vm.feature.Get", "empty", "work"));
        assertEquals("empty\ngui\n", ok("admin.vm.feature.List", "", "work"));
        assertEquals("Feature not set for domain work: nosuch", err("QubesFeatureNotFoundError", "admin.vm.feature.Get", "nosuch", "work"));
        ok("admin.vm.feature.Remove", "empty", "work");
        err("QubesFeatureNotFoundError", "admin.vm.feature.Remove", "empty", "work");
        byte[] before = xml();
        err("ProtocolError", "admin.vm.feature.Set", "bad/name", "work", "1");
        err("ProtocolError", "admin.vm.feature.Set", "x", "work", "tab\there");
        err("ProtocolError", "admin.vm.feature.Set", "x", "work", "\u00e9");
        assertXmlUnchanged(before);
    }

    @Test
    void featureChains() throws Exception {
        createBasics();
        ok("admin.vm.feature.Set", "os", "tpl", "Linux");
        ok("admin.vm.feature.Set", "glob", "dom0", "yes");
        assertEquals("Linux", ok("admin.vm.feature.CheckWithTemplate", "os", "work"));
        err("QubesFeatureNotFoundError", "admin.vm.feature.CheckWithTemplate", "glob", "work");
        assertEquals("yes", ok("admin.vm.feature.CheckWithAdminVM", "glob", "work"));
        err("QubesFeatureNotFoundError", "admin.vm.feature.CheckWithAdminVM", "os", "work");
        assertEquals("Linux", ok("admin.vm.feature.CheckWithTemplateAndAdminVM", "os", "work"));
        assertEquals("yes", ok("admin.vm.feature.CheckWithTemplateAndAdminVM", "glob", "work"));
        ok("admin.vm.property.Set", "provides_network", "alone", "True");
        ok("admin.vm.property.Set", "netvm", "work", "alone");
        ok("admin.vm.feature.Set", "net", "alone", "x");
        assertEquals("x", ok("admin.vm.feature.CheckWithNetvm", "net", "work"));
        err("QubesFeatureNotFoundError", "admin.vm.feature.CheckWithNetvm", "os", "work");
    }

    @Test
    void tags() throws Exception {
        createBasics();
        ok("admin.vm.tag.Set", "blue-team", "work");
        ok("admin.vm.tag.Set", "blue-team", "work"); // idempotent
        assertEquals("1", ok("admin.vm.tag.Get", "blue-team", "work"));
        assertEquals("0", ok("admin.vm.tag.Get", "red-team", "work"));
        assertEquals("blue-team\ncreated-by-dom0\n", ok("admin.vm.tag.List", "", "work"));
        ok("admin.vm.tag.Remove", "blue-team", "work");
        err("QubesTagNotFoundError", "admin.vm.tag.Remove", "blue-team", "work");
        byte[] before = xml();
        err("QubesInvalidTagError", "admin.vm.tag.Set", "bad.tag", "work");
        err("QubesInvalidTagError", "admin.vm.tag.Get", "bad!tag", "work");
        RawClient.Reply r = client.call("alone", "admin.vm.tag.Remove", "created-by-dom0", "work", "");
        assertEquals("PermissionDenied", assertInstanceOf(RawClient.Reply.Error.class, r).type());
        r = client.call("alone", "admin.vm.tag.Set", "created-by-x", "work", "");
        assertEquals("PermissionDenied", assertInstanceOf(RawClient.Reply.Error.class, r).type());
        assertXmlUnchanged(before);
        ok("admin.vm.tag.Remove", "created-by-dom0", "work");
    }
}
