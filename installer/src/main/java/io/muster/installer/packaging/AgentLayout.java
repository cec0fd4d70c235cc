package io.muster.installer.packaging;

import java.util.List;

/**
 * Where an agent package puts things on a host. The same paths are used by every format, by the
 * systemd unit, by the maintainer scripts and by {@code muster install}, which reads
 * {@link #PACKAGE_ID} and {@link #HOST_ID} to tell an installed, unchanged host from one to update.
 */
public final class AgentLayout {

    public static final String PACKAGE_NAME = "muster-agent";
    public static final String HOME = "/opt/muster-agent";
    public static final String MAIN_JAR = HOME + "/muster.jar";
    public static final String LIB = HOME + "/lib";
    public static final String LAUNCHER = HOME + "/bin/muster-agent";
    public static final String JVM_OPTIONS = HOME + "/agent-jvm.options";
    /** The agent's supervisor, a shell loop the launcher runs for {@code agent}. */
    public static final String SUPERVISOR = HOME + "/bin/agent-supervisor.sh";
    /** A digest of everything else in the package: equal ids mean an identical install. */
    public static final String PACKAGE_ID = HOME + "/package-id";
    /** The maintainer scripts, for tar installs (deb and rpm keep them in their own metadata). */
    public static final String SCRIPTS = HOME + "/package";
    public static final String CONFIG_DIR = "/etc/muster";
    public static final String CONFIG = CONFIG_DIR + "/agent.conf";
    public static final String CA_CERT = CONFIG_DIR + "/ca.pem";
    public static final String ENROLL_TOKEN = CONFIG_DIR + "/enroll.token";
    public static final String DATA_DIR = "/var/lib/muster-agent";
    public static final String HOST_ID = DATA_DIR + "/host-id";
    public static final String CERTIFICATE = DATA_DIR + "/tls/agent.crt";
    public static final String UNIT_NAME = "muster-agent.service";
    public static final String UNIT = "/lib/systemd/system/" + UNIT_NAME;
    /** What the package needs from the host, per format (a virtual package any Java 17+ runtime provides). */
    public static final String DEB_JAVA_DEPENDENCY = "java17-runtime-headless";
    public static final String RPM_JAVA_DEPENDENCY = "java-headless";
    public static final String RPM_JAVA_VERSION = "1:17";

    private AgentLayout() {
    }

    /**
     * The agent's config file ({@code muster agent --config}): one option per line, named as on the
     * command line without the dashes.
     */
    public static String agentConfig(List<String> controllers, List<String> enrollControllers, boolean pinnedCa) {
        StringBuilder text = new StringBuilder()
                .append("# Settings of `muster agent --config ").append(CONFIG).append("`: one option per line, named as on the\n")
                .append("# command line without its dashes (options given on the command line win).\n")
                .append("controller=").append(String.join(",", controllers)).append('\n')
                .append("data-dir=").append(DATA_DIR).append('\n')
                .append("# Read once when the agent has no certificate yet, deleted after enrollment succeeds.\n")
                .append("enroll-token-file=").append(ENROLL_TOKEN).append('\n');
        if (!enrollControllers.isEmpty()) {
            text.append("enroll-controller=").append(String.join(",", enrollControllers)).append('\n');
        }
        if (pinnedCa) {
            text.append("ca-cert=").append(CA_CERT).append('\n');
        }
        return text.toString();
    }
}
