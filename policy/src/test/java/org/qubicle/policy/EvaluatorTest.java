package org.qubicle.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qubicle.policy.Fixtures.eval;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.qubicle.policy.Decision.DenyReason;

class EvaluatorTest {
    private static final String DVM = Fixtures.DVM_UUID;

    private static Decision.Allowed allowed(Decision d) {
        return assertInstanceOf(Decision.Allowed.class, d, () -> d.toString());
    }

    private static Decision.Denied denied(Decision d, DenyReason reason) {
        Decision.Denied x = assertInstanceOf(Decision.Denied.class, d, () -> d.toString());
        assertEquals(reason, x.reason(), x::toString);
        return x;
    }

    private static Decision.AskUser ask(Decision d) {
        return assertInstanceOf(Decision.AskUser.class, d, () -> d.toString());
    }

    @Test
    void allowAnswersLikeTheDaemon() {
        Decision.Allowed a = allowed(eval("s * work personal allow", "work", "personal", "s"));
        assertEquals("personal", a.target());
        assertNull(a.user());
        assertTrue(a.autostart());
        assertFalse(a.notifyUser());
        assertEquals(new RuleRef("50-main.policy", 1), a.rule());
        assertEquals("user=DEFAULT\nresult=allow\ntarget=personal\ntarget_uuid=uuid:" + Fixtures.PERSONAL_UUID
                + "\nautostart=True\nrequested_target=personal", a.response());
    }

    @Test
    void callToAMissingQubeIsACallWithoutTarget() {
        Decision.Denied d = denied(eval("s * @anyvm @anyvm allow", "work", "ghost", "s"), DenyReason.NO_TARGET);
        assertTrue(d.notifyUser());
        Decision.Allowed a = allowed(eval("s * @anyvm @default allow target=personal", "work", "ghost", "s"));
        assertEquals("@default", a.requestedTarget());
        assertEquals("@default", allowed(eval("s * @anyvm @default allow target=personal", "work", "", "s")).requestedTarget());
    }

    @Test
    void anyvmNeverMatchesDom0ButWildcardDoes() {
        denied(eval("s * @anyvm @anyvm allow", "work", "dom0", "s"), DenyReason.NO_MATCH);
        Decision.Allowed a = allowed(eval("s * @anyvm * allow", "work", "dom0", "s"));
        assertEquals("user=DEFAULT\nresult=allow\ntarget=dom0\nautostart=True\nrequested_target=dom0", a.response());
        Decision.Allowed b = allowed(eval("s * @anyvm @adminvm allow", "work", "@adminvm", "s"));
        assertEquals("dom0", b.target());
        assertEquals("@adminvm", b.requestedTarget());
        Decision.Allowed c = allowed(eval("s * @anyvm @anyvm allow target=uuid:" + SystemInfo.DOM0_UUID, "work", "personal", "s"));
        assertEquals("uuid:" + SystemInfo.DOM0_UUID, c.target());
        assertTrue(c.response().contains("\ntarget=dom0\n"));
    }

    @Test
    void firstMatchWinsAndRedirectsBypassLaterRules() {
        String p = "s * work personal deny notify=no\ns * work @anyvm allow target=personal\ns * @anyvm @anyvm allow";
        Decision.Denied d = denied(eval(p, "work", "personal", "s"), DenyReason.DENY_RULE);
        assertFalse(d.notifyUser());
        assertEquals(1, d.rule().line());
        assertEquals("personal", allowed(eval(p, "work", "no-dvm", "s")).target());
    }

    @Test
    void serviceAndArgumentMatchExactly() {
        String p = "s +x @anyvm @anyvm allow\nS * @anyvm @anyvm allow";
        assertEquals(1, allowed(eval(p, "work", "personal", "s+x")).rule().line());
        denied(eval(p, "work", "personal", "s"), DenyReason.NO_MATCH);
        denied(eval(p, "work", "personal", "s+xy"), DenyReason.NO_MATCH);
        assertEquals(2, allowed(eval(p, "work", "personal", "S+x+y")).rule().line());
        denied(eval("s + @anyvm @anyvm allow", "work", "personal", "s+x"), DenyReason.NO_MATCH);
    }

    @Test
    void tagAndTypeMatchTheNameDom0ButNotAdminvm() {
        String p = "s * @anyvm @type:AdminVM allow\ns * @anyvm @tag:trusted allow notify=yes";
        assertEquals(1, allowed(eval(p, "personal", "dom0", "s")).rule().line());
        denied(eval(p, "personal", "@adminvm", "s"), DenyReason.NO_MATCH);
        assertEquals(2, allowed(eval(p, "personal", "work", "s")).rule().line());
        denied(eval(p, "personal", "@default", "s"), DenyReason.NO_MATCH);
        assertEquals(1, allowed(eval("s * @tag:trusted @anyvm allow", "work", "personal", "s")).rule().line());
        assertEquals(1, allowed(eval("s * @type:AppVM @anyvm allow", "work", "personal", "s")).rule().line());
    }

    @Test
    void uuidTokensNameTheSameQube() {
        String p = "s * uuid:" + Fixtures.WORK_UUID + " uuid:" + Fixtures.PERSONAL_UUID + " allow";
        assertEquals("personal", allowed(eval(p, "work", "personal", "s")).target());
        Decision.Allowed a = allowed(eval("s * work personal allow", "work", "uuid:" + Fixtures.PERSONAL_UUID, "s"));
        assertEquals("uuid:" + Fixtures.PERSONAL_UUID, a.target());
        assertEquals("uuid:" + Fixtures.PERSONAL_UUID, a.requestedTarget());
    }

    @Test
    void disposableQuirks() {
        denied(eval("s * @anyvm @dispvm allow", "work", "@dispvm:work-dvm", "s"), DenyReason.NO_MATCH);
        Decision.Allowed a = allowed(eval("s * @anyvm @dispvm:work-dvm allow", "work", "@dispvm", "s"));
        assertEquals("@dispvm:work-dvm", a.target());
        assertEquals("@dispvm", a.requestedTarget());
        assertTrue(a.response().contains("\ntarget_uuid=@dispvm:uuid:" + DVM + "\n"), a.response());
        // the default_dispvm comparison is a plain string comparison of "@dispvm:X"
        denied(eval("s * @anyvm @dispvm:uuid:" + DVM + " allow", "work", "@dispvm", "s"), DenyReason.NO_MATCH);
        allowed(eval("s * @anyvm @dispvm:uuid:" + DVM + " allow", "work", "@dispvm:work-dvm", "s"));
        // a qube without default_dispvm: no match instead of upstream's crash
        denied(eval("s * @anyvm @dispvm:work-dvm allow", "no-dvm", "@dispvm", "s"), DenyReason.NO_MATCH);
        denied(eval("s * @anyvm @dispvm allow", "no-dvm", "@dispvm", "s"), DenyReason.NO_DEFAULT_DISPVM);
        // disposable tokens never match a caller
        denied(eval("s * @dispvm:work-dvm @anyvm allow", "work", "personal", "s"), DenyReason.NO_MATCH);
        assertEquals("@dispvm:work-dvm", allowed(eval("s * @anyvm @dispvm:@tag:dvm-ok allow", "work", "@dispvm", "s")).target());
        denied(eval("s * @anyvm @dispvm:@tag:dvm-ok allow", "work", "@dispvm:other-dvm", "s"), DenyReason.NO_MATCH);
        denied(eval("s * @anyvm @anyvm allow target=@dispvm:personal", "work", "no-dvm", "s"), DenyReason.INVALID_DISPVM_TARGET);
    }

    @Test
    void badIntendedTargetsAreRequestErrors() {
        for (String t : List.of("@anyvm", "*", "@tag:x", "@type:AppVM", "@dispvm:@tag:x", "@foo", "@dispvm:")) {
            Decision.Failed f = assertInstanceOf(Decision.Failed.class, eval("s * @anyvm * allow", "work", t, "s"), t);
            assertEquals(Decision.Failed.Kind.REQUEST, f.kind());
            assertFalse(f.notifyUser());
        }
        Decision.Failed f = assertInstanceOf(Decision.Failed.class, eval("s * @anyvm * allow", "work", "@dispvm:personal", "s"));
        assertEquals("not a template for dispvm: personal", f.detail());
        assertTrue(f.notifyUser());
    }

    @Test
    void autostartNoNeedsARunningTarget() {
        Decision.Denied d = denied(eval("s * @anyvm @anyvm allow autostart=no", "work", "personal", "s"), DenyReason.AUTOSTART);
        assertFalse(d.notifyUser());
        assertTrue(denied(eval("s * @anyvm @anyvm allow autostart=no notify=yes", "work", "personal", "s"),
                DenyReason.AUTOSTART).notifyUser());
        Decision.Allowed a = allowed(eval("s * @anyvm @anyvm allow autostart=no", "work", "no-dvm", "s"));
        assertTrue(a.response().contains("autostart=False"));
        denied(eval("s * @anyvm @anyvm allow autostart=no", "work", "@dispvm", "s"), DenyReason.AUTOSTART);
        allowed(eval("s * @anyvm @adminvm allow autostart=no", "work", "@adminvm", "s"));
    }

    @Test
    void loopbackIsRefusedUnlessSpelledAsUuid() {
        assertTrue(denied(eval("s * @anyvm @anyvm allow", "work", "work", "s"), DenyReason.LOOPBACK).notifyUser());
        allowed(eval("s * @anyvm @anyvm allow", "work", "uuid:" + Fixtures.WORK_UUID, "s"));
    }

    @Test
    void askOffersWhatEarlierDeniesDoNotTakeAway() {
        Decision.AskUser a = ask(eval("s * work personal deny\ns * work @anyvm ask", "work", "@default", "s"));
        assertEquals(List.of("@dispvm:other-dvm", "@dispvm:work-dvm", "no-dvm", "other-dvm", "work-dvm"), a.targets());
        assertNull(a.defaultTarget());
        assertEquals("@default", a.requestedTarget());
        Decision.AskUser b = ask(eval("s * work @anyvm ask\ns * work personal deny", "work", "@default", "s"));
        assertTrue(b.targets().contains("personal"));
        // later allow rules contribute, with their redirects; the target column is ignored
        Decision.AskUser c = ask(eval("s * work dom0 ask\ns * work no-dvm allow target=@adminvm\ns * @anyvm @anyvm deny",
                "work", "dom0", "s"));
        assertEquals(List.of("dom0"), c.targets());
    }

    @Test
    void askOptions() {
        Decision.AskUser a = ask(eval("s * @anyvm @anyvm ask target=@adminvm default_target=dom0", "work", "personal", "s"));
        assertEquals(List.of("dom0"), a.targets());
        assertEquals("dom0", a.defaultTarget());
        Decision.AskUser b = ask(eval("s * @anyvm @anyvm ask target=uuid:" + Fixtures.PERSONAL_UUID
                + " default_target=personal user=", "work", "personal", "s"));
        assertEquals(List.of("uuid:" + Fixtures.PERSONAL_UUID), b.targets());
        assertNull(b.defaultTarget());
        assertEquals("", b.user());
        Decision.AskUser c = ask(eval("s * @anyvm @anyvm ask default_target=@dispvm", "work", "personal", "s"));
        assertEquals("@dispvm:work-dvm", c.defaultTarget());
        Decision.AskUser d = ask(eval("s * @anyvm @anyvm ask autostart=no", "work", "personal", "s"));
        assertEquals(List.of("no-dvm"), d.targets());
        denied(eval("s * @anyvm @anyvm ask target=personal autostart=no", "work", "personal", "s"), DenyReason.ASK_NO_TARGETS);
        denied(eval("s * @anyvm @anyvm ask target=ghost autostart=no", "work", "personal", "s"), DenyReason.ASK_NO_TARGETS);
        assertEquals(List.of("ghost"), ask(eval("s * @anyvm @anyvm ask target=ghost", "work", "personal", "s")).targets());
    }

    @Test
    void confirmAskRunsThePickAsAnAllow() {
        Policy p = Fixtures.policy("s * @anyvm @anyvm ask user=u notify=yes");
        Request r = Request.of("work", "personal", "s");
        Decision.AskUser a = ask(p.evaluate(Fixtures.system(), r));
        Decision.Allowed ok = allowed(p.confirmAsk(Fixtures.system(), r, a, "no-dvm"));
        assertEquals("u", ok.user());
        assertTrue(ok.notifyUser());
        assertTrue(ok.response().startsWith("user=u\nresult=allow\ntarget=no-dvm\n"));
        denied(p.confirmAsk(Fixtures.system(), r, a, "dom0"), DenyReason.NOT_A_CHOICE);
        assertEquals("@dispvm:work-dvm", allowed(p.confirmAsk(Fixtures.system(), r, a, "@dispvm:work-dvm")).target());
    }

    @Test
    void remoteQubesGoThroughTheirRelay() {
        List<QubeInfo> qubes = new java.util.ArrayList<>(Fixtures.system().qubes());
        qubes.add(new QubeInfo("remote", List.of(), "RemoteVM", false, null, null, null, null, "work",
                "qubesair.SSHProxy", "Running", "77777777-7777-7777-7777-777777777777", false));
        qubes.add(new QubeInfo("lost", List.of(), "RemoteVM", false, null, null, null, null, null,
                null, "Running", "88888888-8888-8888-8888-888888888888", false));
        SystemInfo info = new SystemInfo(qubes);
        Policy p = Fixtures.policy("s * @anyvm @anyvm allow user=root");
        Decision.Allowed a = allowed(p.evaluate(info, Request.of("personal", "remote", "s+x")));
        assertEquals("remote", a.target());
        assertEquals("user=DEFAULT\nresult=allow\ntarget=work\ntarget_uuid=uuid:" + Fixtures.WORK_UUID
                + "\nautostart=True\nrequested_target=remote\nservice=qubesair.SSHProxy+remote+s+x", a.response());
        denied(p.evaluate(info, Request.of("personal", "lost", "s")), DenyReason.UNREACHABLE);
    }

    @Test
    void unknownSourceStillMatchesAnyvm() {
        assertEquals("personal", allowed(eval("s * @anyvm @anyvm allow", "ghost", "personal", "s")).target());
        denied(eval("s * @tag:trusted @anyvm allow", "ghost", "personal", "s"), DenyReason.NO_MATCH);
    }
}
