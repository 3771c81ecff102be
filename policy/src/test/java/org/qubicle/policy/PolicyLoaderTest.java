package org.qubicle.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PolicyLoaderTest {

    private static List<String> where(Policy p) {
        return p.rules().stream().map(r -> r.location().toString()).toList();
    }

    @Test
    void filesLoadInNameOrderAndOthersAreIgnored() {
        Policy p = Fixtures.policy("s * @anyvm @anyvm deny", Map.of(
                "30-user.policy", "s * work @anyvm allow",
                "90-default.policy", "\n# comment\n  \ns * @anyvm @anyvm ask",
                "README", "not a policy",
                ".hidden.policy", "garbage",
                "x.policy.rpmnew", "garbage",
                "40-old.policy~", "garbage",
                "include/extra", "garbage"));
        assertTrue(p.error().isEmpty());
        assertEquals(List.of("30-user.policy:1", "50-main.policy:1", "90-default.policy:4"), where(p));
    }

    @Test
    void anUppercaseFileNameBreaksTheWholePolicy() {
        Policy p = Fixtures.policy("s * @anyvm @anyvm allow", Map.of("30-User.policy", "s * @anyvm @anyvm allow"));
        assertEquals("invalid filename: 30-User.policy", p.error().orElseThrow().message());
        assertTrue(p.rules().isEmpty());
        Decision d = p.evaluate(Fixtures.system(), Request.of("work", "personal", "s"));
        assertEquals(Decision.Failed.Kind.POLICY, assertInstanceOf(Decision.Failed.class, d).kind());
    }

    @Test
    void syntaxErrorAnywhereDeniesEverythingAndNamesFileAndLine() {
        Policy p = Fixtures.policy("s * @anyvm @anyvm allow\n", Map.of("90-default.policy", "\n\ns * @anyvm @anyvm allow #note"));
        PolicyError e = p.error().orElseThrow();
        assertEquals("90-default.policy", e.file());
        assertEquals(3, e.line());
        assertEquals("90-default.policy:3: invalid action parameter syntax: '#note'", e.toString());
        Decision.Failed f = assertInstanceOf(Decision.Failed.class,
                p.evaluate(Fixtures.system(), Request.of("work", "personal", "s")));
        assertTrue(f.detail().startsWith("90-default.policy:3:"));
    }

    @Test
    void includesAreRelativeToThePolicyDirectoryAndKeepTheirOwnLineNumbers() {
        Policy p = Fixtures.policy("a * @anyvm @anyvm deny\n!include include/extra\nc * @anyvm @anyvm deny",
                Map.of("include/extra", "# x\nb * @anyvm @anyvm deny\n!include /etc/qubes/policy.d/include/more",
                        "include/more", "d * @anyvm @anyvm deny"));
        assertTrue(p.error().isEmpty(), () -> p.error().toString());
        assertEquals(List.of("50-main.policy:1", "include/extra:2", "include/more:1", "50-main.policy:3"), where(p));
    }

    @Test
    void includeDirLoadsOnlyPolicyFilesInOrder() {
        Policy p = Fixtures.policy("!include-dir include", Map.of(
                "include/20-b.policy", "b * @anyvm @anyvm deny",
                "include/10-a.policy", "a * @anyvm @anyvm deny",
                "include/notes", "garbage"));
        assertEquals(List.of("include/10-a.policy:1", "include/20-b.policy:1"), where(p));
        assertEquals("not a directory: include/nope",
                Fixtures.policy("!include-dir include/nope").error().orElseThrow().message());
        assertEquals("not a file: include/nope",
                Fixtures.policy("!include include/nope").error().orElseThrow().message());
    }

    @Test
    void includeServiceReadsTheLegacyFormat() {
        Policy p = Fixtures.policy("!include-service qubes.Filecopy + include/svc", Map.of(
                "include/svc", "# legacy\r\n$anyvm $default allow,target=work\r\n$include:include/svc2\r\n",
                "include/svc2", "work\t$dispvm:work-dvm ask,default_target=$dispvm"));
        assertTrue(p.error().isEmpty(), () -> p.error().toString());
        Rule first = p.rules().get(0);
        assertEquals("qubes.Filecopy", first.service());
        assertEquals("+", first.argument());
        assertEquals("work", Action.redirect(first.action()).text());
        assertEquals(new RuleRef("include/svc", 2), first.location());
        Action.Ask ask = assertInstanceOf(Action.Ask.class, p.rules().get(1).action());
        assertEquals("@dispvm", ask.defaultTarget().text());
        assertEquals(new RuleRef("include/svc2", 1), p.rules().get(1).location());
    }

    @Test
    void badDirectives() {
        assertEquals("invalid number of params", Fixtures.policy("!include a b").error().orElseThrow().message());
        assertEquals("invalid number of params", Fixtures.policy("!include-service s + ").error().orElseThrow().message());
        assertEquals("invalid directive", Fixtures.policy("!includes x").error().orElseThrow().message());
        assertEquals("only * argument allowed for * service",
                Fixtures.policy("!include-service * +x f", Map.of("f", "")).error().orElseThrow().message());
        assertEquals("invalid directive", Fixtures.policy("!include-service s * f",
                Map.of("f", "!include-dir x")).error().orElseThrow().message());
    }

    @Test
    void includeCyclesAreAnErrorNotACrash() {
        Policy p = Fixtures.policy("!include include/a", Map.of("include/a", "!include include/b",
                "include/b", "!include include/a"));
        PolicyError e = p.error().orElseThrow();
        assertTrue(e.message().contains("cycle"), e.toString());
        assertEquals("include/b", e.file());
        assertEquals(1, e.line());
    }

    @Test
    void sameFileIncludedTwiceIsNotACycle() {
        Policy p = Fixtures.policy("!include f\n!include f", Map.of("f", "s * @anyvm @anyvm deny"));
        assertEquals(List.of("f:1", "f:1"), where(p));
    }

    @Test
    void runtimeDirectoryWinsOnEqualNames() {
        PolicySource src = PolicySource.memory("/", Map.of(
                "run/qubes/policy.d/50-main.policy", "run * @anyvm @anyvm deny",
                "etc/qubes/policy.d/50-main.policy", "etc * @anyvm @anyvm deny",
                "etc/qubes/policy.d/10-first.policy", "first * @anyvm @anyvm deny"));
        Policy p = Policy.load(src, List.of("/run/qubes/policy.d", "/etc/qubes/policy.d"));
        assertEquals(List.of("first", "run"), p.rules().stream().map(Rule::service).toList());
        assertFalse(p.isStale());
    }

    @Test
    void universalNewlinesAndPythonWhitespace() {
        Policy p = Fixtures.policy("a * @anyvm @anyvm deny\rb * @anyvm @anyvm deny\r\n\u00a0c * @anyvm @anyvm deny\u2003");
        assertEquals(List.of("50-main.policy:1", "50-main.policy:2", "50-main.policy:3"), where(p));
        assertNull(p.error().orElse(null));
    }

    @Test
    void compat40LoadsTheOldDirectoryWithImplicitDenies() {
        PolicySource src = PolicySource.memory("/", Map.of(
                "etc/qubes/policy.d/35-compat.policy", "a * @anyvm @anyvm deny\n!compat-4.0\nz * @anyvm @anyvm deny",
                "etc/qubes-rpc/policy/qubes.Filecopy", "$anyvm $anyvm ask",
                "etc/qubes-rpc/policy/qubes.Filecopy+x", "$include:shared\n",
                "etc/qubes-rpc/policy/shared", "work personal allow,user=root",
                "etc/qubes-rpc/policy/qubes.Gpg.rpmnew", "garbage",
                "etc/qubes-rpc/policy/.hidden", "garbage",
                "etc/qubes-rpc/policy/bad name", "garbage"));
        Policy p = Policy.load(src, List.of("/etc/qubes/policy.d"));
        assertTrue(p.error().isEmpty(), () -> p.error().toString());
        // services sorted; within one, specific arguments first with two implicit denies
        assertEquals(List.of("a *", "qubes.Filecopy +x", "qubes.Filecopy +x", "qubes.Filecopy +x",
                        "qubes.Filecopy *", "shared *", "z *"),
                p.rules().stream().map(r -> (r.service() == null ? "*" : r.service()) + " "
                        + (r.argument() == null ? "*" : r.argument())).toList());
        assertEquals("/etc/qubes-rpc/policy/shared:1", p.rules().get(1).location().toString());
        Policy missing = Policy.load(src, List.of("/etc/qubes/policy.d"), "/nowhere");
        assertTrue(missing.error().orElseThrow().message().startsWith("failed to load /nowhere"));
        assertEquals("invalid directive", Policy.load(PolicySource.memory("/", Map.of(
                "p/1.policy", "!compat-4.0", "c/s", "!compat-4.0")), List.of("/p"), "/c").error().orElseThrow().message());
    }

    @Test
    void lintReportsEveryBadLineWithoutFollowingIncludes() {
        List<PolicyError> errors = Policy.lint("x.policy",
                "ok * @anyvm @anyvm deny\nbad\n!include does/not/exist\n* +x @anyvm @anyvm deny\n!compat-4.0", false);
        assertEquals(List.of("x.policy:2: wrong number of fields", "x.policy:4: only * argument allowed for * service"),
                errors.stream().map(PolicyError::toString).toList());
        assertEquals(1, Policy.lint("svc", "@anyvm @anyvm allow\n@anyvm", true).size());
    }
}
