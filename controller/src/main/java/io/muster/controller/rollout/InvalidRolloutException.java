package io.muster.controller.rollout;

/** A rollout or schedule request that cannot be accepted; names the field at fault (a 400). */
public final class InvalidRolloutException extends RuntimeException {

    private final String field;

    public InvalidRolloutException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field at fault, as a JSON path ({@code strategy.waves[2]}). */
    public String field() {
        return field;
    }
}
