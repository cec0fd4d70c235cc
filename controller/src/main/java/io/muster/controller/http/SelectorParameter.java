package io.muster.controller.http;

import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;

/** A selector given in a request (query parameter or body field), parsed or answered with a 400. */
public final class SelectorParameter {

    private SelectorParameter() {
    }

    /**
     * The selector, or null when {@code text} is null or blank.
     *
     * @throws ProblemException 400 invalid-selector with the column and what was expected there
     */
    public static Selector parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Selector.parse(text);
        } catch (SelectorSyntaxException e) {
            throw new ProblemException(Problem.badRequest("invalid-selector",
                            "selector '" + text + "' is not valid at column " + e.column() + ": expected " + e.expected())
                    .with("column", e.column())
                    .with("expected", e.expected()));
        }
    }
}
