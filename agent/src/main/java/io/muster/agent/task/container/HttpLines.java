package io.muster.agent.task.container;

import java.io.IOException;
import java.io.InputStream;

/** Line reading for HTTP/1.1 framing: lines end in CRLF (a bare LF is tolerated). */
final class HttpLines {

    /** Longer lines are not HTTP framing: the stream is out of step. */
    private static final int MAX_LINE = 64 * 1024;

    private HttpLines() {
    }

    /** Returns the next line without its terminator, or null at end of stream before any byte. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        boolean any = false;
        while ((c = in.read()) >= 0) {
            any = true;
            if (c == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("HTTP line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) c);
        }
        return any ? line.toString() : null;
    }
}
