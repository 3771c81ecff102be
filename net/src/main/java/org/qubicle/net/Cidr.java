package org.qubicle.net;

import org.qubicle.model.exc.QubesValueError;

/** An IPv4 network {@code a.b.c.d/n}, for rendering into nft and for matching conntrack flows. */
record Cidr(int address, int prefix) {
    Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new QubesValueError("Invalid prefix length: " + prefix);
        }
        address &= mask(prefix);
    }

    static Cidr parse(String untrusted) {
        String[] parts = untrusted.split("/", -1);
        if (parts.length > 2 || (parts.length == 2 && !parts[1].matches("[0-9]{1,2}"))) {
            throw new QubesValueError("Invalid IPv4 network: " + untrusted);
        }
        int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
        return new Cidr(Ipv4.bits(Ipv4.parse(parts[0])), prefix);
    }

    boolean contains(int addr) {
        return (addr & mask(prefix)) == address;
    }

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    @Override
    public String toString() {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff)
                + "/" + prefix;
    }
}
