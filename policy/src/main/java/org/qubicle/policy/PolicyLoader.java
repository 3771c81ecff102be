package org.qubicle.policy;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the policy directories into one ordered rule list (spec §1–2): files chosen and sorted as
 * upstream does, directives followed, every touched path stamped so a later change is noticed.
 * The first problem stops the load; the whole policy is then an error.
 */
final class PolicyLoader {
    static final String SUFFIX = ".policy";
    /** Includes nest to any depth upstream; a real policy needs a handful, a cycle needs a guard. */
    static final int MAX_INCLUDE_DEPTH = 256;

    private final PolicySource source;
    private final List<Rule> rules = new ArrayList<>();
    private final Map<String, String> stamps = new LinkedHashMap<>();
    private final Deque<String> including = new ArrayDeque<>();
    private final String compatDir;
    /** Where relative include paths start. */
    private String policyDir;
    /** The top-level directory being loaded; paths inside it are shown relative to it. */
    private String topDir;
    private boolean inCompat;

    private PolicyLoader(PolicySource source, String compatDir) {
        this.source = source;
        this.compatDir = compatDir;
    }

    /** Loads {@code dirs} (earlier directories win on equal file names) into a {@link Policy}. */
    static Policy load(PolicySource source, List<String> dirs, String compatDir) {
        PolicyLoader loader = new PolicyLoader(source, compatDir);
        PolicyError error = null;
        try {
            loader.loadDirs(dirs);
        } catch (PolicySyntaxException e) {
            error = e.error();
        }
        return new Policy(error == null ? loader.rules : List.of(), error, source,
                Map.copyOf(loader.stamps));
    }

    /**
     * Checks one file on its own, line by line, without following includes (they are only
     * checked for syntax): every error, not just the first.
     */
    static List<PolicyError> lint(String name, String text, boolean legacy) {
        PolicyLoader loader = new PolicyLoader(PolicySource.memory("/", Map.of()), null);
        List<PolicyError> errors = new ArrayList<>();
        List<String> lines = PyText.lines(text);
        for (int i = 0; i < lines.size(); i++) {
            RuleRef at = new RuleRef(name, i + 1);
            String line = PyText.strip(lines.get(i));
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            try {
                if (legacy) {
                    loader.legacyLine(line, null, null, at);
                } else if (line.charAt(0) == '!') {
                    loader.directive(line, at);
                } else {
                    RuleParser.parse(line, at);
                }
            } catch (PolicySyntaxException e) {
                errors.add(e.error());
            }
        }
        return errors;
    }

    private void loadDirs(List<String> dirs) {
        record Top(String dir, String name) {
        }
        Set<String> seen = new HashSet<>();
        List<Top> all = new ArrayList<>();
        for (String dir : dirs) {
            policyDir = dir;
            topDir = dir;
            for (String name : policyFiles(dir)) {
                if (seen.add(name)) {
                    all.add(new Top(dir, name));
                }
            }
        }
        all.sort((a, b) -> a.name().compareTo(b.name()));
        for (Top t : all) {
            policyDir = t.dir();
            topDir = t.dir();
            loadFile(t.dir() + "/" + t.name(), null, null, false);
        }
    }

    /** The policy files of {@code dir}, sorted; an invalid name fails the whole load. */
    private List<String> policyFiles(String dir) {
        List<String> names;
        touch(dir);
        try {
            names = source.list(dir);
        } catch (IOException e) {
            throw new PolicySyntaxException(display(dir), 0, "failed to load " + display(dir) + ": " + e);
        }
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith(SUFFIX) && !name.startsWith(".")) {
                String path = dir + "/" + name;
                touch(path);
                if (source.kind(path) == PolicySource.Kind.FILE) {
                    out.add(name);
                }
            }
        }
        for (String name : out) {
            if (!validFileName(name)) {
                throw new PolicySyntaxException(display(dir + "/" + name), 0,
                        "invalid filename: " + display(dir + "/" + name));
            }
        }
        out.sort(null);
        return out;
    }

    static boolean validFileName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return !name.isEmpty();
    }

    /**
     * Loads one file. {@code legacy} selects the 3-column format of {@code !include-service},
     * whose rules all get {@code service}/{@code argument} (null meaning {@code *}).
     */
    private void loadFile(String path, String service, String argument, boolean legacy) {
        String shown = display(path);
        if (including.contains(path) || including.size() >= MAX_INCLUDE_DEPTH) {
            throw new PolicySyntaxException(shown, 0, "include cycle or nesting too deep: " + shown);
        }
        touch(path);
        String text;
        try {
            text = source.read(path);
        } catch (IOException e) {
            throw new PolicySyntaxException(shown, 0, "failed to load " + shown + " file: " + e.getMessage());
        }
        including.push(path);
        List<String> lines = PyText.lines(text);
        for (int i = 0; i < lines.size(); i++) {
            RuleRef at = new RuleRef(shown, i + 1);
            String line = PyText.strip(lines.get(i));
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            if (legacy) {
                legacyLine(line, service, argument, at);
            } else if (line.charAt(0) == '!') {
                directive(line, at);
            } else {
                rules.add(RuleParser.parse(line, at));
            }
        }
        including.pop();
    }

    private void legacyLine(String line, String service, String argument, RuleRef at) {
        String l = line.replace("$include:", "!include ").replace("$", "@").replace(",", " ");
        if (l.startsWith("!")) {
            List<String> words = PyText.split(l);
            if (!words.get(0).equals("!include")) {
                throw RuleParser.error(at, "invalid directive");
            }
            if (words.size() != 2) {
                throw RuleParser.error(at, "invalid number of params");
            }
            includeFile(words.get(1), service, argument, true, at);
            return;
        }
        rules.add(RuleParser.parseLegacy(service, argument, l, at));
    }

    private void directive(String line, RuleRef at) {
        List<String> words = PyText.split(line);
        List<String> params = words.subList(1, words.size());
        switch (words.get(0)) {
            case "!include" -> {
                requireParams(params, 1, at);
                includeFile(params.get(0), null, null, false, at);
            }
            case "!include-dir" -> {
                requireParams(params, 1, at);
                includeDir(params.get(0), at);
            }
            case "!include-service" -> {
                requireParams(params, 3, at);
                String svc = params.get(0).equals("*") ? null : params.get(0);
                String arg = params.get(1).equals("*") ? null : params.get(1);
                try {
                    Rule.checkServiceAndArgument(svc, arg);
                } catch (IllegalArgumentException e) {
                    throw RuleParser.error(at, e.getMessage());
                }
                includeFile(params.get(2), svc, arg, true, at);
            }
            case "!compat-4.0" -> {
                requireParams(params, 0, at);
                if (!linting()) {
                    compat40(at);
                }
            }
            default -> throw RuleParser.error(at, "invalid directive");
        }
    }

    /** {@code !compat-4.0}: the R4.0 directory's files as {@code !include-service}s (spec §2.2). */
    private void compat40(RuleRef at) {
        if (inCompat) {
            throw RuleParser.error(at, "!compat-4.0 is not recursive");
        }
        touch(compatDir);
        List<String> names;
        try {
            names = source.list(compatDir);
        } catch (IOException e) {
            throw new PolicySyntaxException(compatDir, 0, "failed to load " + compatDir + ": " + e);
        }
        String savedDir = policyDir;
        inCompat = true;
        // includes inside the legacy files are relative to the legacy directory
        policyDir = compatDir;
        for (Compat40.Entry e : Compat40.order(names, n -> source.kind(compatDir + "/" + n) == PolicySource.Kind.FILE)) {
            String svc = e.service();
            String arg = e.argument().equals("*") ? null : e.argument();
            try {
                Rule.checkServiceAndArgument(svc, arg);
            } catch (IllegalArgumentException ex) {
                throw RuleParser.error(at, ex.getMessage());
            }
            includeFile(compatDir + "/" + e.name(), svc, arg, true, at);
            if (arg != null) {
                // the R4.0 implicit default for a specific argument: deny, without shadowing
                // the generic file
                RuleRef implicit = new RuleRef(display(compatDir + "/" + e.name()), 0);
                rules.add(RuleParser.parseLegacy(svc, arg, "@anyvm @anyvm deny", implicit));
                rules.add(RuleParser.parseLegacy(svc, arg, "@anyvm @adminvm deny", implicit));
            }
        }
        policyDir = savedDir;
        inCompat = false;
    }

    private static void requireParams(List<String> params, int n, RuleRef at) {
        if (params.size() != n) {
            throw RuleParser.error(at, "invalid number of params");
        }
    }

    private void includeFile(String included, String service, String argument, boolean legacy, RuleRef at) {
        if (linting()) {
            return;
        }
        String path = source.resolve(policyDir, included);
        touch(path);
        if (source.kind(path) != PolicySource.Kind.FILE) {
            throw RuleParser.error(at, "not a file: " + display(path));
        }
        if (including.contains(path)) {
            throw RuleParser.error(at, "include cycle: " + display(path));
        }
        loadFile(path, service, argument, legacy);
    }

    private void includeDir(String included, RuleRef at) {
        if (linting()) {
            return;
        }
        String path = source.resolve(policyDir, included);
        touch(path);
        if (source.kind(path) != PolicySource.Kind.DIRECTORY) {
            throw RuleParser.error(at, "not a directory: " + display(path));
        }
        for (String name : policyFiles(path)) {
            loadFile(path + "/" + name, null, null, false);
        }
    }

    /** A loader without a directory only checks syntax (see {@link #lint}). */
    private boolean linting() {
        return policyDir == null;
    }

    private void touch(String path) {
        stamps.computeIfAbsent(path, source::stamp);
    }

    /** A path relative to the top-level directory being loaded when it lies inside it. */
    private String display(String path) {
        if (topDir != null && path.startsWith(topDir + "/")) {
            return path.substring(topDir.length() + 1);
        }
        return path;
    }
}
