package org.qubicle.api;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.qubicle.api.handlers.Handlers;
import org.qubicle.api.wire.Request;
import org.qubicle.api.wire.ResponseEncoder;
import org.qubicle.model.Qube;
import org.qubicle.model.Qubes;
import org.qubicle.model.exc.PermissionDenied;
import org.qubicle.model.exc.ProtocolError;
import org.qubicle.model.exc.QubesException;

/**
 * The Admin API server side, minus the socket: takes a decoded {@link Request}, checks it
 * against its {@link ApiMethod} declaration, runs the handler and says what to send back.
 *
 * <p>Order, as in qubesd: method lookup ({@code no such method}), request shape checks
 * ({@code ProtocolError}), qube resolution of source and destination, admin policy, handler.
 * Every call runs holding the system's lock ({@link Qubes#lock()}), since the model is not
 * thread-safe; a write call is
 * saved through {@link Persistence} while still holding it and before the reply is built,
 * so an acknowledged write is on disk. Streams take the lock only to subscribe.
 *
 * <p>Errors: a {@link QubesException}, {@link ProtocolError} or {@link PermissionDenied} becomes
 * an exception frame with its Qubes name; anything else is logged and the connection aborted,
 * which the client reports as an empty response.
 */
public final class AdminApi {
    private static final Logger LOG = Logger.getLogger(AdminApi.class.getName());

    private final Qubes app;
    private final MethodTable methods;
    private final Persistence persistence;
    private final AdminPolicy policy;

    public AdminApi(Qubes app, MethodTable methods, Persistence persistence, AdminPolicy policy) {
        this.app = app;
        this.methods = methods;
        this.persistence = persistence;
        this.policy = policy;
    }

    /** The API with every method Qubicle implements so far. */
    public static AdminApi standard(Qubes app, Persistence persistence, AdminPolicy policy) {
        return new AdminApi(app, Handlers.standardTable(), persistence, policy);
    }

    public MethodTable methods() {
        return methods;
    }

    /** The system every call works on; calls run holding its {@link Qubes#lock()}. */
    public Qubes app() {
        return app;
    }

    /**
     * Serves one request. A streaming call writes its frames to {@code streamSink} and returns
     * {@link Outcome.Streamed} when the client is gone.
     */
    public Outcome dispatch(Request request, EventSink streamSink) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        ApiMethod method = methods.find(request.method()).orElse(null);
        if (method == null) {
            return error(new ProtocolError("no such method: '" + request.method() + "'"));
        }
        Call call;
        synchronized (app.lock()) {
            try {
                checkShape(method, request);
                Qube source = app.qube(request.source());
                Qube dest = app.qube(request.dest());
                checkDest(method, dest);
                policy.check(method, source.name(), dest.name(), request.arg());
                call = new Call(method, request, app, source, dest, policy);
                if (method.handler() instanceof Handler.Plain plain) {
                    String value = plain.handle(call);
                    if (method.access() == ApiMethod.Access.WRITE) {
                        persistence.save();
                    }
                    return new Outcome.Reply(ResponseEncoder.ok(value == null ? "" : value));
                }
            } catch (QubesException | ProtocolError | PermissionDenied e) {
                return error(e);
            } catch (IOException e) {
                LOG.log(Level.SEVERE, "saving after " + request.method() + " failed", e);
                return new Outcome.Abort("save failed");
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "unexpected error in " + request.method(), e);
                return new Outcome.Abort("unexpected " + e.getClass().getSimpleName());
            }
        }
        Handler.Streaming streaming = (Handler.Streaming) method.handler();
        try {
            streaming.stream(call, streamSink);
        } catch (IOException e) {
            // The client closed the stream: the normal end of admin.Events.
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "unexpected error in stream " + request.method(), e);
        }
        return new Outcome.Streamed();
    }

    private static void checkShape(ApiMethod method, Request request) {
        boolean hasArg = !request.arg().isEmpty();
        switch (method.arg()) {
            case NONE -> {
                if (hasArg) {
                    throw new ProtocolError("unexpected argument");
                }
            }
            case REQUIRED -> {
                if (!hasArg) {
                    throw new ProtocolError("expected an argument");
                }
            }
            case OPTIONAL -> { }
        }
        switch (method.payload()) {
            case NONE -> {
                if (request.hasPayload()) {
                    throw new ProtocolError("unexpected payload");
                }
            }
            case REQUIRED -> {
                if (!request.hasPayload()) {
                    throw new ProtocolError("expected payload");
                }
            }
            case OPTIONAL -> { }
        }
    }

    private void checkDest(ApiMethod method, Qube dest) {
        boolean adminVm = dest == app.adminVm();
        switch (method.dest()) {
            case ADMIN_VM -> {
                if (!adminVm) {
                    throw new ProtocolError("expected destination to be AdminVM");
                }
            }
            case NOT_ADMIN_VM -> {
                if (adminVm) {
                    throw new ProtocolError("expected destination to not be AdminVM");
                }
            }
            case ANY -> { }
        }
    }

    private static Outcome error(RuntimeException e) {
        String name = switch (e) {
            case QubesException q -> q.wireName();
            case ProtocolError p -> p.wireName();
            case PermissionDenied p -> p.wireName();
            default -> throw new IllegalArgumentException(e);
        };
        String message = e.getMessage() == null ? "" : e.getMessage();
        return new Outcome.Reply(ResponseEncoder.exception(name, message));
    }
}
