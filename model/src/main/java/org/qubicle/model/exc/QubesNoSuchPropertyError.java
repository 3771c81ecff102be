package org.qubicle.model.exc;

/** An unknown property name. Clients treat it as an AttributeError. */
public class QubesNoSuchPropertyError extends QubesException {
    public QubesNoSuchPropertyError(String message) {
        super(message);
    }
}
