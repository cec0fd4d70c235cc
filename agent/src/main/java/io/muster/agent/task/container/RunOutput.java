package io.muster.agent.task.container;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Progress lines for people, written to the run's captured output. */
final class RunOutput {

    private RunOutput() {
    }

    static void line(OutputStream out, String text) throws IOException {
        out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
