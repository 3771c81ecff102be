package org.qubicle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** nft scripts loaded in the daemon land in the right namespace, all or nothing, with nft's own errors. */
@EnabledIfSystemProperty(named = "qubicle.integration", matches = "true")
class NftablesIntegrationTest {
    private static final String NS = "qubicle-nfttest" + (System.nanoTime() % 1000);

    @Test
    void aScriptLoadsInItsNamespaceAsOneTransaction() {
        assertTrue(Nftables.available(), "libnftables loads on the machines we set up");
        LeakCheck before = LeakCheck.snapshot();
        Links.createNs(NS, false);
        try {
            Cmd.nft(NS, "table ip qubicle-t {\n  chain c {\n    type filter hook input priority 0; policy accept;\n"
                    + "    ip saddr 10.9.9.9 drop\n  }\n}\n");
            assertTrue(Cmd.inNs(NS, null, "nft", "list", "table", "ip", "qubicle-t").contains("ip saddr 10.9.9.9 drop"));
            assertFalse(Cmd.run(null, "nft", "list", "tables").contains("qubicle-t"), "not in the host's namespace");

            // A bad line fails the whole script: the first table is not added either.
            NetException e = assertThrows(NetException.class,
                    () -> Cmd.nft(NS, "table ip qubicle-u {\n}\ntable ip qubicle-t {\n  chain c {\n    no such rule\n  }\n}\n"));
            assertTrue(e.getMessage().contains("Error"), e.getMessage());
            assertFalse(Cmd.inNs(NS, null, "nft", "list", "tables").contains("qubicle-u"), "all or nothing");
        } finally {
            Links.deleteNs(NS);
        }
        assertEquals(List.of(), LeakCheck.leaksSince(before));
    }
}
