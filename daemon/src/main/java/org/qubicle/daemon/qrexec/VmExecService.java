package org.qubicle.daemon.qrexec;

/** The in-qube {@code qubes.VMExec} service that {@link AgentRuntime} installs. */
final class VmExecService {
    private VmExecService() {
    }

    /**
     * qubes.VMExec+ARGS as upstream's: the program and its arguments joined by {@code +},
     * each byte outside {@code [A-Za-z0-9_.]} written {@code -XX} (hex) and {@code -} as
     * {@code --} (qubesadmin's encode_for_vmexec); run directly, no shell in between.
     */
    static final String SCRIPT = """
            #!/bin/sh
            # qubicle: qubes.VMExec+ARGS, decoded as upstream's, then exec'd without a shell
            arg=$1
            case $arg in ''|*[!A-Za-z0-9_.+-]*) echo "qubes.VMExec: invalid argument" >&2; exit 1 ;; esac
            set -f
            IFS=+
            set -- $arg
            IFS=' '
            n=$#
            for p do
                out=
                while [ -n "$p" ]; do
                    case $p in
                        --*) out=$out-; p=${p#--} ;;
                        -00*) echo "qubes.VMExec: NUL in an argument" >&2; exit 1 ;;
                        -[0-9A-F][0-9A-F]*)
                            h=${p#-}; h=${h%"${h#??}"}; p=${p#-??}
                            c=$(printf "\\\\$(printf %o "0x$h")_"); out=$out${c%_} ;;
                        -*) echo "qubes.VMExec: invalid escape" >&2; exit 1 ;;
                        *) c=${p%"${p#?}"}; out=$out$c; p=${p#?} ;;
                    esac
                done
                set -- "$@" "$out"
            done
            shift "$n"
            exec "$@"
            """;
}
