package org.qubicle.policy;

/**
 * Token matching against the caller and the normalised intended target (spec §4), following the
 * reference code exactly, string comparisons included. Where upstream crashes, this answers
 * "no match".
 */
final class Matcher {
    private Matcher() {
    }

    private static final String DOM0_UUID_KEY = "uuid:" + SystemInfo.DOM0_UUID;

    /** {@code dom0}, {@code @adminvm} or dom0's uuid form. */
    static boolean isDom0(String s) {
        return s.equals("dom0") || s.equals("@adminvm") || s.equals(DOM0_UUID_KEY);
    }

    /** Equal strings, or a {@code uuid:U} and an existing qube whose uuid is U. */
    static boolean sameQube(SystemInfo info, String a, String b) {
        if (a.startsWith("uuid:")) {
            if (b.startsWith("uuid:")) {
                return a.equals(b);
            }
            QubeInfo q = info.get(b);
            return q != null && a.substring(5).equals(q.uuid());
        }
        if (b.startsWith("uuid:")) {
            QubeInfo q = info.get(a);
            return q != null && b.substring(5).equals(q.uuid());
        }
        return a.equals(b);
    }

    /** The SOURCE column against the caller. Disposable tokens never match a caller (quirk). */
    static boolean source(SystemInfo info, Token token, String caller) {
        return switch (token) {
            case Token.Literal l -> isDom0(l.text()) ? isDom0(caller) : sameQube(info, l.text(), caller);
            case Token.Wildcard w -> true;
            case Token.AnyVm a -> !isDom0(caller);
            case Token.AdminVm a -> isDom0(caller);
            case Token.TagVm t -> hasTag(info, caller, t.tag());
            case Token.TypeVm t -> hasType(info, caller, t.type());
            case Token.DefaultVm d -> caller.equals("@default");
            case Token.DispVm d -> false;
            case Token.DispVmTemplate t -> false;
            case Token.DispVmTag g -> false;
        };
    }

    /** The TARGET column against the normalised intended target {@code target}. */
    static boolean target(SystemInfo info, Token token, String target, String caller) {
        return switch (token) {
            case Token.Literal l -> isDom0(l.text()) ? isDom0(target) : sameQube(info, l.text(), target);
            case Token.Wildcard w -> true;
            case Token.AnyVm a -> !isDom0(target);
            case Token.AdminVm a -> isDom0(target);
            case Token.DefaultVm d -> target.equals("@default");
            case Token.TagVm t -> hasTag(info, target, t.tag());
            case Token.TypeVm t -> hasType(info, target, t.type());
            case Token.DispVm d -> target.equals("@dispvm");
            case Token.DispVmTemplate t -> dispVmTemplate(info, t, target, caller);
            case Token.DispVmTag g -> dispVmTag(info, g, target, caller);
        };
    }

    private static boolean hasTag(SystemInfo info, String key, String tag) {
        QubeInfo q = info.get(key);
        return q != null && q.tags().contains(tag);
    }

    private static boolean hasType(SystemInfo info, String key, String type) {
        QubeInfo q = info.get(key);
        return q != null && q.type().equals(type);
    }

    /**
     * For a {@code @dispvm} call upstream compares the whole {@code @dispvm:X} strings, so a rule
     * written with X's uuid does not match a call resolved through default_dispvm's name.
     */
    private static boolean dispVmTemplate(SystemInfo info, Token.DispVmTemplate t, String target,
                                          String caller) {
        if (target.equals("@dispvm")) {
            String dflt = defaultDispvm(info, caller);
            return dflt != null && t.text().equals("@dispvm:" + dflt);
        }
        if (target.startsWith("@dispvm:")) {
            return sameQube(info, t.value(), target.substring(8));
        }
        return false;
    }

    private static boolean dispVmTag(SystemInfo info, Token.DispVmTag g, String target, String caller) {
        String base;
        if (target.equals("@dispvm")) {
            base = defaultDispvm(info, caller);
        } else if (target.startsWith("@dispvm:")) {
            base = target.substring(8);
        } else {
            return false;
        }
        QubeInfo q = base == null ? null : info.get(base);
        return q != null && q.templateForDispvms() && q.tags().contains(g.tag());
    }

    /** The caller's default_dispvm, or null (also when the caller is unknown). */
    static String defaultDispvm(SystemInfo info, String caller) {
        QubeInfo q = info.get(caller);
        return q == null ? null : q.defaultDispvm();
    }

    /** Upstream's allow_no_autostart; null when the target is unknown (upstream crashes). */
    static Boolean runsWithoutAutostart(SystemInfo info, String target) {
        if (isDom0(target)) {
            return true;
        }
        if (target.startsWith("@dispvm")) {
            return false;
        }
        QubeInfo q = info.get(target);
        return q == null ? null : q.powerState().equals("Running");
    }
}
