package io.muster.controller;

import io.muster.agent.Agent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test's own fleet on this machine: a database, one controller and real agents, all under a
 * temporary directory. After each test the agents stop first (so they do not reconnect), then
 * the controller, then the database it wrote to.
 */
public abstract class FleetFixture {

    @TempDir
    protected Path temp;

    protected Controller controller;
    protected final List<Agent> agents = new ArrayList<>();

    /** The test's database as it is now (tests may restart it), or null before it started. */
    protected abstract AutoCloseable database();

    @AfterEach
    void stopFleet() throws Exception {
        agents.forEach(Agent::close);
        if (controller != null) {
            controller.close();
        }
        AutoCloseable database = database();
        if (database != null) {
            database.close();
        }
    }
}
