package io.muster.installer.push;

/**
 * Hears about hosts as a {@link FleetRun} works through them: called from the worker threads, so
 * implementations must be thread-safe and quick.
 */
public interface Progress {

    /** The run starts work on {@code host}. */
    void started(String host);

    /** {@code host} moved on to {@code step} (connect, upload, install, wait for online, ...). */
    void step(String host, String step);

    /** {@code host} is done. */
    void finished(HostResult result);

    /** Ignores everything. */
    Progress NONE = new Progress() {
        @Override
        public void started(String host) {
        }

        @Override
        public void step(String host, String step) {
        }

        @Override
        public void finished(HostResult result) {
        }
    };
}
