package io.muster.controller.cluster;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.JavaSerializationFilterConfig;

/**
 * The only classes a member deserializes with Java serialization from a peer: our own cluster
 * messages and the plain JDK and Hazelcast types they and Hazelcast's replies are made of. Anything
 * else (a rogue member's own Callable, a gadget chain through a library on our classpath) fails
 * with a SecurityException before any of its code runs.
 *
 * <p>A new class sent through Hazelcast (an executor task, an entry processor, a topic message
 * that is not a JDK type) must be added here, or the receiving member refuses it.
 */
public final class WireClasses {

    /** Our classes, by exact name (not by package: a package would admit every class added later). */
    static final String[] OURS = {
            "io.muster.controller.dispatch.MemberShare",
            "io.muster.controller.dispatch.RunBundle",
            "io.muster.controller.cluster.SessionDirectory$ClaimIfOwner",
            "io.muster.controller.cluster.SessionDirectory$CopyClaim",
            "io.muster.controller.cluster.SessionDirectory$ReleaseIfHeld",
            "io.muster.controller.cluster.SessionDirectory$ReadMemberId",
            "io.muster.controller.cluster.SessionDirectory$ReadEntry",
            "io.muster.controller.cluster.SessionDirectory$RemoveIfSame",
    };

    private WireClasses() {
    }

    public static JavaSerializationFilterConfig filter() {
        ClassFilter allowed = new ClassFilter()
                .addClasses(OURS)
                // Hazelcast's own types (its exceptions travel back Java-serialized) and JDK basics:
                // strings, boxed numbers, collections, UUIDs, times, exceptions and stack traces.
                .addPrefixes("com.hazelcast.", "[")
                .addPackages("java.lang", "java.util", "java.util.concurrent", "java.time", "java.io");
        // Defaults disabled: Hazelcast's default list admits every class whose name starts with "java".
        return new JavaSerializationFilterConfig().setDefaultsDisabled(true).setWhitelist(allowed);
    }
}
