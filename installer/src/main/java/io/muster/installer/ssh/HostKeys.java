package io.muster.installer.ssh;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * Host key verification against an OpenSSH known_hosts file; never silent trust. A key that
 * differs from the file's is always refused. A host the file does not know is refused too, unless
 * {@code acceptNew} (OpenSSH's {@code StrictHostKeyChecking=accept-new}): then its key is added to
 * the file and trusted from then on. Why a key was refused is kept on the session
 * ({@link #refusal}) so the host's failure can say it. Thread-safe (MINA's verifier locks its
 * file updates).
 */
final class HostKeys extends KnownHostsServerKeyVerifier {

    private static final AttributeKey<String> REFUSAL = new AttributeKey<>();

    private final boolean acceptNew;

    HostKeys(Path knownHosts, boolean acceptNew) {
        super(acceptNew ? AcceptAllServerKeyVerifier.INSTANCE : RejectAllServerKeyVerifier.INSTANCE, knownHosts);
        this.acceptNew = acceptNew;
        setModifiedServerKeyAcceptor((session, address, entry, expected, actual) -> {
            session.setAttribute(REFUSAL, "host key mismatch: the host offered " + fingerprint(actual) + " but " + knownHosts
                    + " has " + fingerprint(expected) + " for it (a changed host, or someone in between); fix " + knownHosts
                    + " if the change is expected");
            return false;
        });
    }

    @Override
    protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
        if (!acceptNew) {
            session.setAttribute(REFUSAL, "unknown host key " + fingerprint(key) + ": the known hosts file has no entry for "
                    + remote + " (add it, e.g. with ssh-keyscan after checking the fingerprint, or use --accept-new)");
            return false;
        }
        return super.acceptUnknownHostKey(session, remote, key);
    }

    /** Why the host key was refused on this session, or null when it was not. */
    static String refusal(ClientSession session) {
        return session == null ? null : session.getAttribute(REFUSAL);
    }

    private static String fingerprint(PublicKey key) {
        return key == null ? "no key" : KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }
}
