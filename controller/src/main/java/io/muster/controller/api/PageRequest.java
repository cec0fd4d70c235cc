package io.muster.controller.api;

import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;

import io.muster.controller.store.HostRepository;
import io.vertx.ext.web.RoutingContext;

/** The paging query parameters {@code limit} and {@code cursor}, validated. */
record PageRequest(int limit, String cursor) {

    static final int DEFAULT_LIMIT = 100;

    /** @throws ProblemException 400 when limit is not an integer in 1..1000 or cursor is empty */
    static PageRequest from(RoutingContext ctx) {
        String limitText = ctx.request().getParam("limit");
        int limit = DEFAULT_LIMIT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText.strip());
            } catch (NumberFormatException e) {
                throw badLimit(limitText);
            }
            if (limit < 1 || limit > HostRepository.MAX_PAGE) {
                throw badLimit(limitText);
            }
        }
        String cursor = ctx.request().getParam("cursor");
        if (cursor != null && cursor.isEmpty()) {
            throw new ProblemException(Problem.badRequest("invalid-cursor", "cursor is empty; omit it for the first page"));
        }
        return new PageRequest(limit, cursor);
    }

    private static ProblemException badLimit(String text) {
        return new ProblemException(Problem.badRequest("invalid-limit",
                "limit must be an integer from 1 to " + HostRepository.MAX_PAGE + ", got '" + text + "'"));
    }
}
