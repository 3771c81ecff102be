package org.qubicle.daemon.backup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.qubicle.model.exc.QubesException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The copy of qubes.xml that goes into a backup (spec §8): the daemon's own file, with on
 * every domain {@code backup-content} = "" and on each backed-up one {@code backup-content}
 * = 1, {@code backup-path} = {@code vm<qid>/}, {@code backup-size}; {@code preload-dispvm*}
 * features dropped except {@code preload-dispvm-max}. The file on disk is not touched.
 */
final class BackupXml {
    /** What one backed-up qube declares. */
    record Declared(String path, long size) {
    }

    private BackupXml() {
    }

    /** @param backedUp qube name to its declaration */
    static byte[] copy(byte[] qubesXml, Map<String, Declared> backedUp) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(qubesXml));
            Element domains = child(doc.getDocumentElement(), "domains");
            if (domains == null) {
                throw new QubesException("qubes.xml has no <domains>");
            }
            for (Element d : children(domains, "domain")) {
                String name = "AdminVM".equals(d.getAttribute("class")) ? "dom0" : property(d, "name");
                Element features = child(d, "features");
                if (features == null) {
                    features = doc.createElement("features");
                    Element props = child(d, "properties");
                    d.insertBefore(features, props == null ? d.getFirstChild() : props.getNextSibling());
                }
                for (Element feat : children(features, "feature")) {
                    String n = feat.getAttribute("name");
                    if (n.startsWith("backup-") || (n.startsWith("preload-dispvm") && !n.equals("preload-dispvm-max"))) {
                        features.removeChild(feat);
                    }
                }
                Declared decl = backedUp.get(name);
                if (decl == null) {
                    feature(doc, features, "backup-content", "");
                } else {
                    feature(doc, features, "backup-content", "1");
                    feature(doc, features, "backup-path", decl.path());
                    feature(doc, features, "backup-size", Long.toString(decl.size()));
                }
            }
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            ByteArrayOutputStream out = new ByteArrayOutputStream(qubesXml.length + 4096);
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toByteArray();
        } catch (ParserConfigurationException | SAXException | IOException | TransformerException e) {
            throw new QubesException("Cannot prepare qubes.xml for the backup: " + e.getMessage());
        }
    }

    private static void feature(Document doc, Element features, String name, String value) {
        Element e = doc.createElement("feature");
        e.setAttribute("name", name);
        e.setTextContent(value);
        features.appendChild(e);
    }

    private static String property(Element domain, String name) {
        Element props = child(domain, "properties");
        if (props != null) {
            for (Element p : children(props, "property")) {
                if (p.getAttribute("name").equals(name)) {
                    return p.getTextContent();
                }
            }
        }
        return "";
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
