package io.muster.scheduler.selector;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A parsed host selector such as {@code role=web,dc in (ldn1,nyc2),cpu.cores>=32,!maintenance}:
 * the AND of its {@link Requirement}s. The empty selector matches every host.
 *
 * <p>Immutable and thread-safe. Parse once, then evaluate in memory with {@link #matches} or
 * turn into SQL with {@link SqlSelector#where}; both back ends pick the same hosts.
 * {@link #toString()} gives the canonical form, which parses back to an equal selector.
 */
public final class Selector {

    /**
     * Keys under this prefix are controller-owned labels: set only by an enrollment token or a
     * person through the API, never taken from what an agent reports (a fact with such a key is
     * dropped on arrival, and selectors read these keys from the labels alone). Token scopes are
     * made of them, so a host cannot claim its way into a team's scope.
     */
    public static final String CONTROLLER_OWNED_PREFIX = "muster.io/";

    /** Whether {@code key} names a controller-owned label ({@link #CONTROLLER_OWNED_PREFIX}). */
    public static boolean isControllerOwned(String key) {
        return key.startsWith(CONTROLLER_OWNED_PREFIX);
    }

    /**
     * The first requirement whose key is not controller-owned, if any: a selector that can be
     * satisfied by what an agent reports about itself, so it cannot bound a token's scope.
     */
    public java.util.Optional<String> keyNotControllerOwned() {
        for (Requirement requirement : requirements) {
            if (!isControllerOwned(requirement.key())) {
                return java.util.Optional.of(requirement.key());
            }
        }
        return java.util.Optional.empty();
    }

    private static final Selector ALL = new Selector(List.of());

    private final List<Requirement> requirements;

    private Selector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    /**
     * Parses selector text.
     *
     * @throws SelectorSyntaxException with the column and what was expected when the text is malformed
     */
    public static Selector parse(String text) {
        Objects.requireNonNull(text, "selector text");
        return of(new SelectorParser(text).parse());
    }

    /** A selector of requirements built in code. */
    public static Selector of(List<? extends Requirement> requirements) {
        if (requirements.isEmpty()) {
            return ALL;
        }
        for (Requirement requirement : requirements) {
            Objects.requireNonNull(requirement, "requirement");
        }
        return new Selector(List.copyOf(requirements));
    }

    /** The selector that matches every host. */
    public static Selector all() {
        return ALL;
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /**
     * In-memory back end.
     *
     * @param labels the host's labels (may be empty)
     * @param facts  the host's facts: {@code String}, {@code Long}/{@code Integer}, {@code Double} or {@code Boolean}
     */
    public boolean matches(Map<String, String> labels, Map<String, ?> facts) {
        for (Requirement requirement : requirements) {
            if (!requirement.test(HostValues.lookup(labels, facts, requirement.key()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Selector && ((Selector) other).requirements.equals(requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode();
    }

    /** Canonical form: requirements in their order, joined by {@code ,}, values quoted only when needed. */
    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }
}
