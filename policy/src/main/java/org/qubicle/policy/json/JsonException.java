package org.qubicle.policy.json;

/** Malformed JSON input. */
public final class JsonException extends IllegalArgumentException {
    public JsonException(String message) {
        super(message);
    }
}
