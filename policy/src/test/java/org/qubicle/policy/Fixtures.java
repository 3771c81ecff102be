package org.qubicle.policy;

import java.util.List;
import java.util.Map;

/** A small system and helpers shared by the policy tests. */
final class Fixtures {
    static final String WORK_UUID = "11111111-1111-1111-1111-111111111111";
    static final String PERSONAL_UUID = "22222222-2222-2222-2222-222222222222";
    static final String DVM_UUID = "33333333-3333-3333-3333-333333333333";

    private Fixtures() {
    }

    static QubeInfo qube(String name, String type, String uuid, List<String> tags, boolean dvmTemplate,
                         String defaultDispvm, String power, boolean internal) {
        return new QubeInfo(name, tags, type, dvmTemplate, defaultDispvm, "appvm-red", "red", "dom0",
                null, null, power, uuid, internal);
    }

    /**
     * dom0; work (tag "trusted", default_dispvm work-dvm, running); personal (halted);
     * work-dvm (disposable template, tag "dvm-ok"); other-dvm (template, no default); sys-usb
     * (internal, running); no-dvm (default_dispvm null).
     */
    static SystemInfo system() {
        return new SystemInfo(List.of(
                qube("dom0", "AdminVM", SystemInfo.DOM0_UUID, List.of("trusted"), false, "work-dvm", "Running", false),
                qube("work", "AppVM", WORK_UUID, List.of("trusted"), false, "work-dvm", "Running", false),
                qube("personal", "AppVM", PERSONAL_UUID, List.of(), false, "work-dvm", "Halted", false),
                qube("work-dvm", "AppVM", DVM_UUID, List.of("dvm-ok"), true, "work-dvm", "Halted", false),
                qube("other-dvm", "AppVM", "44444444-4444-4444-4444-444444444444", List.of(), true, null, "Halted", false),
                qube("sys-usb", "DispVM", "55555555-5555-5555-5555-555555555555", List.of(), false, null, "Running", true),
                qube("no-dvm", "StandaloneVM", "66666666-6666-6666-6666-666666666666", List.of(), false, null, "Running", false)));
    }

    /** A policy made of one file {@code 50-main.policy} (plus {@code extra} files). */
    static Policy policy(String main, Map<String, String> extra) {
        Map<String, String> files = new java.util.HashMap<>(extra);
        files.put("50-main.policy", main);
        return Policy.load(PolicySource.memory("/etc/qubes/policy.d", files), List.of("/etc/qubes/policy.d"));
    }

    static Policy policy(String main) {
        return policy(main, Map.of());
    }

    static Decision eval(String policy, String source, String target, String serviceAndArg) {
        Policy p = policy(policy);
        if (p.error().isPresent()) {
            throw new AssertionError("policy error: " + p.error().get());
        }
        return p.evaluate(system(), Request.of(source, target, serviceAndArg));
    }
}
