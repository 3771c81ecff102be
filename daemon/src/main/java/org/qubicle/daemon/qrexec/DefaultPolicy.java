package org.qubicle.daemon.qrexec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The policy a fresh root starts with, written by us from the facts of Qubes' defaults
 * (spec §10.2 and qubes-core-qrexec's policy.d), not copied: {@code 90-default.policy} for the
 * everyday services. The admin files ({@code 90-admin-default.policy} and the rest) are written
 * by the API's {@code AdminPolicyDefaults}. Installed only when {@code policy.d} has no
 * {@code .policy} file at all; the user's edits are never overwritten.
 */
final class DefaultPolicy {
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

    /**
     * Writes {@code 90-default.policy} into an empty {@code policy.d}; returns whether it did.
     * The Admin API's default files are the API's ({@code AdminPolicyDefaults}), added beside.
     */
    static boolean installIfFresh(Path policyDir) throws IOException {
        Files.createDirectories(policyDir);
        try (var s = Files.list(policyDir)) {
            if (s.anyMatch(p -> p.getFileName().toString().endsWith(".policy"))) {
                return false;
            }
        }
        Files.writeString(policyDir.resolve("90-default.policy"), DEFAULT);
        return true;
    }
}
