package io.muster.installer.ssh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * Commands on one logged-in host. Data (a package, an enrollment token) goes over the command's
 * standard input, so no secret is ever part of a command line on either side. With
 * {@link #withSudo} every command runs as {@code sudo -n sh -c '...'} (passwordless sudo only: a
 * password prompt fails at once instead of hanging). One command at a time per shell.
 */
public final class RemoteShell implements AutoCloseable {

    /**
     * What a command did.
     *
     * @param exitCode its exit status (-1 when the server sent none)
     * @param out      standard output, UTF-8
     * @param err      standard error, UTF-8
     */
    public record Result(int exitCode, String out, String err) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** The last line of stderr, else of stdout: the shortest useful reason for a failure. */
        public String reason() {
            String text = err.isBlank() ? out : err;
            String[] lines = text.strip().split("\n");
            return lines.length == 0 || lines[lines.length - 1].isBlank() ? "exit code " + exitCode
                    : lines[lines.length - 1].strip() + " (exit code " + exitCode + ")";
        }
    }

    private final ClientSession session;
    private final SshTarget target;
    private final boolean sudo;

    RemoteShell(ClientSession session, SshTarget target) {
        this(session, target, false);
    }

    private RemoteShell(ClientSession session, SshTarget target, boolean sudo) {
        this.session = session;
        this.target = target;
        this.sudo = sudo;
    }

    /** This shell, running commands through passwordless sudo. */
    public RemoteShell withSudo() {
        return new RemoteShell(session, target, true);
    }

    public SshTarget target() {
        return target;
    }

    /** Runs {@code script} with {@code sh -c} and no input. */
    public Result run(String script, Duration timeout) throws IOException {
        return run(script, new ByteArrayInputStream(new byte[0]), timeout);
    }

    /** Runs {@code script} with {@code sh -c}, {@code input} on its standard input (then end of file). */
    public Result run(String script, InputStream input, Duration timeout) throws IOException {
        String command = (sudo ? "sudo -n " : "") + "sh -c " + quote(script);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setIn(input);
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(timeout);
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                throw new IOException("no answer within " + timeout.toSeconds() + " s from: " + script.lines().findFirst().orElse(""));
            }
            Integer status = channel.getExitStatus();
            return new Result(status == null ? -1 : status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /** {@code text} as one single-quoted shell word. */
    public static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    @Override
    public void close() throws IOException {
        session.close();
    }
}
