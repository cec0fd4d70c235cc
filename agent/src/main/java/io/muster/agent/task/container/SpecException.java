package io.muster.agent.task.container;

/** A container task spec that cannot be carried out as written; the message says what to fix. */
public final class SpecException extends Exception {

    public SpecException(String message) {
        super(message);
    }
}
