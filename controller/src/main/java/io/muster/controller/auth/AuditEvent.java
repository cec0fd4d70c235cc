package io.muster.controller.auth;

import java.time.Instant;

/**
 * One audited call.
 *
 * @param actorId   the API token id, "enrollment:&lt;id&gt;" for an enrollment token, null when the
 *                  caller could not be identified
 * @param actorName the token's name, null when unknown
 * @param action    e.g. "POST /api/v1/tasks" or "grpc muster.v1.FleetControl/SubmitTask"
 * @param target    what was acted on (a path, "host:&lt;id&gt;", "task:&lt;id&gt;"), may be null
 * @param outcome   HTTP status code; gRPC calls map their status to the matching HTTP code
 * @param detail    a short reason for refusals, may be null
 */
public record AuditEvent(long id, Instant at, String actorId, String actorName, String action, String target,
                         int outcome, String detail) {
}
