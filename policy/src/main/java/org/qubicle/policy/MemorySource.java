package org.qubicle.policy;

import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@link PolicySource} over a map of texts; directories are implied by the files' paths. */
final class MemorySource implements PolicySource {
    private final Map<String, String> files = new HashMap<>();
    private final Map<String, Set<String>> dirs = new HashMap<>();

    MemorySource(String root, Map<String, String> byPath) {
        String base = normalise(root);
        dirs.put(base, new TreeSet<>());
        for (Map.Entry<String, String> e : byPath.entrySet()) {
            String path = resolve(base, e.getKey());
            files.put(path, e.getValue());
            String child = path;
            String parent = parent(child);
            while (parent != null) {
                boolean existed = dirs.containsKey(parent);
                dirs.computeIfAbsent(parent, k -> new TreeSet<>()).add(child.substring(child.lastIndexOf('/') + 1));
                if (existed) {
                    break;
                }
                child = parent;
                parent = parent(child);
            }
        }
    }

    private static String parent(String path) {
        if (path.equals("/")) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    @Override
    public Kind kind(String path) {
        if (files.containsKey(path)) {
            return Kind.FILE;
        }
        return dirs.containsKey(path) ? Kind.DIRECTORY : Kind.OTHER;
    }

    @Override
    public List<String> list(String dir) throws FileNotFoundException {
        Set<String> names = dirs.get(dir);
        if (names == null) {
            throw new FileNotFoundException(dir);
        }
        return new ArrayList<>(names);
    }

    @Override
    public String read(String path) throws FileNotFoundException {
        String text = files.get(path);
        if (text == null) {
            throw new FileNotFoundException(path);
        }
        return text;
    }

    @Override
    public String resolve(String base, String included) {
        return normalise(included.startsWith("/") ? included : base + "/" + included);
    }

    @Override
    public String stamp(String path) {
        // The map never changes.
        return "";
    }

    /** Lexical normalisation: "//", "." and ".." are folded as a symlink-free file system would. */
    static String normalise(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
            } else {
                parts.add(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    Set<String> paths() {
        return new HashSet<>(files.keySet());
    }
}
