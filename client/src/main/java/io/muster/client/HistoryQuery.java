package io.muster.client;

/**
 * Which inventory changes to read. {@code since} and {@code until} are ISO-8601 instants or ages
 * before now ({@code 7d}, {@code 12h}, {@code 30m}); null leaves a bound open.
 *
 * @param key      one fact, e.g. {@code kernel.release}; null for all
 * @param selector only hosts it matches (fleet-wide changes only); null for all
 */
public record HistoryQuery(String since, String until, String key, String selector) {

    /** Every change kept. */
    public static HistoryQuery all() {
        return new HistoryQuery(null, null, null, null);
    }

    public HistoryQuery since(String when) {
        return new HistoryQuery(when, until, key, selector);
    }

    public HistoryQuery until(String when) {
        return new HistoryQuery(since, when, key, selector);
    }

    public HistoryQuery key(String fact) {
        return new HistoryQuery(since, until, fact, selector);
    }

    public HistoryQuery selector(String hosts) {
        return new HistoryQuery(since, until, key, hosts);
    }

    Query toQuery() {
        return new Query().add("since", since).add("until", until).add("key", key);
    }
}
