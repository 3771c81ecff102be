package org.qubicle.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.qubicle.model.exc.QubesException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qvm-create}: create a new qube (docs/cli.md). */
@Command(name = "qvm-create", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Create a new qube.")
public final class QvmCreate extends QubesTool {
    @Option(names = {"-C", "--class"}, paramLabel = "CLS", defaultValue = "AppVM",
            description = "Class of the new domain (default: ${DEFAULT-VALUE}).")
    String cls;

    @Option(names = "--standalone", description = "Shortcut for --class StandaloneVM.")
    boolean standalone;

    @Option(names = "--disp", description = "Alias for --class DispVM --label red.")
    boolean disp;

    @Option(names = {"--prop", "--property"}, paramLabel = "NAME=VALUE",
            description = "Set a property of the new qube, like \"memory\" or \"vcpus\" (repeatable).")
    List<String> properties = new ArrayList<>();

    @Option(names = {"-p", "--pool"}, paramLabel = "VOLUME_NAME=POOL_NAME",
            description = "Pool to use for one volume (repeatable).")
    List<String> pools = new ArrayList<>();

    @Option(names = "-P", paramLabel = "POOL_NAME", description = "Put all volumes into this pool.")
    String onePool;

    @Option(names = {"-t", "--template"}, paramLabel = "VALUE", completionCandidates = QubeNames.class,
            description = "The template to use.")
    String template;

    @Option(names = {"-l", "--label"}, paramLabel = "VALUE",
            description = "Label of the new domain (e.g. red, yellow, green, ...).")
    String label;

    @Option(names = "--help-classes", description = "List the available classes and exit.")
    boolean helpClasses;

    @Option(names = {"-r", "--root-copy-from"}, paramLabel = "FILENAME",
            description = "Use this root.img instead of the default one (the file is copied).")
    Path rootCopyFrom;

    @Option(names = {"-R", "--root-move-from"}, paramLabel = "FILENAME",
            description = "Use this root.img instead of the default one (the file is moved).")
    Path rootMoveFrom;

    @Parameters(arity = "0..1", paramLabel = "VMNAME", description = "Name of the domain to create.")
    String name;

    public static void main(String[] args) {
        ToolRunner.main(new QvmCreate(), args);
    }

    @Override
    int run() {
        Qubes qubes = qubes();
        if (helpClasses) {
            out().print(qubes.call(Qubes.DOM0, "admin.vmclass.List", null, null));
            return 0;
        }
        Map<String, String> volumePools = new TreeMap<>();
        for (String p : pools) {
            String[] kv = p.split("=", -1);
            if (kv.length != 2) {
                throw usage("Pool argument must be of form: -p volume_name=pool_name");
            }
            volumePools.put(kv[0], kv[1]);
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (String p : properties) {
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw usage("Invalid property token: " + Py.repr(p));
            }
            props.put(p.substring(0, eq), p.substring(eq + 1));
        }
        if (disp) {
            cls = "DispVM";
            if (label == null) {
                label = "red";
            }
        }
        if (standalone) {
            cls = "StandaloneVM";
        }
        if (label == null) {
            throw usage("--label option is mandatory");
        }
        if (name == null) {
            throw usage("VMNAME is mandatory");
        }
        if (rootCopyFrom != null && rootMoveFrom != null) {
            throw usage("argument --root-move-from/-R: not allowed with argument --root-copy-from/-r");
        }
        Path root = rootCopyFrom != null ? rootCopyFrom : rootMoveFrom;
        if (root != null && !Files.exists(root)) {
            throw usage("File pointed by --root-copy-from/--root-move-from does not exist");
        }
        if (root != null && (cls.equals("AppVM") || cls.equals("DispVM"))) {
            throw usage("--root-copy-from/--root-move-from used but this qube does not have own "
                    + "'root' volume (uses template's one)");
        }
        List<String> labels = Qubes.lines(qubes.call(Qubes.DOM0, "admin.label.List", null, null));
        if (!labels.contains(label)) {
            throw usage("no such label: " + Py.repr(label) + "; available: " + String.join(", ", labels));
        }
        List<String> classes = Qubes.lines(qubes.call(Qubes.DOM0, "admin.vmclass.List", null, null));
        if (!classes.contains(cls)) {
            throw usage("no such domain class: " + Py.repr(cls));
        }
        try {
            if (cls.equals("StandaloneVM") && template != null) {
                // As qubesadmin: a standalone from a template is a clone of it, minus private.
                qubes.require(template);
                new Cloner(this, false).cloneVm(template, name, cls, onePool, volumePools,
                        java.util.Set.of("private"));
                props.putIfAbsent("label", label);
            } else {
                create(qubes, cls, name, label, template, onePool, volumePools);
            }
        } catch (QubesException e) {
            log("app", "Error creating VM: " + e.getMessage());
            return 1;
        }
        int code = 0;
        for (var p : props.entrySet()) {
            try {
                qubes.setProperty(name, p.getKey(), p.getValue());
            } catch (QubesException e) {
                log("app", "Error setting property " + p.getKey() + " (but VM created): "
                        + e.getMessage());
                code = 2;
            }
        }
        if (root != null) {
            log("app", "Error importing root volume (but VM created): not implemented yet");
            code = 3;
        }
        return code;
    }

    /** admin.vm.Create.CLS, or CreateInPool.CLS when pools are given (as qubesadmin). */
    static void create(Qubes qubes, String cls, String name, String label, String template,
            String pool, Map<String, String> pools) {
        String method = "admin.vm.Create.";
        StringBuilder payload = new StringBuilder("name=" + name + " label=" + label);
        if (pool != null && !pool.isEmpty()) {
            payload.append(" pool=").append(pool);
            method = "admin.vm.CreateInPool.";
        }
        if (!pools.isEmpty()) {
            pools.forEach((vol, p) -> payload.append(" pool:").append(vol).append('=').append(p));
            method = "admin.vm.CreateInPool.";
        }
        qubes.call(Qubes.DOM0, method + cls, template, payload.toString());
        qubes.forget();
    }
}
