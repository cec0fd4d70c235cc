package io.muster.agent.session;

import io.grpc.Channel;

/**
 * Gives a session the gRPC channel to a controller address. The real agent owns its channels; the
 * fleet simulator shares one channel among many sessions (each still has its own stream).
 *
 * <p>Threading: called from the session's timer/callback threads; thread-safe and non-blocking
 * (channels connect lazily).
 */
@FunctionalInterface
public interface ChannelSource {

    /** A channel to {@code address} ("host:port"). */
    Channel channel(String address);
}
