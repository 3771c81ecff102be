package org.qubicle.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.qubicle.model.event.DomainAdded;
import org.qubicle.model.event.DomainDeleted;
import org.qubicle.model.event.DomainPreDelete;
import org.qubicle.model.event.Events;
import org.qubicle.model.event.PropertyPreReset;
import org.qubicle.model.event.PropertySet;
import org.qubicle.model.exc.QubesException;
import org.qubicle.model.exc.QubesVMInUseError;
import org.qubicle.model.exc.QubesVMInvalidUUIDError;
import org.qubicle.model.exc.QubesVMNotFoundError;
import org.qubicle.model.exc.QubesVMNotHaltedError;
import org.qubicle.model.storage.Pool;
import org.qubicle.model.storage.Pools;

/**
 * The whole system ("app" in Qubes): qubes, labels, pools, global properties and the
 * event bus. It is not thread-safe: the daemon serialises calls on it ({@link #lock()}).
 */
public final class Qubes {
    public static final int MAX_QID = 10000;
    public static final UUID DOM0_UUID = new UUID(0, 0);
    private static final Pattern UUID_REF = Pattern.compile("uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Events events = new Events();
    private final Labels labels;
    private final Pools pools = new Pools();
    private final GlobalProperties globals = new GlobalProperties(this);
    private final TreeMap<String, Qube> qubes = new TreeMap<>();
    private final HostInfo host;
    private final Path root;
    private final Object lock = new Object();

    private Qubes(Path root, HostInfo host, Labels labels) {
        this.root = root;
        this.host = host;
        this.labels = labels;
        events.on(PropertySet.class, this::onPropertySet);
        events.on(PropertyPreReset.class, this::onPropertyPreReset);
    }

    /**
     * A fresh system as Qubes' installer starts it: dom0, the 8 labels, and the pools
     * {@code varlibqubes} (driver {@code file}) and {@code linux-kernel}.
     */
    public static Qubes fresh(Path root, HostInfo host) {
        Qubes app = empty(root, host, Labels.builtIn());
        String varLibQubes = root.resolve("var/lib/qubes").toString();
        app.pools.load(new Pool("varlibqubes", "file", new TreeMap<>(Map.of(
                "dir_path", varLibQubes, "revisions_to_keep", "1", "ephemeral_volatile", "False"))));
        app.pools.load(new Pool("linux-kernel", "linux-kernel", new TreeMap<>(Map.of(
                "dir_path", root.resolve("var/lib/qubes/vm-kernels").toString()))));
        app.globals.loadProperty("default_pool_kernel", "linux-kernel");
        app.addAdminVm();
        return app;
    }

    /** An empty system for the loader, which adds labels, pools and qubes itself. */
    public static Qubes empty(Path root, HostInfo host, Labels labels) {
        return new Qubes(root, host, labels);
    }

    /** Adds dom0 when the store has none (qubesd does the same on load). */
    public Qube addAdminVm() {
        Qube dom0 = new Qube(this, QubeClass.ADMIN_VM, "dom0", 0, DOM0_UUID);
        dom0.loadProperty("label", "black");
        qubes.put("dom0", dom0);
        return dom0;
    }

    public Object lock() {
        return lock;
    }

    public Events events() {
        return events;
    }

    public Labels labels() {
        return labels;
    }

    public Pools pools() {
        return pools;
    }

    public GlobalProperties globals() {
        return globals;
    }

    public HostInfo host() {
        return host;
    }

    /** The root every path hangs from ({@code QUBES_ROOT}). */
    public Path root() {
        return root;
    }

    /** Every qube, sorted by name. */
    public Collection<Qube> qubes() {
        return Collections.unmodifiableCollection(qubes.values());
    }

    public Qube adminVm() {
        return qubes.get("dom0");
    }

    public Optional<Qube> find(String name) {
        return Optional.ofNullable(qubes.get(name));
    }

    /**
     * Resolves a qube reference from a peer: a name, or {@code uuid:<uuid>}.
     *
     * @throws QubesVMNotFoundError    {@code No such domain: 'x'}
     * @throws QubesVMInvalidUUIDError a malformed uuid reference
     */
    public Qube qube(String untrustedRef) {
        if (untrustedRef.startsWith("uuid:")) {
            if (!UUID_REF.matcher(untrustedRef).matches()) {
                throw new QubesVMInvalidUUIDError("Invalid UUID: " + untrustedRef.substring(5));
            }
            UUID uuid = UUID.fromString(untrustedRef.substring(5));
            return qubes.values().stream().filter(q -> q.uuid().equals(uuid)).findFirst()
                    .orElseThrow(() -> new QubesVMNotFoundError("No such domain: '" + untrustedRef + "'"));
        }
        QubeName name = QubeName.parse(untrustedRef);
        Qube q = qubes.get(name.value());
        if (q == null) {
            throw new QubesVMNotFoundError("No such domain: '" + name + "'");
        }
        return q;
    }

    /** Creates a qube; see {@link QubeFactory}. */
    public Qube create(CreateRequest request) {
        return new QubeFactory(this).create(request);
    }

    /** Adds a qube made by the factory or the loader. */
    void put(Qube q) {
        qubes.put(q.name(), q);
    }

    /** Adds a loaded qube without events (for the store). */
    public Qube load(QubeClass klass, String name, int qid, UUID uuid) {
        Qube q = new Qube(this, klass, name, qid, uuid);
        qubes.put(name, q);
        return q;
    }

    void announce(Qube q) {
        events.fire(new DomainAdded("", q.name()));
    }

    /** The lowest free qid from 1 ({@code qubes/app.py: get_new_unused_qid}). */
    int nextQid() {
        BitSet used = new BitSet();
        qubes.values().forEach(q -> used.set(q.qid()));
        int qid = used.nextClearBit(1);
        if (qid >= MAX_QID) {
            throw new QubesException("No free qid");
        }
        return qid;
    }

    /**
     * Removes a halted qube that nothing references. A qube named by another qube's
     * property or by a global property is in use ({@code domain-pre-delete} in qubesd).
     */
    public void remove(Qube q) {
        if (q.klass() == QubeClass.ADMIN_VM) {
            throw new QubesVMInUseError("Cannot remove dom0");
        }
        if (q.powerState() != PowerState.Halted) {
            throw new QubesVMNotHaltedError("Can't remove VM " + q.name() + ", beacuse it's in state "
                    + q.powerState());
        }
        if (q.boolProperty("installed_by_rpm")) {
            throw new QubesVMInUseError("VM installed by package manager: " + q.name());
        }
        List<String> users = usersOf(q);
        if (!users.isEmpty()) {
            throw new QubesVMInUseError("Domain is in use: '" + q.name() + "'; used by " + String.join(", ", users));
        }
        events.fire(new DomainPreDelete("", q.name()));
        qubes.remove(q.name());
        events.fire(new DomainDeleted("", q.name()));
    }

    /**
     * Where a qube is referenced: {@code other.property} and {@code app.property} entries. As
     * upstream's get_qube_prop_deps, a preloaded disposable does not use its own template (by
     * {@code template}, {@code default_dispvm} or {@code management_dispvm}): the preloads go
     * with it.
     */
    public List<String> usersOf(Qube q) {
        List<String> users = new ArrayList<>();
        for (Qube other : qubes.values()) {
            if (other == q) {
                continue;
            }
            boolean preloadOfQ = other.isPreload() && other.template().filter(t -> t == q).isPresent();
            for (String p : other.propertyNames()) {
                if (preloadOfQ && (p.equals("template") || p.equals("default_dispvm") || p.equals("management_dispvm"))) {
                    continue;
                }
                if (other.get(p).type() == org.qubicle.model.property.PropertyType.VM
                        && other.get(p).text().equals(q.name())) {
                    users.add(other.name() + "." + p);
                }
            }
        }
        for (String p : globals.propertyNames()) {
            if (globals.get(p).type() == org.qubicle.model.property.PropertyType.VM && globals.get(p).text().equals(q.name())) {
                users.add("app." + p);
            }
        }
        return users;
    }

    /**
     * Refuses to let {@code t} stop being a disposable template while something relies on it,
     * as upstream's {@code property-pre-set:template_for_dispvms} does (preloads do not count).
     */
    void requireNoDispvmTemplateUsers(Qube t) {
        usersOf(t).stream()
                .filter(u -> u.endsWith(".default_dispvm") || u.endsWith(".management_dispvm") || u.endsWith(".template"))
                .findFirst().ifPresent(user -> {
                    throw new QubesVMInUseError("Cannot change template_for_dispvms of " + t.name()
                            + " to False while it is in use: by " + user);
                });
    }

    Optional<String> defaultPoolName() {
        if (pools.find("default").isPresent()) {
            return Optional.of("default");
        }
        String varLib = root.resolve("var/lib/qubes").toString();
        return pools.all().stream()
                .filter(p -> p.driver().startsWith("file") && varLib.equals(p.config().get("dir_path")))
                .map(Pool::name).findFirst()
                .or(() -> pools.all().stream().filter(p -> !p.driver().equals("linux-kernel")).map(Pool::name).findFirst());
    }

    /**
     * A reset of {@code template_for_dispvms} (to False) is refused as a set to False is
     * ({@link QubeValidators#templateForDispvms}).
     */
    private void onPropertyPreReset(PropertyPreReset e) {
        if (e.name().equals("template_for_dispvms") && "True".equals(e.oldValue())) {
            find(e.subject()).ifPresent(this::requireNoDispvmTemplateUsers);
        }
    }

    /** Keeps feature {@code service.clocksync} on the clockvm, as qubesd does. */
    private void onPropertySet(PropertySet e) {
        if (e.subject().isEmpty() && e.name().equals("clockvm")) {
            if (e.oldValue() != null) {
                find(e.oldValue()).ifPresent(old -> old.features().find("service.clocksync")
                        .ifPresent(v -> old.features().remove("service.clocksync")));
            }
            find(e.newValue()).ifPresent(q -> q.features().set("service.clocksync", "1"));
        }
    }
}
