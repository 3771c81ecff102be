package org.qubicle.api.handlers;

import static org.qubicle.api.ApiMethod.Access.READ;
import static org.qubicle.api.ApiMethod.Access.WRITE;
import static org.qubicle.api.ApiMethod.Arg.NONE;
import static org.qubicle.api.ApiMethod.Dest.NOT_ADMIN_VM;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.qubicle.api.ApiMethod.Payload;
import org.qubicle.api.MethodTable;
import org.qubicle.model.Qube;
import org.qubicle.model.exc.ProtocolError;

/**
 * {@code admin.vm.notes.Get/Set}: free text per qube, at most 256,000 bytes (our request cap
 * of 64 KiB is lower still). Unsafe code points become {@code _}; tab and newline stay.
 */
final class NotesHandlers {
    static final int MAX_NOTES_BYTES = Qube.MAX_NOTES;

    private NotesHandlers() {
    }

    static void register(MethodTable.Builder b) {
        b.add("admin.vm.notes.Get", NONE, Payload.NONE, NOT_ADMIN_VM, READ, call -> call.dest().notes());
        b.add("admin.vm.notes.Set", NONE, Payload.OPTIONAL, NOT_ADMIN_VM, WRITE, call -> {
            byte[] untrusted = call.untrustedPayload();
            if (untrusted.length > MAX_NOTES_BYTES) {
                throw new ProtocolError("notes too long");
            }
            call.dest().setNotes(sanitize(untrusted));
            return "";
        });
    }

    static String sanitize(byte[] untrusted) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(untrusted)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolError("notes are not UTF-8");
        }
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> sb.appendCodePoint(safe(cp) ? cp : '_'));
        return sb.toString();
    }

    private static boolean safe(int cp) {
        if (cp == '\t' || cp == '\n') {
            return true;
        }
        int type = Character.getType(cp);
        return !(type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR);
    }
}
