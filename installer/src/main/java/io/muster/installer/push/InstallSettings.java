package io.muster.installer.push;

import java.time.Duration;

/**
 * How {@code muster install} treats every host. Immutable.
 *
 * @param enrollToken   the enrollment token written to hosts that have no certificate yet (over
 *                      the SSH channel's stdin into a 0600 file); null: only enrolled hosts can be
 *                      installed
 * @param sudo          run the commands through passwordless sudo (for a non-root login)
 * @param commandTimeout bound of one remote command (the package upload and install included)
 * @param onlineTimeout how long a host has to show as online in the controller after the install
 */
public record InstallSettings(String enrollToken, boolean sudo, Duration commandTimeout, Duration onlineTimeout) {

    @Override
    public String toString() {
        // The token is a secret: never in a log line or an exception message.
        return "InstallSettings[enrollToken=" + (enrollToken == null ? "none" : "(set)") + ", sudo=" + sudo
                + ", commandTimeout=" + commandTimeout + ", onlineTimeout=" + onlineTimeout + "]";
    }
}
