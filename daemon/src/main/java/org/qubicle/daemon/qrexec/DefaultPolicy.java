package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The policy a fresh root starts with, written by us from the facts of Qubes' defaults
 * (spec §10.2 and qubes-core-qrexec's policy.d), not copied: {@code 90-default.policy} for the
 * everyday services, {@code 90-admin-default.policy} routing each admin method to the four
 * empty {@code include/admin-{local,global}-{rwx,ro}} files (so every admin call from a qube
 * is denied until the user adds a rule there), and {@code 91-admin-default-deny.policy}
 * keeping the expected GetAll denials quiet, and {@code 90-admin-policy-default.policy} routing
 * the Policy Admin API ({@code policy.*}) to the empty {@code include/admin-policy-{ro,rwx}}.
 * Installed only when {@code policy.d} has no
 * {@code .policy} file at all; the user's edits are never overwritten.
 */
final class DefaultPolicy {
    private static final Pattern READ_ONLY = Pattern.compile(
            ".*\\.(List|Get|GetAll|GetDefault|Info|CurrentState|Available|Help|ListPools|Check)$");

    private DefaultPolicy() {
    }

    static final String DEFAULT = """
            ## Qubicle default qrexec policy (the defaults of Qubes' 90-default.policy).
            ## Do not edit: put your rules in a file that sorts first, e.g. 30-user.policy.
            ## Format: SERVICE ARGUMENT SOURCE TARGET ACTION [OPTIONS]; the first match wins.

            # Copying files between qubes: the user picks the destination.
            qubes.Filecopy          *   @anyvm   @anyvm     ask

            # Opening a file in another qube: disposables freely, other qubes on request.
            qubes.OpenInVM          *   @anyvm   @dispvm    allow
            qubes.OpenInVM          *   @anyvm   @anyvm     ask
            qubes.OpenURL           *   @anyvm   @dispvm    allow
            qubes.OpenURL           *   @anyvm   @anyvm     ask
            qubes.StartApp          *   @anyvm   @dispvm    allow
            qubes.StartApp          *   @anyvm   @anyvm     ask

            # Clock: every qube may ask dom0 for the time.
            qubes.GetDate           *   @anyvm   @adminvm   allow
            qubes.GetDate           *   @anyvm   @default   allow   target=dom0
            qubes.GetDate           *   @anyvm   @anyvm     deny

            # A shell or a command in another qube is never allowed from a qube by default
            # (dom0's qvm-run does not go through the policy).
            qubes.VMShell           *   @anyvm   @anyvm     deny
            qubes.VMExec            *   @anyvm   @anyvm     deny
            qubes.VMExecGUI         *   @anyvm   @anyvm     deny
            qubes.WaitForSession    *   @anyvm   @anyvm     deny

            # Policy helpers that only dom0 answers.
            policy.RegisterArgument *   @anyvm   @anyvm     deny
            policy.RegisterArgument *   @anyvm   dom0       deny

            # Forwarding TCP between qubes must be granted case by case.
            qubes.ConnectTCP        *   @anyvm   @anyvm     ask
            """;

    static final String ADMIN_DENY = """
            ## Qubicle: the GetAll calls that qvm-prefs and friends try first, denied without a
            ## notification (as Qubes' 91-admin-default-deny.policy).
            admin.vm.property.GetAll  *  @anyvm  @anyvm    deny  notify=no
            admin.vm.property.GetAll  *  @anyvm  @adminvm  deny  notify=no
            admin.property.GetAll     *  @anyvm  @anyvm    deny  notify=no
            admin.property.GetAll     *  @anyvm  @adminvm  deny  notify=no
            """;

    /** Writes the defaults into an empty {@code policy.d}; returns whether it did. */
    static boolean installIfFresh(Path policyDir, Collection<String> adminMethods) throws IOException {
        Files.createDirectories(policyDir);
        try (var s = Files.list(policyDir)) {
            if (s.anyMatch(p -> p.getFileName().toString().endsWith(".policy"))) {
                return false;
            }
        }
        Path inc = policyDir.resolve("include");
        Files.createDirectories(inc);
        for (String kind : new String[] {"local", "global"}) {
            writeIfAbsent(inc.resolve("admin-" + kind + "-rwx"), "## Qubicle: " + kind
                    + " admin calls that write or execute, in the 3-column format, e.g.\n"
                    + "## mgmt @tag:managed-by-mgmt allow target=dom0\n");
            writeIfAbsent(inc.resolve("admin-" + kind + "-ro"), "## Qubicle: " + kind
                    + " admin calls that only read (writers may read too).\n!include include/admin-" + kind + "-rwx\n");
        }
        StringBuilder admin = new StringBuilder("""
                ## Qubicle: every admin method goes to one of four include files, all empty at first,
                ## so qubes cannot make admin calls until the user grants them there (spec §10.2).
                """);
        for (String m : new TreeSet<>(adminMethods)) {
            if (!m.startsWith("admin.")) {
                continue;
            }
            boolean global = !m.startsWith("admin.vm.") || m.equals("admin.vm.List") || m.startsWith("admin.vm.Create");
            boolean ro = READ_ONLY.matcher(m).matches();
            admin.append("!include-service ").append(m).append(" * include/admin-").append(global ? "global" : "local")
                    .append(ro ? "-ro" : "-rwx").append('\n');
        }
        writeIfAbsent(inc.resolve("admin-policy-rwx"), "## Qubicle: qubes that may change the qrexec policy"
                + " (policy.Replace, policy.Remove, ...),\n## in the 3-column format. Whoever is here controls"
                + " the whole system.\n");
        writeIfAbsent(inc.resolve("admin-policy-ro"), "## Qubicle: qubes that may read the qrexec policy"
                + " (writers may read too).\n!include include/admin-policy-rwx\n");
        StringBuilder policyAdmin = new StringBuilder("""
                ## Qubicle: the Policy Admin API from qubes (policy.*), denied until the user grants it in
                ## include/admin-policy-ro or include/admin-policy-rwx (spec §10.2).
                """);
        for (String prefix : new String[] {"policy.", "policy.include."}) {
            for (String op : new String[] {"List", "Get", "Replace", "Remove"}) {
                boolean ro = op.equals("List") || op.equals("Get");
                policyAdmin.append("!include-service ").append(prefix).append(op).append(" * include/admin-policy-")
                        .append(ro ? "ro" : "rwx").append('\n');
            }
        }
        Files.writeString(policyDir.resolve("90-admin-policy-default.policy"), policyAdmin.toString());
        Files.writeString(policyDir.resolve("90-default.policy"), DEFAULT);
        Files.writeString(policyDir.resolve("90-admin-default.policy"), admin.toString());
        Files.writeString(policyDir.resolve("91-admin-default-deny.policy"), ADMIN_DENY);
        return true;
    }

    private static void writeIfAbsent(Path p, String text) throws IOException {
        if (!Files.exists(p)) {
            Files.writeString(p, text);
        }
    }
}
