package org.qubicle.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.firewall.FirewallRule;
import org.w3c.dom.Element;

/**
 * A qube's {@code firewall.xml}, version 2: {@code <firewall version="2"><rules><rule>
 * <properties><property name="action">accept</property>...}. Expired rules are dropped
 * on save, as qubesd drops them.
 */
public final class FirewallXml {
    private FirewallXml() {
    }

    public static byte[] write(List<FirewallRule> rules, long nowEpochSeconds) {
        StringBuilder sb = new StringBuilder("<?xml version='1.0' encoding='UTF-8'?>\n<firewall version=\"2\">\n  <rules>\n");
        for (FirewallRule r : rules) {
            if (r.isExpired(nowEpochSeconds)) {
                continue;
            }
            sb.append("    <rule>\n      <properties>\n");
            r.properties().forEach((k, v) -> sb.append("        <property name=\"")
                    .append(k.startsWith("dst") && !k.equals("dstports") ? "dsthost" : k).append("\">")
                    .append(Xml.escape(v)).append("</property>\n"));
            sb.append("      </properties>\n    </rule>\n");
        }
        sb.append("  </rules>\n</firewall>\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static List<FirewallRule> read(byte[] untrustedXml) throws IOException {
        Element top = Xml.parse(untrustedXml).getDocumentElement();
        List<FirewallRule> rules = new ArrayList<>();
        try {
            for (Element rule : Xml.children(Xml.child(top, "rules"), "rule")) {
                Map<String, String> props = new LinkedHashMap<>();
                Element properties = Xml.child(rule, "properties");
                for (Element p : Xml.children(properties == null ? rule : properties, "property")) {
                    props.put(p.getAttribute("name"), p.getTextContent());
                }
                if (props.isEmpty()) {
                    for (int i = 0; i < rule.getAttributes().getLength(); i++) {
                        props.put(rule.getAttributes().item(i).getNodeName(), rule.getAttributes().item(i).getNodeValue());
                    }
                }
                rules.add(FirewallRule.fromProperties(props));
            }
        } catch (QubesException e) {
            throw new IOException("invalid firewall.xml: " + e.getMessage(), e);
        }
        return rules;
    }
}
