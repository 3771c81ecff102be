package org.qubicle.backup.xml;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.qubicle.backup.BackupCorruptedError;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A small reader of the qubes.xml inside a backup, following what qubesadmin's
 * {@code Core3Qubes} requires: {@code /qubes/labels} and {@code /qubes/properties}
 * exist, an AdminVM exists, every other domain has a name and a label that resolves.
 * Only for listing and restoring: the real qubes.xml store is module {@code store}.
 */
public final class BackupQubesXml {
    /** qubes.xml of a backup is refused past this size. */
    public static final int MAX_SIZE = 32 << 20;
    private static final Pattern PATH = Pattern.compile("(vm[0-9]+/|dom0-home/[A-Za-z0-9_][A-Za-z0-9._-]*)");

    private BackupQubesXml() {}

    /** The labels, name to colour, of a qubes.xml that {@link #parse} accepted. */
    public static Map<String, String> labels(byte[] untrusted) {
        Element root = document(untrusted).getDocumentElement();
        Map<String, String> out = new LinkedHashMap<>();
        for (Element l : children(child(root, "labels"), "label")) {
            out.put(l.getTextContent(), l.getAttribute("color"));
        }
        return out;
    }

    /** Parses and validates; every failure is a {@link BackupCorruptedError}. */
    public static List<BackupQube> parse(byte[] untrusted) {
        return parseDoc(document(untrusted));
    }

    private static Document document(byte[] untrusted) {
        if (untrusted.length > MAX_SIZE) {
            throw new BackupCorruptedError("qubes.xml in backup too large");
        }
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b.parse(new ByteArrayInputStream(untrusted));
        } catch (Exception e) {
            throw new BackupCorruptedError("qubes.xml in backup is not valid XML: " + e.getMessage());
        }
    }

    private static List<BackupQube> parseDoc(Document doc) {
        Element root = doc.getDocumentElement();
        if (!root.getTagName().equals("qubes")) {
            throw new BackupCorruptedError("qubes.xml in backup: root element is not <qubes>");
        }
        Element labels = child(root, "labels");
        if (labels == null || child(root, "properties") == null) {
            throw new BackupCorruptedError("qubes.xml in backup: missing <labels> or <properties>");
        }
        Map<String, String> labelById = new HashMap<>();
        for (Element l : children(labels, "label")) {
            labelById.put(l.getAttribute("id"), l.getTextContent());
            labelById.put(l.getTextContent(), l.getTextContent());
        }
        Element domains = child(root, "domains");
        if (domains == null) {
            throw new BackupCorruptedError("qubes.xml in backup: missing <domains>");
        }
        List<BackupQube> out = new ArrayList<>();
        boolean adminVm = false;
        Map<String, String> pathOwner = new HashMap<>();
        for (Element d : children(domains, "domain")) {
            String klass = d.getAttribute("class");
            if (klass.isEmpty()) {
                throw new BackupCorruptedError("qubes.xml in backup: domain without class");
            }
            Map<String, String> props = map(child(d, "properties"), "property");
            Map<String, String> feats = map(child(d, "features"), "feature");
            List<String> tags = new ArrayList<>();
            Element tagsEl = child(d, "tags");
            if (tagsEl != null) {
                for (Element t : children(tagsEl, "tag")) {
                    tags.add(t.getAttribute("name"));
                }
            }
            String name = klass.equals("AdminVM") ? "dom0" : props.get("name");
            adminVm |= klass.equals("AdminVM");
            if (name == null || name.isEmpty()) {
                throw new BackupCorruptedError("qubes.xml in backup: domain " + d.getAttribute("id") + " has no name");
            }
            String label = labelById.get(props.get("label"));
            if (label == null) {
                throw new BackupCorruptedError("qubes.xml in backup: qube " + name + " has unknown label "
                        + props.get("label"));
            }
            boolean content = feats.containsKey("backup-content") && !feats.get("backup-content").isEmpty();
            String path = feats.remove("backup-path");
            String size = feats.remove("backup-size");
            feats.remove("backup-content");
            long backupSize = -1;
            if (content) {
                if (path == null || !PATH.matcher(path).matches()) {
                    throw new BackupCorruptedError("qubes.xml in backup: qube " + name + " has invalid backup-path "
                            + path);
                }
                if (pathOwner.put(path, name) != null) {
                    throw new BackupCorruptedError("qubes.xml in backup: backup-path " + path + " used twice");
                }
                if (size != null) {
                    if (!size.matches("[0-9]{1,18}")) {
                        throw new BackupCorruptedError("qubes.xml in backup: qube " + name
                                + " has invalid backup-size " + size);
                    }
                    backupSize = Long.parseLong(size);
                }
            } else {
                path = null;
            }
            out.add(new BackupQube(name, klass, label, props.get("template"), props.get("netvm"), content, path,
                    backupSize, props, feats, tags));
        }
        if (!adminVm) {
            throw new BackupCorruptedError("qubes.xml in backup: no AdminVM (dom0) domain");
        }
        return List.copyOf(out);
    }

    private static Map<String, String> map(Element parent, String tag) {
        Map<String, String> m = new LinkedHashMap<>();
        if (parent != null) {
            for (Element e : children(parent, tag)) {
                // qubesd saves references (the label) as ref="label-N"; Core3Qubes reads both.
                m.put(e.getAttribute("name"), e.hasAttribute("ref") ? e.getAttribute("ref") : e.getTextContent());
            }
        }
        return m;
    }

    private static Element child(Element parent, String tag) {
        List<Element> l = children(parent, tag);
        return l.isEmpty() ? null : l.getFirst();
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }
}
