package io.muster.cli;

import picocli.CommandLine;

/** The version recorded in the jar manifest at build time, "dev" when run from classes. */
public final class VersionProvider implements CommandLine.IVersionProvider {

    public static String version() {
        String version = MusterCommand.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"muster " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
