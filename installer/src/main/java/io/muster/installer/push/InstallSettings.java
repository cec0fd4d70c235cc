package io.muster.installer.push;

import java.time.Duration;

/**
 * How {@code muster install} treats every host. Immutable.
 *
 * @param enrollToken   the enrollment token written to hosts that have no certificate yet (over
 *                      the SSH channel's stdin into a 0600 file); null: only enrolled hosts can be
 *                      installed
 * @param sudo          run the commands as root through sudo (for a non-root login)
 * @param sudoPassword  the password sudo asks for, sent on the SSH channel's stdin; null: only
 *                      passwordless sudo
 * @param commandTimeout bound of one remote command (the package upload and install included)
 * @param onlineTimeout how long a host has to show as online in the controller after the install
 */
public record InstallSettings(String enrollToken, boolean sudo, String sudoPassword, Duration commandTimeout, Duration onlineTimeout) {

    @Override
    public String toString() {
        // The token and the password are secrets: never in a log line or an exception message.
        return "InstallSettings[enrollToken=" + (enrollToken == null ? "none" : "(set)") + ", sudo=" + sudo
                + ", sudoPassword=" + (sudoPassword == null ? "none" : "(set)")
                + ", commandTimeout=" + commandTimeout + ", onlineTimeout=" + onlineTimeout + "]";
    }
}
