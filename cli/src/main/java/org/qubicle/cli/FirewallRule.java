package org.qubicle.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One firewall rule, validated as qubesadmin's {@code firewall.Rule} validates it
 * (qubes-model.md §10.4). Fields are null when absent; {@code dsthost} keeps the text
 * with its prefix length, {@code dstType} is {@code dst4}, {@code dst6} or {@code dsthost}.
 */
record FirewallRule(String action, String proto, String dsthost, String dstType,
        int[] dstports, Integer icmptype, String specialtarget, Long expire, String comment) {

    private static final Pattern HOSTNAME = Pattern.compile("[a-z0-9._-]+");
    private static final Pattern COMMENT = Pattern.compile("[A-Za-z0-9:;,./_\\[\\] -]*");

    FirewallRule {
        if (action == null) {
            throw new IllegalArgumentException("missing action=");
        }
        if (!action.equals("accept") && !action.equals("drop")) {
            throw new IllegalArgumentException("invalid action: " + action);
        }
        if (proto != null && !List.of("tcp", "udp", "icmp").contains(proto)) {
            throw new IllegalArgumentException("invalid proto: " + proto);
        }
        if (dstports != null && !("tcp".equals(proto) || "udp".equals(proto))) {
            throw new IllegalArgumentException("dstports valid only for 'tcp' and 'udp' protocols");
        }
        if (icmptype != null && !"icmp".equals(proto)) {
            throw new IllegalArgumentException("icmptype valid only for 'icmp' protocol");
        }
        if (icmptype != null && (icmptype < 0 || icmptype > 255)) {
            throw new IllegalArgumentException("ICMP type out of range");
        }
        if (specialtarget != null && !specialtarget.equals("dns")) {
            throw new IllegalArgumentException("invalid specialtarget: " + specialtarget);
        }
        if (comment != null && !COMMENT.matcher(comment).matches()) {
            throw new IllegalArgumentException("invalid characters in comment");
        }
    }

    /** Builds a rule from named elements (API or command line); unknown keys are refused. */
    static FirewallRule of(Map<String, String> untrusted) {
        Map<String, String> m = new LinkedHashMap<>(untrusted);
        String action = m.remove("action");
        String proto = m.remove("proto");
        String host = m.remove("dsthost");
        for (String k : List.of("dst4", "dst6", "dstname")) {
            String v = m.remove(k);
            if (v != null) {
                host = v;
            }
        }
        String ports = m.remove("dstports");
        String icmp = m.remove("icmptype");
        String special = m.remove("specialtarget");
        String expire = m.remove("expire");
        String comment = m.remove("comment");
        if (!m.isEmpty()) {
            throw new IllegalArgumentException("Unknown rule elements: " + m.keySet());
        }
        String[] dst = host == null ? new String[] {null, null} : host(host);
        return new FirewallRule(action, proto, dst[0], dst[1], ports == null ? null : ports(ports),
                icmp == null ? null : parseInt(icmp, "icmptype"), special,
                expire == null ? null : (long) parseLong(expire), comment);
    }

    /** Parses an API line: {@code key=value} items, {@code comment=} takes the rest. */
    static FirewallRule parse(String untrusted) {
        Map<String, String> m = new LinkedHashMap<>();
        int c = untrusted.indexOf("comment=");
        String opts = c < 0 ? untrusted : untrusted.substring(0, c);
        for (String item : opts.split(" ")) {
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("invalid rule element: " + item);
            }
            m.put(item.substring(0, eq), item.substring(eq + 1));
        }
        if (c >= 0 && c + 8 < untrusted.length()) {
            m.put("comment", untrusted.substring(c + 8));
        }
        return of(m);
    }

    /** The API text, in qubesadmin's key order. */
    String rule() {
        StringBuilder b = new StringBuilder("action=").append(action);
        if (proto != null) {
            b.append(" proto=").append(proto);
        }
        if (dsthost != null && !(dsthost.endsWith("/0") && !dstType.equals("dsthost"))) {
            b.append(' ').append(dstType).append('=').append(dsthost);
        }
        if (dstports != null) {
            b.append(" dstports=").append(dstports[0]).append('-').append(dstports[1]);
        }
        if (icmptype != null) {
            b.append(" icmptype=").append(icmptype);
        }
        if (specialtarget != null) {
            b.append(" specialtarget=").append(specialtarget);
        }
        if (expire != null) {
            b.append(" expire=").append(expire);
        }
        if (comment != null) {
            b.append(" comment=").append(comment);
        }
        return b.toString();
    }

    /** Ports as the table shows them: {@code N} or {@code N-M}. */
    String prettyPorts() {
        return dstports == null ? null
                : dstports[0] == dstports[1] ? String.valueOf(dstports[0]) : dstports[0] + "-" + dstports[1];
    }

    /** Expiry relative to now, as {@code +300s}. */
    String prettyExpire(long nowSeconds) {
        if (expire == null) {
            return null;
        }
        long d = expire - nowSeconds;
        return (d >= 0 ? "+" : "") + d + "s";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FirewallRule r && r.rule().equals(rule());
    }

    @Override
    public int hashCode() {
        return rule().hashCode();
    }

    private static int[] ports(String value) {
        String[] parts = value.split("-", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("invalid port range: " + value);
        }
        int lo = parseInt(parts[0], "dstports");
        int hi = parts.length == 2 ? parseInt(parts[1], "dstports") : lo;
        if (lo < 0 || hi > 65535) {
            throw new IllegalArgumentException("Ports out of range");
        }
        if (lo > hi) {
            throw new IllegalArgumentException("Invalid port range");
        }
        return new int[] {lo, hi};
    }

    /** {address/prefix, type} for an IPv4 or IPv6 address or network, or a hostname. */
    private static String[] host(String value) {
        String[] parts = value.split("/", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("Too many /: " + value);
        }
        String addr = parts[0];
        Integer prefix = parts.length == 2 ? parseInt(parts[1], "netmask") : null;
        if (isIpv4(addr)) {
            int p = prefix == null ? 32 : prefix;
            if (p < 0 || p > 32) {
                throw new IllegalArgumentException("netmask for IPv4 must be between 0 and 32");
            }
            return new String[] {addr + "/" + p, "dst4"};
        }
        if (addr.contains(":")) {
            try {
                java.net.InetAddress a = java.net.InetAddress.ofLiteral(addr);
                if (a instanceof java.net.Inet6Address) {
                    int p = prefix == null ? 128 : prefix;
                    if (p < 0 || p > 128) {
                        throw new IllegalArgumentException("netmask for IPv6 must be between 0 and 128");
                    }
                    return new String[] {addr + "/" + p, "dst6"};
                }
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("netmask")) {
                    throw e;
                }
            }
            throw new IllegalArgumentException("Invalid IP address: " + addr);
        }
        if (prefix != null) {
            throw new IllegalArgumentException("Invalid IP address: " + addr);
        }
        if (!HOSTNAME.matcher(addr).matches()) {
            throw new IllegalArgumentException("Invalid hostname");
        }
        return new String[] {addr, "dsthost"};
    }

    private static boolean isIpv4(String s) {
        String[] octets = s.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    private static int parseInt(String s, String what) {
        return (int) parseLong(s, what);
    }

    private static long parseLong(String s) {
        return parseLong(s, "expire");
    }

    private static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + what + ": " + s);
        }
    }
}
