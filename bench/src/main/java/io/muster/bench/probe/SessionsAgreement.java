package io.muster.bench.probe;

import io.muster.bench.fleet.Member;
import io.muster.client.Host;
import io.muster.client.MusterException;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether every agent is connected to exactly one member and the members agree on where, read
 * through the API as an operator would (what the controller's MemberPartitionTest checks with
 * its agents in hand, here without them): the members' own session counts (their
 * {@code connectedAgents} in {@code /api/v1/cluster}, read live) add up to the number of hosts,
 * and every member's sessions map ({@code connectedTo} of each host in {@code GET /api/v1/hosts},
 * asked of each member) names a member for every host, the same member on every member, and puts
 * on each member exactly as many hosts as that member says it holds.
 *
 * <p>It lists every host once per member ({@code hosts / 1,000} pages each): a check to make once
 * the cheaper signs of recovery are there, not on every poll. Thread-safe.
 */
public final class SessionsAgreement {

    private SessionsAgreement() {
    }

    /**
     * Empty when the members agree; otherwise the first disagreement found, in a sentence.
     *
     * @param members the live members (each must answer)
     * @param hosts   the hosts there are, each with one agent
     */
    public static Optional<String> disagreement(MemberApi api, List<Member> members, long hosts) throws InterruptedException {
        Map<String, Long> holds = new LinkedHashMap<>();
        Map<String, String> names = new HashMap<>();
        for (Member member : members) {
            Optional<JsonObject> self = ClusterReading.self(api, member);
            if (self.isEmpty()) {
                return Optional.of(member.name() + " does not answer /api/v1/cluster");
            }
            holds.put(self.get().getString("id"), self.get().getLong("connectedAgents", 0L));
            names.put(self.get().getString("id"), member.name());
        }
        long sessions = holds.values().stream().mapToLong(Long::longValue).sum();
        if (sessions != hosts) {
            return Optional.of(String.format(Locale.ROOT, "the members hold %d sessions for %d hosts (%s)", sessions, hosts, byName(holds, names)));
        }
        Map<String, String> reference = null;
        String referenceName = null;
        for (Member member : members) {
            Map<String, String> where = new HashMap<>();
            try {
                for (Host host : api.hosts(member.httpPort()).list()) {
                    where.put(host.id(), host.connectedTo());
                }
            } catch (MusterException e) {
                return Optional.of(member.name() + " could not list the hosts: " + e.getMessage());
            }
            long unplaced = where.values().stream().filter(Objects::isNull).count();
            if (where.size() != hosts || unplaced > 0) {
                return Optional.of(String.format(Locale.ROOT, "%s's sessions map places %d of %d hosts", member.name(), where.size() - unplaced,
                        hosts));
            }
            Map<String, Long> placed = new HashMap<>();
            where.values().forEach(memberId -> placed.merge(memberId, 1L, Long::sum));
            for (Map.Entry<String, Long> on : placed.entrySet()) {
                if (!holds.containsKey(on.getKey())) {
                    return Optional.of(String.format(Locale.ROOT, "%s's sessions map puts %d hosts on %s, not a live member", member.name(),
                            on.getValue(), on.getKey()));
                }
            }
            for (Map.Entry<String, Long> held : holds.entrySet()) {
                long mapped = placed.getOrDefault(held.getKey(), 0L);
                if (mapped != held.getValue()) {
                    return Optional.of(String.format(Locale.ROOT, "%s's sessions map puts %d hosts on %s, which holds %d sessions",
                            member.name(), mapped, names.get(held.getKey()), held.getValue()));
                }
            }
            if (reference == null) {
                reference = where;
                referenceName = member.name();
            } else if (!reference.equals(where)) {
                Map<String, String> first = reference;
                long differ = where.entrySet().stream().filter(e -> !e.getValue().equals(first.get(e.getKey()))).count();
                return Optional.of(String.format(Locale.ROOT, "%s and %s place %d hosts on different members", referenceName, member.name(),
                        differ));
            }
        }
        return Optional.empty();
    }

    private static String byName(Map<String, Long> holds, Map<String, String> names) {
        Map<String, Long> named = new LinkedHashMap<>();
        holds.forEach((id, count) -> named.put(names.get(id), count));
        return named.toString();
    }
}
