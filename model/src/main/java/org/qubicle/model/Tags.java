package org.qubicle.model;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.qubicle.model.event.TagAdded;
import org.qubicle.model.event.TagDeleted;
import org.qubicle.model.exc.QubesInvalidTagError;
import org.qubicle.model.exc.QubesTagNotFoundError;

/** A qube's tags, matched in qrexec policy as {@code @tag:NAME}. */
public final class Tags {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private final Qube qube;
    private final TreeSet<String> tags = new TreeSet<>();

    Tags(Qube qube) {
        this.qube = qube;
    }

    public static String validate(String untrustedTag) {
        if (!NAME.matcher(untrustedTag).matches()) {
            throw new QubesInvalidTagError("Invalid tag name");
        }
        return untrustedTag;
    }

    public SortedSet<String> all() {
        return Collections.unmodifiableSortedSet(tags);
    }

    public boolean contains(String tag) {
        return tags.contains(tag);
    }

    /** Adds a tag; adding one that is there already does nothing and fires nothing. */
    public void add(String untrustedTag) {
        String tag = validate(untrustedTag);
        if (tags.add(tag)) {
            qube.app().events().fire(new TagAdded(qube.name(), tag));
        }
    }

    public void remove(String untrustedTag) {
        String tag = validate(untrustedTag);
        if (!tags.remove(tag)) {
            throw new QubesTagNotFoundError("Tag not set for domain " + qube.name() + ": " + tag);
        }
        qube.app().events().fire(new TagDeleted(qube.name(), tag));
    }

    /** Restores a tag from the store, without checks or events. */
    public void load(String tag) {
        tags.add(tag);
    }
}
