package org.qubicle.api.policy;

import java.util.logging.Logger;
import org.qubicle.api.AdminPolicy;
import org.qubicle.api.ApiMethod;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.policy.Decision;
import org.qubicle.policy.Policy;
import org.qubicle.policy.PolicyEngine;
import org.qubicle.policy.Request;

/**
 * The Admin API's policy layer when qubes call it through qrexec (spec §10). A call from dom0 is
 * always allowed. A call from a qube is allowed only when the qrexec policy allows service
 * {@code METHOD}, argument {@code +ARG}, from the calling qube to the destination (dom0 for
 * global calls); otherwise it gets {@code PermissionDenied}. Listing results are filtered the
 * same way, one evaluation per item ({@link #shows}). {@code ask} counts as not allowed: this
 * layer must not prompt. The default policy has no rule for {@code admin.*} from qubes, so
 * every such call is denied.
 *
 * <p>Runs under the system lock (AdminApi calls it there), which also guards the system view.
 */
public final class QubesAdminPolicy implements AdminPolicy {
    private static final Logger LOG = Logger.getLogger(QubesAdminPolicy.class.getName());

    private final Qubes app;
    private final PolicyEngine engine;
    private final ModelSystemInfo info;

    public QubesAdminPolicy(Qubes app, PolicyEngine engine, ModelSystemInfo info) {
        this.app = app;
        this.engine = engine;
        this.info = info;
    }

    @Override
    public void check(ApiMethod method, String source, String dest, String arg) {
        if (isAdminVm(source)) {
            return;
        }
        engine.reloadIfChanged();
        Decision d = decide(engine.policy(), method.name(), arg, source, dest);
        if (!(d instanceof Decision.Allowed)) {
            LOG.info("admin: " + method.name() + "+" + arg + " from " + source + " to " + dest
                    + " refused by policy: " + describe(d));
            throw new PermissionDenied("Permission denied by qrexec policy: " + method.name());
        }
    }

    @Override
    public boolean shows(String service, String arg, String source, String subject) {
        if (isAdminVm(source)) {
            return true;
        }
        engine.reloadIfChanged();
        return decide(engine.policy(), service, arg, source, subject) instanceof Decision.Allowed;
    }

    private Decision decide(Policy policy, String service, String arg, String source, String target) {
        Request r;
        if (source == null) {
            return new Decision.Failed(Decision.Failed.Kind.REQUEST, "a source without a name", false);
        }
        try {
            r = new Request(service, "+" + arg, source, target);
        } catch (IllegalArgumentException e) {
            return new Decision.Failed(Decision.Failed.Kind.REQUEST, e.getMessage(), false);
        }
        return policy.evaluate(info.get(), r);
    }

    /** A source without a name is not dom0: it gets the policy, which denies it. */
    private boolean isAdminVm(String source) {
        return source != null && source.equals(app.adminVm().name());
    }

    private static String describe(Decision d) {
        return switch (d) {
            case Decision.Allowed a -> "allow";
            case Decision.AskUser a -> "ask (treated as deny)";
            case Decision.Denied x -> x.detail();
            case Decision.Failed f -> f.detail();
        };
    }
}
