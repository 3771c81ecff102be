package org.qubicle.net;

import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a rule's {@code dsthost} inside the netvm's namespace, through the netvm's own
 * resolver, as the Qubes agent does with getaddrinfo in the netvm. It runs
 * {@code busybox nslookup -type=a NAME SERVER} there: a JVM cannot enter a network namespace
 * on one thread, and glibc tools would read the host's resolv.conf.
 */
final class NameResolver implements FirewallCompiler.Resolver {
    private static final int MAX_ADDRESSES = 64;
    private final String ns;
    private final List<Cidr> servers;

    NameResolver(String ns, List<Cidr> servers) {
        this.ns = ns;
        this.servers = servers;
    }

    @Override
    public List<Cidr> resolve(String name) {
        if (servers.isEmpty()) {
            throw new NetException("Failed to resolve " + name + ": no resolver in the netvm");
        }
        String server = BaseRules.host(servers.get(0));
        Cmd.Result r = Cmd.execInNs(ns, null, "timeout", "10", "busybox", "nslookup", "-type=a", name, server);
        List<Cidr> out = parse(r.out(), server);
        if (!r.ok() || out.isEmpty()) {
            throw new NetException("Failed to resolve " + name);
        }
        return out;
    }

    /** Takes the {@code Address:} lines after the server's own block (busybox 1.35 format). */
    static List<Cidr> parse(String untrustedOutput, String server) {
        List<Cidr> out = new ArrayList<>();
        boolean answers = false;
        for (String line : untrustedOutput.split("\n")) {
            String l = line.strip();
            if (l.startsWith("Name:")) {
                answers = true;
            } else if (answers && l.startsWith("Address:") && out.size() < MAX_ADDRESSES) {
                String a = l.substring("Address:".length()).strip();
                if (a.matches("[0-9.]+")) {
                    out.add(Cidr.parse(a));
                }
            }
        }
        return out;
    }
}
