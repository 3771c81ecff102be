package org.qubicle.api;

import java.io.IOException;
import java.util.Map;

/** Where a streaming call writes its event frames. */
@FunctionalInterface
public interface EventSink {
    void send(String subject, String event, Map<String, String> kwargs) throws IOException;
}
