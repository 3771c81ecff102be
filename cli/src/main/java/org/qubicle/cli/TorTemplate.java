package org.qubicle.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code qvm-template install debian-12-tor}: Debian 12 with the {@code tor} package and a
 * torrc for a Tor gateway qube, Qubicle's sys-whonix-like preset (docs/net.md, "sys-tor").
 * A qube on it with {@code provides_network=True} and feature {@code net.gateway=tor}
 * redirects its clients' TCP to TransPort 9040 and their DNS to DNSPort 5300; the daemon
 * starts {@code tor} in it when it starts.
 */
final class TorTemplate {
    static final String NAME = "debian-12-tor";

    static final String TORRC = """
            # Qubicle Tor gateway (feature net.gateway=tor): a transparent proxy for the qubes
            # behind it. The gateway's nftables send their TCP to TransPort, their DNS to DNSPort;
            # everything else from them is dropped, so nothing gets out while tor is down.
            TransPort 0.0.0.0:9040 IsolateClientAddr IsolateDestAddr
            DNSPort 0.0.0.0:5300
            VirtualAddrNetworkIPv4 10.192.0.0/10
            AutomapHostsOnResolve 1
            SocksPort 0
            Log notice file /rw/tor/notices.log
            """;

    private TorTemplate() {
    }

    static void build(Path qubesRoot, Path dir, PrintWriter progress) throws IOException, InterruptedException {
        DebianTemplate.build(qubesRoot, dir, progress, List.of("tor"));
        Files.createDirectories(dir.resolve("etc/tor"));
        Files.writeString(dir.resolve("etc/tor/torrc"), TORRC);
    }
}
