package org.qubicle.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenTest {

    @Test
    void everyTokenParsesInTheTargetColumn() {
        Token.Context c = Token.Context.TARGET;
        assertInstanceOf(Token.Literal.class, Token.parse("work", c));
        assertInstanceOf(Token.Literal.class, Token.parse("uuid:" + Fixtures.WORK_UUID, c));
        assertInstanceOf(Token.Literal.class, Token.parse("$anyvm", c));
        assertInstanceOf(Token.Wildcard.class, Token.parse("*", c));
        assertInstanceOf(Token.AnyVm.class, Token.parse("@anyvm", c));
        assertInstanceOf(Token.AdminVm.class, Token.parse("@adminvm", c));
        assertInstanceOf(Token.DefaultVm.class, Token.parse("@default", c));
        assertInstanceOf(Token.DispVm.class, Token.parse("@dispvm", c));
        assertEquals(new Token.DispVmTemplate("work-dvm"), Token.parse("@dispvm:work-dvm", c));
        assertEquals(new Token.DispVmTag("dvm-ok"), Token.parse("@dispvm:@tag:dvm-ok", c));
        assertEquals(new Token.TagVm("x"), Token.parse("@tag:x", c));
        assertEquals(new Token.TypeVm("Foo"), Token.parse("@type:Foo", c));
    }

    @ParameterizedTest(name = "{0} in {1}: {2}")
    @CsvSource({
        "@default, SOURCE, false", "@dispvm, SOURCE, false", "@dispvm:x, SOURCE, true",
        "@dispvm:@tag:x, SOURCE, true", "@anyvm, REDIRECT, false", "*, REDIRECT, false",
        "@default, REDIRECT, false", "@tag:x, REDIRECT, false", "@type:x, REDIRECT, false",
        "@dispvm:@tag:x, REDIRECT, false", "@dispvm, REDIRECT, true", "@adminvm, REDIRECT, true",
        "@dispvm:x, REDIRECT, true", "@default, INTENDED, true", "@anyvm, INTENDED, false",
        "*, INTENDED, false", "@tag:x, INTENDED, false", "@dispvm:@tag:x, INTENDED, false",
        "@dispvm, INTENDED, true", "dom0, INTENDED, true",
    })
    void columnsAcceptTheirOwnTokens(String text, Token.Context context, boolean ok) {
        if (ok) {
            assertEquals(text, Token.parse(text, context).text());
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Token.parse(text, context));
            assertTrue(e.getMessage().contains("invalid " + context.label() + " token"), e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource({"@tag:", "@type:", "@dispvm:", "@dispvm:@tag:", "@dispvm:@foo", "@tag:@x", "@ADMINVM",
                "@foo", "@anyvm:x"})
    void malformedKeywordsAreErrors(String text) {
        assertThrows(IllegalArgumentException.class, () -> Token.parse(text, Token.Context.TARGET));
    }

    @Test
    void emptyTokenIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Token.parse("", Token.Context.REDIRECT));
        assertEquals("invalid empty redirect token", e.getMessage());
    }

    @Test
    void recordsRejectInvalidValues() {
        assertThrows(IllegalArgumentException.class, () -> new Token.TagVm(""));
        assertThrows(IllegalArgumentException.class, () -> new Token.DispVmTemplate("@tag:x"));
        assertThrows(IllegalArgumentException.class, () -> new Token.Literal("@x"));
    }
}
