package org.qubicle.daemon;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** Random requests: pure garbage, and plausible ones with a real method and odd fields. */
final class FuzzInput {
    private static final List<String> QUBES = List.of("dom0", "fz1", "fzt", "nosuch", "uuid:xyz",
            "uuid:00000000-0000-0000-0000-000000000000", "1bad", "Domain-0", "a b", "");
    private static final List<String> ARGS = List.of("", "memory", "label", "name", "qid", "default_template",
            "netvm", "nosuch", "root", "private", "red", "black", "service.x", "created-by-dom0", "x%y",
            "varlibqubes", "block", "file", "0", "-1", "..", "a+b");
    private static final List<String> PAYLOADS = List.of("", "red", "400", "-5", "True", "0x123456",
            "name=fz2 label=red", "name=fz1 label=red", "name=Fz3 label=9", "action=accept",
            "action=drop proto=tcp dstports=1-2", "action=bogus", "fz1", "fzt", "nosuch", "\u00e9",
            "name=p1\ndir_path=/nonexistent\n", "%s%d", "1\0" + "2");

    private FuzzInput() {
    }

    static byte[] garbage(Random rnd) {
        byte[] b = new byte[rnd.nextInt(rnd.nextBoolean() ? 16 : 300)];
        rnd.nextBytes(b);
        if (rnd.nextBoolean() && b.length > 0) {
            // mostly printable, sometimes with a NUL, to get past the first checks
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (0x20 + rnd.nextInt(0x60));
            }
            b[rnd.nextInt(b.length)] = 0;
        }
        if (rnd.nextInt(50) == 0) {
            b = new byte[65_537 + rnd.nextInt(10)];
        }
        return b;
    }

    static byte[] plausible(Random rnd, String method) {
        String m = switch (rnd.nextInt(12)) {
            case 0 -> method + "x";
            case 1 -> method.substring(0, rnd.nextInt(method.length()));
            default -> method;
        };
        String arg = pick(rnd, ARGS);
        String source = rnd.nextInt(10) == 0 ? pick(rnd, QUBES) : "dom0";
        String destType = rnd.nextInt(20) == 0 ? "keyword" : "name";
        String dest = destType.equals("keyword") ? (rnd.nextBoolean() ? "adminvm" : "x") : pick(rnd, QUBES);
        String header = m + (arg.isEmpty() && rnd.nextBoolean() ? "" : "+" + arg) + " " + source + " " + destType + " " + dest;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        if (rnd.nextInt(3) == 0) {
            out.writeBytes(pick(rnd, PAYLOADS).getBytes(StandardCharsets.UTF_8));
        } else if (rnd.nextInt(10) == 0) {
            byte[] junk = new byte[rnd.nextInt(64)];
            rnd.nextBytes(junk);
            out.writeBytes(junk);
        }
        return out.toByteArray();
    }

    private static String pick(Random rnd, List<String> from) {
        return from.get(rnd.nextInt(from.size()));
    }
}
