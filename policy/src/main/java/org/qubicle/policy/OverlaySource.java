package org.qubicle.policy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Another source with some files replaced, added or removed: the policy as it would be after a
 * change, for validating the change before it is written (upstream's {@code ValidateParser}).
 */
final class OverlaySource implements PolicySource {
    private final PolicySource base;
    /** Absolute path to new text, or to null for a removed file. */
    private final Map<String, String> changes;

    OverlaySource(PolicySource base, Map<String, String> changes) {
        this.base = base;
        this.changes = new HashMap<>(changes);
    }

    @Override
    public Kind kind(String path) {
        if (changes.containsKey(path)) {
            return changes.get(path) == null ? Kind.OTHER : Kind.FILE;
        }
        return base.kind(path);
    }

    @Override
    public List<String> list(String dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (base.kind(dir) == Kind.DIRECTORY) {
            names.addAll(base.list(dir));
        }
        boolean touched = false;
        for (Map.Entry<String, String> e : changes.entrySet()) {
            String path = e.getKey();
            int slash = path.lastIndexOf('/');
            if (slash < 0 || !path.substring(0, slash).equals(dir)) {
                continue;
            }
            touched = true;
            String name = path.substring(slash + 1);
            names.remove(name);
            if (e.getValue() != null) {
                names.add(name);
            }
        }
        if (!touched && base.kind(dir) != Kind.DIRECTORY) {
            throw new FileNotFoundException(dir);
        }
        return names;
    }

    @Override
    public String read(String path) throws IOException {
        if (changes.containsKey(path)) {
            String text = changes.get(path);
            if (text == null) {
                throw new FileNotFoundException(path + " (removed)");
            }
            return text;
        }
        return base.read(path);
    }

    @Override
    public String resolve(String dir, String included) {
        return base.resolve(dir, included);
    }

    @Override
    public String stamp(String path) {
        return base.stamp(path);
    }
}
