package io.muster.cli.agent;

import io.muster.agent.AgentConfig;
import io.muster.cli.address.HostPortConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How {@code muster agent} reaches the gateway: by default mTLS with the certificate in
 * {@code <data-dir>/tls}, obtained once with the token in {@code --enroll-token-file FILE} (never
 * on a command line, where {@code ps} shows it; the cluster CA pinned with
 * {@code --ca-cert FILE}, or trusted on first use with its fingerprint logged) at the controllers'
 * enrollment ports ({@code --enroll-controller}); {@code --insecure}
 * is plaintext for demos and tests. Mixed into the agent command, so the supervisor hands the same
 * options to the agent it runs.
 */
public final class AgentTlsOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--enroll-token-file", paramLabel = "FILE",
            description = "File holding the enrollment token (an admin makes one with POST /api/v1/enrollment-tokens; "
                    + "keep the file 0600): read once while <data-dir>/tls holds no certificate, deleted after "
                    + "enrollment succeeds. The token is never taken on a command line, where ps would show it.")
    Path enrollTokenFile;


    @Option(names = "--enroll-controller", split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = HostPortConverter.class,
            description = "The controllers' enrollment ports, tried in order while <data-dir>/tls holds no certificate "
                    + "(default: the host of each --controller with port " + AgentConfig.DEFAULT_ENROLL_PORT
                    + ", the controller's default --enroll-port).")
    List<String> enrollControllers;

    @Option(names = "--ca-cert", paramLabel = "FILE",
            description = "PEM of the cluster CA (GET /api/v1/ca.pem) to pin while enrolling "
                    + "(default: trust the controller on first use and log the CA's SHA-256 fingerprint).")
    Path caCert;

    @Option(names = "--insecure",
            description = "Plaintext connection without certificates, for demos and tests only "
                    + "(the controllers must run with --insecure too).")
    boolean insecure;

    /** Bad combinations are usage errors (exit 2), found before anything starts. */
    public void validate() {
        if (insecure && (enrollTokenFile != null || caCert != null || enrollControllers != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--insecure connects without certificates: "
                    + "drop --enroll-token-file, --enroll-controller and --ca-cert, or drop --insecure");
        }
        if (enrollTokenFile != null && Files.isDirectory(enrollTokenFile)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--enroll-token-file " + enrollTokenFile + " is a directory");
        }
        if (caCert != null && !Files.isReadable(caCert)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ca-cert " + caCert + " is not a readable file");
        }
    }

    /**
     * The configuration with this transport: plaintext when insecure, else mTLS (enrolling if
     * needed, with the token from the file).
     */
    public AgentConfig apply(AgentConfig config) {
        if (insecure) {
            return config;
        }
        String token = null;
        if (!EnrollmentToken.enrolled(config.dataDir())) {
            token = EnrollmentToken.read(enrollTokenFile);
        }
        return config.secured(token, caCert).withEnrollControllers(enrollControllers);
    }

    /** After the agent started (and so enrolled): the token file has served and is deleted. */
    void discardTokenFile(Path dataDir) {
        EnrollmentToken.discardIfEnrolled(enrollTokenFile, dataDir);
    }
}
