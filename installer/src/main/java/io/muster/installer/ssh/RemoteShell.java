package io.muster.installer.ssh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * Commands on one logged-in host. Data (a package, an enrollment token, a sudo password) goes
 * over the command's standard input, so no secret is ever part of a command line on either side.
 * With {@link #withSudo} every command runs as root through sudo: {@code sudo -n sh -c '...'}
 * where the user's sudo rules need no password, else {@code sudo -S -p '' -k sh -c '...'} with the
 * password as the first line of the command's input. One command at a time per shell.
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

    /** sudo cannot make this login root; the message is the reason shown for the host. */
    public static final class NoSudo extends Exception {

        private static final long serialVersionUID = 1L;

        NoSudo(String message) {
            super(message);
        }
    }

    private final ClientSession session;
    private final SshTarget target;
    /** null: commands run as the login user; "": passwordless sudo; else the password sudo asks for. */
    private final String sudoPassword;

    RemoteShell(ClientSession session, SshTarget target) {
        this(session, target, null);
    }

    private RemoteShell(ClientSession session, SshTarget target, String sudoPassword) {
        this.session = session;
        this.target = target;
        this.sudoPassword = sudoPassword;
    }

    /**
     * This shell, running every command as root through sudo. Asks sudo first whether this user
     * needs a password ({@code sudo -n true}); if so, checks {@code password} once with nothing else
     * on the input: a wrong password would make sudo read the next lines (a package, a token) as
     * more attempts. From then on {@code -k} makes sudo ask for the password on every command, so
     * the line meant for sudo can never reach the command's input instead.
     *
     * @param password the user's password for sudo; null: passwordless sudo only
     * @throws NoSudo saying why (no sudo, a password needed and none given, the password refused,
     *                not in the sudoers file)
     */
    public RemoteShell withSudo(String password, Duration timeout) throws IOException, NoSudo {
        String who = target.user() + "@" + target.label();
        Result probe = run("command -v sudo >/dev/null || { echo 'sudo is not installed' >&2; exit 127; }; sudo -n true", timeout);
        if (probe.ok()) {
            return new RemoteShell(session, target, "");
        }
        if (probe.exitCode() == 127) {
            throw new NoSudo("no sudo: sudo is not installed on " + target.label());
        }
        if (!probe.err().contains("password is required")) {
            throw new NoSudo("no sudo: " + who + " cannot use sudo: " + probe.reason());
        }
        if (password == null) {
            throw new NoSudo("no sudo: sudo asks " + who + " for a password: give --sudo-password-file FILE (or set "
                    + "MUSTER_SUDO_PASSWORD), or allow this user sudo without one (NOPASSWD)");
        }
        RemoteShell withPassword = new RemoteShell(session, target, password);
        Result check = withPassword.run("true", timeout);
        if (!check.ok()) {
            throw new NoSudo("no sudo: sudo did not accept the password for " + who + ": " + check.reason());
        }
        return withPassword;
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
        String sudo = sudoPassword == null ? "" : sudoPassword.isEmpty() ? "sudo -n " : "sudo -S -p '' -k ";
        String command = sudo + "sh -c " + quote(script);
        if (sudoPassword != null && !sudoPassword.isEmpty()) {
            // sudo reads its password line byte by byte; the rest of the input is the command's
            input = new SequenceInputStream(new ByteArrayInputStream((sudoPassword + "\n").getBytes(StandardCharsets.UTF_8)), input);
        }
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
