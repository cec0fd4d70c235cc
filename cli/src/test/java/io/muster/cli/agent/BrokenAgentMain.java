package io.muster.cli.agent;

/** The entry point of a broken agent build: it fails at once, as a build with a fatal bug would. */
public final class BrokenAgentMain {

    private BrokenAgentMain() {
    }

    public static void main(String[] args) {
        System.err.println("broken agent build: failing on purpose");
        System.exit(1);
    }
}
