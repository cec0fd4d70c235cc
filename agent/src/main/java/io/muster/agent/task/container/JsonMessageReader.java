package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the engine's progress streams (pull, load): a sequence of JSON objects, usually one per
 * line but not guaranteed to be, so objects are delimited by brace depth outside strings.
 */
final class JsonMessageReader {

    /** A progress message larger than this means the stream is not what we think it is. */
    private static final int MAX_MESSAGE = 1024 * 1024;

    private final InputStream in;

    JsonMessageReader(InputStream in) {
        this.in = in;
    }

    /** Returns the next object, or null at the end of the stream. */
    Struct next() throws IOException, EngineException {
        ByteArrayOutputStream object = new ByteArrayOutputStream();
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        int c;
        while ((c = in.read()) >= 0) {
            if (depth == 0 && c != '{') {
                if (Character.isWhitespace(c)) {
                    continue;
                }
                throw new IOException("engine progress stream out of step at '" + (char) c + "'");
            }
            object.write(c);
            if (object.size() > MAX_MESSAGE) {
                throw new IOException("engine progress message larger than " + MAX_MESSAGE + " bytes");
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return DockerEngineClient.parseJson(object.toByteArray()).getStructValue();
            }
        }
        if (object.size() > 0) {
            throw new IOException("engine progress stream ended inside a message");
        }
        return null;
    }

    /** The failure a progress message reports ({@code error} / {@code errorDetail.message}), or null. */
    static String error(Struct message) {
        if (message.containsFields("errorDetail")) {
            Struct detail = message.getFieldsOrThrow("errorDetail").getStructValue();
            if (detail.containsFields("message") && !detail.getFieldsOrThrow("message").getStringValue().isEmpty()) {
                return detail.getFieldsOrThrow("message").getStringValue();
            }
        }
        if (message.containsFields("error") && !message.getFieldsOrThrow("error").getStringValue().isEmpty()) {
            return message.getFieldsOrThrow("error").getStringValue();
        }
        return null;
    }

    /** The human-readable line of a progress message, or null when it has none. */
    static String text(Struct message) {
        for (String field : new String[] {"stream", "status"}) {
            if (message.containsFields(field)) {
                String s = message.getFieldsOrThrow(field).getStringValue().strip();
                if (!s.isEmpty()) {
                    String progress = message.containsFields("progress")
                            ? message.getFieldsOrThrow("progress").getStringValue() : "";
                    return progress.isEmpty() ? s : s + " " + progress;
                }
            }
        }
        return null;
    }
}
