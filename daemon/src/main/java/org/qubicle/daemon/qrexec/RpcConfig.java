package org.qubicle.daemon.qrexec;

/**
 * A service's {@code rpc-config} file (spec §9.5): {@code key = value} lines, of which
 * qrexec's daemon side reads two booleans. A value is true when its first word is
 * {@code true}, {@code 1} or {@code 'true'}, as the in-qube {@link ServiceRunner} reads it;
 * unknown keys and malformed lines are ignored.
 */
record RpcConfig(boolean waitForSession, boolean skipServiceDescriptor) {
    static final RpcConfig NONE = new RpcConfig(false, false);

    static RpcConfig parse(String untrustedText) {
        boolean wait = false;
        boolean skip = false;
        for (String line : untrustedText.split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = firstWord(line.substring(0, eq));
            String value = firstWord(line.substring(eq + 1));
            boolean b = value.equals("true") || value.equals("1") || value.equals("'true'");
            switch (key) {
                case "wait-for-session" -> wait = b;
                case "skip-service-descriptor" -> skip = b;
                default -> {
                    // other keys concern the in-qube side
                }
            }
        }
        return new RpcConfig(wait, skip);
    }

    private static String firstWord(String s) {
        String t = s.strip();
        int sp = 0;
        while (sp < t.length() && !Character.isWhitespace(t.charAt(sp))) {
            sp++;
        }
        return t.substring(0, sp);
    }
}
