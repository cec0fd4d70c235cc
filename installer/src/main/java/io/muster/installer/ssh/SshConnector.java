package io.muster.installer.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Opens SSH sessions to target hosts with Apache MINA SSHD: public-key authentication only (the
 * identity files given, no passwords, no agent), host keys checked by {@link HostKeys}. One
 * connector serves many hosts in parallel; close it when done. Thread-safe.
 */
public final class SshConnector implements AutoCloseable {

    private final SshClient client;
    private final Duration timeout;

    /**
     * @param identities private key files (OpenSSH or PEM, unencrypted)
     * @param knownHosts OpenSSH known_hosts file; created when {@code acceptNew} and missing
     * @param acceptNew  trust and record keys of hosts the file does not know yet
     * @param timeout    bound of the TCP connect, the key exchange and the authentication each
     */
    public SshConnector(List<Path> identities, Path knownHosts, boolean acceptNew, Duration timeout) throws IOException {
        this.timeout = timeout;
        List<KeyPair> keys = new ArrayList<>();
        for (Path identity : identities) {
            keys.addAll(load(identity));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no private key to log in with: give --identity FILE");
        }
        if (!acceptNew && !Files.isRegularFile(knownHosts)) {
            throw new IllegalArgumentException("the known hosts file " + knownHosts
                    + " does not exist: give --known-hosts FILE, or --accept-new to record the keys of new hosts");
        }
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new HostKeys(knownHosts, acceptNew));
        client.setKeyIdentityProvider(session -> keys);
        client.setUserAuthFactoriesNames("publickey");
        client.start();
    }

    private static List<KeyPair> load(Path identity) throws IOException {
        try (InputStream in = Files.newInputStream(identity)) {
            List<KeyPair> keys = new ArrayList<>();
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(identity.toString()), in, null);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
            if (keys.isEmpty()) {
                throw new IllegalArgumentException(identity + " holds no private key");
            }
            return keys;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(identity + " is not a usable private key (encrypted keys are not supported): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Connects and logs in.
     *
     * @throws SshFailure with the reason: unreachable, host key refused (and why), login refused
     */
    public RemoteShell connect(SshTarget target) throws SshFailure {
        ClientSession session = null;
        try {
            session = client.connect(target.user(), target.host(), target.port()).verify(timeout).getSession();
            session.auth().verify(timeout);
            return new RemoteShell(session, target);
        } catch (IOException e) {
            String refusal = HostKeys.refusal(session);
            closeQuietly(session);
            if (refusal != null) {
                throw new SshFailure(refusal, e);
            }
            throw new SshFailure(reason(target, e), e);
        }
    }

    private static String reason(SshTarget target, IOException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException) {
            return "unreachable: cannot connect to " + target.label() + " (" + root.getMessage() + ")";
        }
        if (root instanceof UnknownHostException) {
            return "unreachable: unknown host " + target.host();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof SshException && message.contains("No more authentication methods")) {
            return "login refused: " + target.user() + "@" + target.host() + " did not accept the key";
        }
        if (message.toLowerCase(java.util.Locale.ROOT).contains("timeout") || message.contains("timed out")) {
            return "unreachable: no SSH answer from " + target.label() + " within " + "the connect timeout";
        }
        return "ssh to " + target.label() + " failed: " + message;
    }

    private static void closeQuietly(ClientSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (IOException ignored) {
                // the failure being reported matters more
            }
        }
    }

    @Override
    public void close() throws IOException {
        client.stop();
        client.close();
    }
}
