package org.qubicle.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.qubicle.model.event.Notice;
import org.qubicle.model.exc.QubesValueError;
import org.qubicle.model.firewall.FirewallRule;
import org.qubicle.model.property.Property;
import org.qubicle.model.storage.VolumeConfig;

/**
 * One qube: its class, properties, features, tags, notes, firewall rules and volume
 * metadata, plus its current power state. Name, qid and uuid are write-once properties;
 * a qube is never renamed.
 */
public final class Qube extends PropertyBag<Qube> implements PropertyHolder {
    /** Upper bound for notes, as {@code admin.vm.notes.Set} enforces. */
    public static final int MAX_NOTES = 256_000;

    /** The feature of a disposable template that lists its preloads ({@link #isPreload()}). */
    public static final String PRELOAD_LIST = "preload-dispvm";

    private final Qubes app;
    private final QubeClass klass;
    private final Map<String, Property<Qube>> table;
    private final Features features = new Features(this);
    private final Tags tags = new Tags(this);
    private final TreeMap<String, VolumeConfig> volumes = new TreeMap<>();
    private String notes = "";
    private List<FirewallRule> firewall = List.of(FirewallRule.ACCEPT_ALL);
    private volatile PowerState powerState;
    private volatile String startTime = "";

    Qube(Qubes app, QubeClass klass, String name, int qid, UUID uuid) {
        this.app = app;
        this.klass = klass;
        this.table = QubeProperties.forClass(klass);
        this.powerState = klass == QubeClass.ADMIN_VM ? PowerState.Running : PowerState.Halted;
        loadProperty("name", new QubeName(name).value());
        loadProperty("qid", Integer.toString(qid));
        loadProperty("uuid", uuid.toString());
    }

    public String name() {
        return values.get("name");
    }

    public int qid() {
        return Integer.parseInt(values.get("qid"));
    }

    public UUID uuid() {
        return UUID.fromString(values.get("uuid"));
    }

    public QubeClass klass() {
        return klass;
    }

    public Qubes app() {
        return app;
    }

    public Features features() {
        return features;
    }

    public Tags tags() {
        return tags;
    }

    public Label label() {
        return app.labels().get(get("label").text());
    }

    /** The template, for template-based classes. */
    public Optional<Qube> template() {
        return table.containsKey("template") ? effective("template").flatMap(app::find) : Optional.empty();
    }

    /**
     * Upstream's {@code is_preload}: a disposable that its disposable template lists in the
     * feature {@code preload-dispvm} (started ahead, not yet given to anyone). A preload is no
     * user of its template: the template may stop being one, or be removed, and its preloads go.
     */
    public boolean isPreload() {
        return klass == QubeClass.DISP_VM && template().map(t -> t.preloadNames().contains(name())).orElse(false);
    }

    /** On a disposable template: the names in its feature {@code preload-dispvm}, in order. */
    public List<String> preloadNames() {
        String v = features.find(PRELOAD_LIST).orElse("").strip();
        return v.isEmpty() ? List.of() : Arrays.asList(v.split("\\s+"));
    }

    /** The effective netvm; empty for no network. */
    public Optional<Qube> netvm() {
        return table.containsKey("netvm") ? effective("netvm").flatMap(app::find) : Optional.empty();
    }

    public boolean providesNetwork() {
        return table.containsKey("provides_network") && get("provides_network").text().equals("True");
    }

    public boolean boolProperty(String name) {
        return get(name).text().equals("True");
    }

    public long intProperty(String name) {
        String t = get(name).text();
        return t.isEmpty() ? 0 : Long.parseLong(t);
    }

    public String notes() {
        return notes;
    }

    public void setNotes(String text) {
        if (text.length() > MAX_NOTES) {
            throw new QubesValueError("Notes too long");
        }
        this.notes = text;
    }

    /** The firewall rules in order, expired ones included (callers filter by time). */
    public List<FirewallRule> firewall() {
        return firewall;
    }

    public void setFirewall(List<FirewallRule> rules) {
        this.firewall = List.copyOf(rules);
        app.events().fire(Notice.of(name(), "firewall-changed"));
    }

    /** Restores rules from the store, without events. */
    public void loadFirewall(List<FirewallRule> rules) {
        this.firewall = List.copyOf(rules);
    }

    public SortedMap<String, VolumeConfig> volumes() {
        return Collections.unmodifiableSortedMap(volumes);
    }

    public void putVolume(VolumeConfig v) {
        volumes.put(v.name(), v);
    }

    /** The vid a {@code snap_on_start} volume snapshots now, following the template chain. */
    public Optional<String> volumeSource(String volume) {
        VolumeConfig v = volumes.get(volume);
        if (v == null || !v.snapOnStart()) {
            return Optional.empty();
        }
        if (v.source().isPresent()) {
            return v.source();
        }
        Optional<Qube> t = template();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        VolumeConfig tv = t.get().volumes.get(volume);
        if (tv == null) {
            return Optional.empty();
        }
        return tv.snapOnStart() && klass == QubeClass.DISP_VM && volume.equals("root")
                ? t.get().volumeSource(volume) : Optional.of(tv.vid());
    }

    public PowerState powerState() {
        return powerState;
    }

    /** Set by the lifecycle code (the daemon), never by a peer. */
    public void setPowerState(PowerState state) {
        this.powerState = state;
        this.startTime = state.isStarted() ? (startTime.isEmpty() ? Long.toString(System.currentTimeMillis() / 1000) : startTime) : "";
    }

    String startTime() {
        return startTime;
    }

    /** Property names in the order qvm-clone copies them: every set, cloneable one. */
    public List<String> setProperties() {
        return new ArrayList<>(values.keySet());
    }

    @Override
    Map<String, Property<Qube>> table() {
        return table;
    }

    @Override
    Qube self() {
        return this;
    }

    @Override
    Qubes app0() {
        return app;
    }

    @Override
    String subject() {
        return name();
    }

    @Override
    public String holderName() {
        return name();
    }

    @Override
    boolean isHalted() {
        return powerState == PowerState.Halted;
    }

    @Override
    public String toString() {
        return name();
    }
}
