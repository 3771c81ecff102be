package org.qubicle.store;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.qubicle.model.Label;
import org.qubicle.model.Qube;
import org.qubicle.model.QubeClass;
import org.qubicle.model.Qubes;
import org.qubicle.model.storage.Pool;
import org.qubicle.model.storage.VolumeConfig;

/**
 * Writes qubes.xml in Qubes' own shape ({@code specs/qubes-model.md} section 12): labels,
 * pools, the set global properties, and each domain with its set properties, features,
 * tags and volume-config. Defaults are never written. The label is saved by reference
 * ({@code ref="label-N"}), as qubesd does.
 */
final class QubesXmlWriter {
    private final StringBuilder sb = new StringBuilder(64 * 1024);

    static byte[] write(Qubes app) {
        return new QubesXmlWriter().qubes(app).toString().getBytes(StandardCharsets.UTF_8);
    }

    private QubesXmlWriter qubes(Qubes app) {
        sb.append("<?xml version='1.0' encoding='UTF-8'?>\n<qubes>\n  <labels>\n");
        for (Label l : app.labels().all()) {
            sb.append("    <label id=\"").append(l.xmlId()).append("\" color=\"").append(l.color()).append("\">")
                    .append(Xml.escape(l.name())).append("</label>\n");
        }
        sb.append("  </labels>\n  <pools>\n");
        for (Pool p : app.pools().all()) {
            sb.append("    <pool");
            attr("driver", p.driver());
            attr("name", p.name());
            p.config().forEach(this::attr);
            sb.append("/>\n");
        }
        sb.append("  </pools>\n");
        properties("  ", app.globals().propertyNames(), app.globals()::isSet, n -> app.globals().get(n).text(), app);
        sb.append("  <domains>\n");
        for (Qube q : app.qubes()) {
            domain(q, app);
        }
        sb.append("  </domains>\n</qubes>\n");
        return this;
    }

    private void domain(Qube q, Qubes app) {
        sb.append("    <domain id=\"domain-").append(q.qid()).append("\" class=\"").append(q.klass().wireName()).append("\">\n");
        boolean dom0 = q.klass() == QubeClass.ADMIN_VM;
        properties("      ", q.propertyNames(),
                n -> q.isSet(n) && !(dom0 && (n.equals("name") || n.equals("qid") || n.equals("uuid"))),
                n -> q.get(n).text(), app);
        sb.append("      <features>\n");
        q.features().asMap().forEach((k, v) -> {
            sb.append("        <feature");
            attr("name", k);
            sb.append('>').append(Xml.escape(v)).append("</feature>\n");
        });
        sb.append("      </features>\n      <tags>\n");
        for (String t : q.tags().all()) {
            sb.append("        <tag");
            attr("name", t);
            sb.append("/>\n");
        }
        sb.append("      </tags>\n");
        if (!q.volumes().isEmpty()) {
            sb.append("      <volume-config>\n");
            for (VolumeConfig v : q.volumes().values()) {
                volume(q, v);
            }
            sb.append("      </volume-config>\n");
        }
        sb.append("    </domain>\n");
    }

    private void volume(Qube q, VolumeConfig v) {
        sb.append("        <volume");
        attr("name", v.name());
        attr("pool", v.pool());
        attr("vid", v.vid());
        attr("revisions_to_keep", Integer.toString(v.revisionsToKeep()));
        attr("rw", py(v.rw()));
        attr("save_on_stop", py(v.saveOnStop()));
        attr("snap_on_start", py(v.snapOnStart()));
        attr("size", Long.toString(v.size()));
        if (q.template().isEmpty()) {
            v.source().ifPresent(s -> attr("source", s));
        }
        v.ephemeral().ifPresent(e -> attr("ephemeral", py(e)));
        sb.append("/>\n");
    }

    private void properties(String indent, Iterable<String> names, java.util.function.Predicate<String> isSet,
            java.util.function.Function<String, String> value, Qubes app) {
        sb.append(indent).append("<properties>\n");
        for (String n : names) {
            if (!isSet.test(n)) {
                continue;
            }
            sb.append(indent).append("  <property");
            attr("name", n);
            String v = value.apply(n);
            if (n.equals("label")) {
                attr("ref", app.labels().get(v).xmlId());
                sb.append("/>\n");
            } else {
                sb.append('>').append(Xml.escape(v)).append("</property>\n");
            }
        }
        sb.append(indent).append("</properties>\n");
    }

    private void attr(String name, String value) {
        sb.append(' ').append(name).append("=\"").append(Xml.escape(value)).append('"');
    }

    private static String py(boolean b) {
        return b ? "True" : "False";
    }

    @Override
    public String toString() {
        return sb.toString();
    }

}
