package org.qubicle.policy;

/**
 * The answer the qrexec policy daemon writes for an allowed call (spec §9.3), e.g.
 * <pre>
 * user=DEFAULT
 * result=allow
 * target=personal
 * target_uuid=uuid:…
 * autostart=True
 * requested_target=@default
 * </pre>
 */
final class Response {
    private Response() {
    }

    /** The response text, or null when the target cannot be described (upstream crashes). */
    static String build(SystemInfo info, Request request, String requested, String target,
                        String user, boolean autostart) {
        String userLine = "user=" + (user == null || user.isEmpty() ? "DEFAULT" : user);
        String auto = "autostart=" + (autostart ? "True" : "False");
        String req = "requested_target=" + requested;
        if (Matcher.isDom0(target)) {
            return String.join("\n", userLine, "result=allow", "target=dom0", auto, req);
        }
        if (target.startsWith("@dispvm:")) {
            QubeInfo base = info.get(target.substring(8));
            if (base == null) {
                return null;
            }
            return String.join("\n", userLine, "result=allow", "target=" + target,
                    "target_uuid=@dispvm:uuid:" + base.uuid(), auto, req);
        }
        QubeInfo q = info.get(target);
        if (q == null) {
            return null;
        }
        if (q.type().equals("RemoteVM")) {
            // Qubes Air: the call goes to the relay qube through the transport service.
            QubeInfo relay = q.relayvm() == null ? null : info.get(q.relayvm());
            if (relay == null || q.transportRpc() == null || q.transportRpc().isEmpty()) {
                return null;
            }
            return String.join("\n", "user=DEFAULT", "result=allow", "target=" + q.relayvm(),
                    "target_uuid=uuid:" + relay.uuid(), auto, req,
                    "service=" + q.transportRpc() + "+" + requested + "+" + request.service()
                            + request.argument());
        }
        return String.join("\n", userLine, "result=allow", "target=" + target,
                "target_uuid=uuid:" + q.uuid(), auto, req);
    }
}
