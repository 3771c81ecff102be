import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Part of daemon/bench/qrexec.sh, run inside the caller qube by its own JDK: times commands
 * as a user in the qube starts them, from fork to exit, with no host exec around each.
 * Prints "KIND NANOS" per run, the kinds interleaved (so drift hits each alike), after three
 * unprinted rounds: {@code true} (a fork and exec: the baseline), {@code help}
 * ({@code qrexec-client-vm --help}: the client's JVM alone) and {@code call}
 * ({@code qrexec-client-vm TARGET SERVICE}: the JVM and the call).
 *   java -Djdk.lang.Process.launchMechanism=VFORK ColdRunner.java RUNS TARGET SERVICE
 * (vfork: a fork of this JVM would copy its page tables, several ms more than a shell pays)
 */
public class ColdRunner {
    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        List<String[]> kinds = List.of(new String[] {"true", "true"},
                new String[] {"help", "qrexec-client-vm", "--help"},
                new String[] {"call", "qrexec-client-vm", args[1], args[2]});
        StringBuilder out = new StringBuilder();
        for (int i = -3; i < runs; i++) {
            for (String[] k : kinds) {
                List<String> cmd = new ArrayList<>(List.of(k).subList(1, k.length));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
                long t0 = System.nanoTime();
                int rc = pb.start().waitFor();
                long t = System.nanoTime() - t0;
                if (rc != 0) {
                    throw new IllegalStateException(String.join(" ", cmd) + " exit " + rc);
                }
                if (i >= 0) {
                    out.append(k[0]).append(' ').append(t).append('\n');
                }
            }
        }
        System.out.print(out);
    }
}
