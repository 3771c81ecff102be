package org.qubicle.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleParserTest {
    private static final RuleRef AT = new RuleRef("50-main.policy", 7);

    @Test
    void parsesAllOptionsOfAllow() {
        Rule r = RuleParser.parse("qubes.Filecopy\t+x  work @anyvm allow target=personal user=a=b notify=yes autostart=no", AT);
        assertEquals("qubes.Filecopy", r.service());
        assertEquals("+x", r.argument());
        Action.Allow a = assertInstanceOf(Action.Allow.class, r.action());
        assertEquals("personal", a.target().text());
        assertEquals("a=b", a.user());
        assertTrue(a.notifyUser());
        assertFalse(a.autostart());
        assertEquals(AT, r.location());
    }

    @Test
    void defaultsPerAction() {
        Action.Deny d = assertInstanceOf(Action.Deny.class, RuleParser.parse("* * @anyvm @anyvm deny", AT).action());
        assertTrue(d.notifyUser());
        Action.Allow a = assertInstanceOf(Action.Allow.class, RuleParser.parse("s * @anyvm @anyvm allow", AT).action());
        assertFalse(a.notifyUser());
        assertTrue(a.autostart());
        assertNull(a.user());
        Action.Ask k = assertInstanceOf(Action.Ask.class, RuleParser.parse("s * @anyvm @anyvm ask default_target=@dispvm user=", AT).action());
        assertFalse(k.notifyUser());
        assertEquals("", k.user());
        assertEquals("@dispvm", k.defaultTarget().text());
        assertNull(RuleParser.parse("* * @anyvm @anyvm deny", AT).service());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "s * @anyvm @anyvm",                          // too few fields
        "qubes.* * @anyvm @anyvm allow",              // no partial wildcards
        "s+x * @anyvm @anyvm allow",                  // + in service
        "* +x @anyvm @anyvm allow",                   // argument needs a service
        "s x @anyvm @anyvm allow",                    // argument without +
        "s +a:b @anyvm @anyvm allow",                 // bad argument character
        "s * @anyvm @anyvm Allow",                    // actions are lower case
        "s * @anyvm @anyvm allow,target=x",           // old comma form
        "s * @anyvm @anyvm allow # comment",          // no trailing comments
        "s * @anyvm @anyvm allow notify=true",        // booleans are yes/no
        "s * @anyvm @anyvm allow notify=",
        "s * @anyvm @anyvm allow notify=yes notify=no", // repeated key
        "s * @anyvm @anyvm deny target=work",         // deny takes no target
        "s * @anyvm @anyvm deny autostart=no",
        "s * @anyvm @anyvm allow default_target=work", // only ask has a default
        "s * @anyvm @anyvm allow target=",            // empty redirect
        "s * @anyvm @anyvm allow target=@anyvm",
        "s * @anyvm @anyvm ask target=@tag:x",
        "s * @anyvm @default allow",                  // @default needs target=
        "s * @default @anyvm allow",
        "s * @dispvm @anyvm allow",
        "s * @anyvm @anyvm allow =x",
    })
    void rejectsBadLines(String line) {
        PolicySyntaxException e = assertThrows(PolicySyntaxException.class, () -> RuleParser.parse(line, AT));
        assertTrue(e.getMessage().startsWith("50-main.policy:7: "), e.getMessage());
    }

    @Test
    void acceptsWhatUpstreamAccepts() {
        RuleParser.parse("s * @anyvm @default ask", AT);
        RuleParser.parse("s * @anyvm @default allow target=@dispvm", AT);
        RuleParser.parse("s + @dispvm:x @dispvm:@tag:y deny notify=no", AT);
        RuleParser.parse("s +a+b ghost Foo! allow target=uuid:x user=", AT);
        RuleParser.parse("s\u00a0*\u00a0@anyvm @anyvm allow", AT);   // Python splits on NBSP too
    }

    @Test
    void legacyLinesBecomeRulesForTheService() {
        Rule r = RuleParser.parseLegacy("svc", "+a", "@anyvm @default allow target=work", AT);
        assertEquals("svc", r.service());
        assertEquals("+a", r.argument());
        assertEquals("work", Action.redirect(r.action()).text());
        assertThrows(PolicySyntaxException.class, () -> RuleParser.parseLegacy("svc", null, "@anyvm @anyvm", AT));
    }

    @Test
    void ruleConstructorValidates() {
        assertThrows(IllegalArgumentException.class, () -> new Rule("s", null, Token.DEFAULT, Token.ANYVM,
                new Action.Deny(true), AT));
        assertThrows(IllegalArgumentException.class, () -> new Rule(null, "+x", Token.ANYVM, Token.ANYVM,
                new Action.Deny(true), AT));
        assertThrows(IllegalArgumentException.class, () -> new Action.Allow(Token.ANYVM, null, false, true));
    }
}
