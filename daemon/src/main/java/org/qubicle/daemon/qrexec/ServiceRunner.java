package org.qubicle.daemon.qrexec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.qubicle.qrexec.wire.CallHeader;

/**
 * How a service starts inside the target qube: a short {@code /bin/sh} script, run by the
 * driver with all the qube's confinement, that does what qrexec-agent does (spec §9.5). It
 * looks the service up with {@code lstat} semantics in {@code /run/qubes-rpc},
 * {@code /usr/local/etc/qubes-rpc} and {@code /etc/qubes-rpc}, first as {@code SERVICE+ARG},
 * then as {@code SERVICE} (exit 127 when none exists, 125 when it cannot run), reads
 * {@code rpc-config} ({@code wait-for-session}, {@code skip-service-descriptor}) from
 * {@code /run/qubes/rpc-config}, {@code /usr/local/etc/qubes/rpc-config} and
 * {@code /etc/qubes/rpc-config}, and runs the executable with the argument as argv[1] when
 * non-empty. A unix-socket service is bridged by the in-qube Java tool
 * {@code qrexec-socket-service}, which writes the service descriptor first.
 *
 * <p>Service and argument travel as positional parameters, never inside the script text.
 */
final class ServiceRunner {
    static final String SCRIPT = """
            svc=$1; arg=$2; full="$svc+$arg"; found=
            look() { for d in /run/qubes-rpc /usr/local/etc/qubes-rpc /etc/qubes-rpc; do
                if [ -e "$d/$1" ] || [ -L "$d/$1" ]; then found="$d/$1"; return 0; fi; done; return 1; }
            [ ${#full} -le 255 ] && look "$full" || look "$svc" || {
                echo "qrexec: service $full not found" >&2; exit 127; }
            wait=0; skip=0
            for d in /run/qubes/rpc-config /usr/local/etc/qubes/rpc-config /etc/qubes/rpc-config; do
                for n in "$full" "$svc"; do
                    if [ -f "$d/$n" ]; then
                        while IFS='=' read -r k v; do
                            set -f; set -- $k; k=$1; set -- $v; v=$1; set +f
                            case "$v" in true|1|\\'true\\') b=1 ;; *) b=0 ;; esac
                            case "$k" in wait-for-session) wait=$b ;; skip-service-descriptor) skip=$b ;; esac
                        done <<EOF_CFG
            $(head -c 4096 "$d/$n")
            EOF_CFG
                        break 2
                    fi
                done
            done
            if [ "$wait" = 1 ] && [ "$svc" != qubes.WaitForSession ]; then
                for d in /run/qubes-rpc /usr/local/etc/qubes-rpc /etc/qubes-rpc; do
                    if [ -x "$d/qubes.WaitForSession" ]; then "$d/qubes.WaitForSession" </dev/null >/dev/null 2>&1; break; fi
                done
            fi
            if [ -S "$found" ]; then
                exec /usr/lib/qubicle/bin/qubicle-agent qrexec-socket-service "$found" "$skip"
            fi
            if [ ! -f "$found" ] || [ ! -x "$found" ]; then echo "qrexec: cannot run $found" >&2; exit 125; fi
            if [ -n "$arg" ]; then exec "$found" "$arg"; else exec "$found"; fi
            """;

    private ServiceRunner() {
    }

    /** The command the driver runs: {@code sh -c SCRIPT qrexec-service SERVICE ARG}. */
    static List<String> command(CallHeader h) {
        return List.of("/bin/sh", "-c", SCRIPT, "qrexec-service", h.service(), h.argument());
    }

    /**
     * The service's environment, as qrexec-agent sets it: {@code QREXEC_REMOTE_DOMAIN},
     * {@code QREXEC_SERVICE_FULL_NAME}, {@code QREXEC_SERVICE_ARGUMENT} (when a {@code +} was
     * given), and the requested target as dom0 services get it ({@code QREXEC_REQUESTED_TARGET_TYPE}
     * {@code name} with {@code QREXEC_REQUESTED_TARGET}, or {@code keyword} with
     * {@code QREXEC_REQUESTED_TARGET_KEYWORD}, the keyword without its {@code @}).
     */
    static Map<String, String> env(String source, CallHeader h, String requestedTarget) {
        Map<String, String> env = new HashMap<>();
        env.put("QREXEC_REMOTE_DOMAIN", source);
        String full = h.service() + "+" + h.argument();
        env.put("QREXEC_SERVICE_FULL_NAME", full);
        if (h.hasArgument()) {
            env.put("QREXEC_SERVICE_ARGUMENT", h.argument());
        }
        if (requestedTarget.startsWith("@")) {
            env.put("QREXEC_REQUESTED_TARGET_TYPE", "keyword");
            env.put("QREXEC_REQUESTED_TARGET_KEYWORD", requestedTarget.substring(1));
        } else {
            env.put("QREXEC_REQUESTED_TARGET_TYPE", "name");
            env.put("QREXEC_REQUESTED_TARGET", requestedTarget);
        }
        return env;
    }
}
