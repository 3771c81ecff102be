package org.qubicle.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.qubicle.model.HostInfo;
import org.qubicle.model.Label;
import org.qubicle.model.Labels;
import org.qubicle.model.PropertyHolder;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.storage.Pool;
import org.qubicle.model.storage.VolumeConfig;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Loads qubes.xml, ours or a real Qubes one, in qubesd's load stages: labels and pools,
 * every qube with its identity, then global properties, then the remaining qube properties
 * (references to other qubes need every qube present), features, tags and volumes.
 * Unknown properties are skipped, as qubesd skips them; old names are migrated.
 */
final class QubesXmlReader {
    private QubesXmlReader() {
    }

    static Qubes read(byte[] untrustedXml, Path root, HostInfo host) throws IOException {
        Document doc = Xml.parse(untrustedXml);
        Element top = doc.getDocumentElement();
        if (!top.getTagName().equals("qubes")) {
            throw new IOException("not a qubes.xml: root element is " + top.getTagName());
        }
        try {
            return load(top, root, host);
        } catch (QubesException | IllegalArgumentException e) {
            throw new IOException("invalid qubes.xml: " + e.getMessage(), e);
        }
    }

    private static Qubes load(Element top, Path root, HostInfo host) {
        Labels labels = new Labels();
        for (Element l : Xml.children(Xml.child(top, "labels"), "label")) {
            int index = Integer.parseInt(l.getAttribute("id").replace("label-", ""));
            labels.add(new Label(index, l.getTextContent().strip(), l.getAttribute("color")));
        }
        if (labels.all().isEmpty()) {
            Labels.BUILT_IN.forEach(labels::add);
        }
        Qubes app = Qubes.empty(root, host, labels);
        app.events().setEnabled(false);
        for (Element p : Xml.children(Xml.child(top, "pools"), "pool")) {
            TreeMap<String, String> config = new TreeMap<>();
            for (int i = 0; i < p.getAttributes().getLength(); i++) {
                String k = p.getAttributes().item(i).getNodeName();
                if (!k.equals("name") && !k.equals("driver")) {
                    config.put(k, p.getAttributes().item(i).getNodeValue());
                }
            }
            app.pools().load(new Pool(p.getAttribute("name"), p.getAttribute("driver"), config));
        }
        List<Map.Entry<Qube, Element>> domains = new ArrayList<>();
        for (Element d : Xml.children(Xml.child(top, "domains"), "domain")) {
            domains.add(Map.entry(identity(app, d), d));
        }
        if (app.find("dom0").isEmpty()) {
            app.addAdminVm();
        }
        properties(app.globals(), Xml.child(top, "properties"), app);
        for (Map.Entry<Qube, Element> e : domains) {
            Qube q = e.getKey();
            Element d = e.getValue();
            properties(q, Xml.child(d, "properties"), app);
            for (Element f : Xml.children(Xml.child(d, "features"), "feature")) {
                q.features().load(f.getAttribute("name"), f.getTextContent());
            }
            for (Element t : Xml.children(Xml.child(d, "tags"), "tag")) {
                q.tags().load(t.getAttribute("name"));
            }
            for (Element v : Xml.children(Xml.child(d, "volume-config"), "volume")) {
                q.putVolume(volume(v, app));
            }
        }
        app.events().setEnabled(true);
        return app;
    }

    private static Qube identity(Qubes app, Element d) {
        QubeClass klass = QubeClass.fromWire(d.getAttribute("class"));
        Map<String, String> props = raw(Xml.child(d, "properties"));
        if (klass == QubeClass.ADMIN_VM) {
            Qube dom0 = app.addAdminVm();
            return dom0;
        }
        String qid = props.getOrDefault("qid", d.getAttribute("id").replace("domain-", ""));
        String uuid = props.get("uuid");
        return app.load(klass, props.get("name"), Integer.parseInt(qid),
                uuid == null || uuid.isEmpty() ? UUID.randomUUID() : UUID.fromString(uuid));
    }

    private static Map<String, String> raw(Element properties) {
        Map<String, String> out = new TreeMap<>();
        for (Element p : Xml.children(properties, "property")) {
            String ref = Xml.attr(p, "ref");
            out.put(p.getAttribute("name"), ref != null ? ref : p.getTextContent());
        }
        return out;
    }

    private static void properties(PropertyHolder h, Element properties, Qubes app) {
        for (Map.Entry<String, String> e : raw(properties).entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            switch (name) {
                case "name", "qid", "uuid" -> {
                    continue;
                }
                case "hvm" -> {
                    name = "virt_mode";
                    value = value.equals("True") ? "hvm" : "pv";
                }
                case "dispvm_allowed" -> name = "template_for_dispvms";
                default -> {
                }
            }
            if (!h.propertyNames().contains(name)) {
                continue;
            }
            if (name.equals("label")) {
                value = app.labels().get(value).name();
            }
            switch (h) {
                case Qube q -> q.loadProperty(name, value);
                case org.qubicle.model.GlobalProperties g -> g.loadProperty(name, value);
            }
        }
    }

    private static VolumeConfig volume(Element v, Qubes app) {
        String pool = v.getAttribute("pool");
        int revisions = v.hasAttribute("revisions_to_keep") ? Integer.parseInt(v.getAttribute("revisions_to_keep"))
                : app.pools().find(pool).map(Pool::revisionsToKeep).orElse(1);
        return new VolumeConfig(v.getAttribute("name"), pool, v.getAttribute("vid"),
                v.hasAttribute("size") ? Long.parseLong(v.getAttribute("size")) : 0,
                bool(v, "rw", false), bool(v, "save_on_stop", false), bool(v, "snap_on_start", false),
                Optional.ofNullable(Xml.attr(v, "source")), revisions,
                Optional.ofNullable(Xml.attr(v, "ephemeral")).map(s -> s.equals("True")));
    }

    private static boolean bool(Element e, String attr, boolean dflt) {
        return e.hasAttribute(attr) ? e.getAttribute(attr).equals("True") : dflt;
    }
}
