package io.muster.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.cluster.SessionRules.EndCause;
import io.muster.controller.cluster.SessionRules.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionRulesTest {

    @Test
    void reconcile_reclaimsUnlessTheMapNamesExactlyTheHeldSession() {
        SessionEntry held = new SessionEntry("m-1", 20);
        assertThat(SessionRules.needsReclaim(null, held)).as("lost in a merge").isTrue();
        assertThat(SessionRules.needsReclaim(new SessionEntry("m-2", 30), held)).as("other side's entry").isTrue();
        assertThat(SessionRules.needsReclaim(new SessionEntry("m-1", 10), held)).as("own older session").isTrue();
        assertThat(SessionRules.needsReclaim(new SessionEntry("m-1", 20), held)).isFalse();
    }

    @Test
    void reconcile_removesOnlyOwnEntriesOfHostsNotHeld() {
        assertThat(SessionRules.isOrphaned("m-1", new SessionEntry("m-1", 5), false)).isTrue();
        assertThat(SessionRules.isOrphaned("m-1", new SessionEntry("m-1", 5), true)).isFalse();
        assertThat(SessionRules.isOrphaned("m-1", new SessionEntry("m-2", 5), false)).as("never another member's").isFalse();
        assertThat(SessionRules.isOrphaned("m-1", null, false)).isFalse();
    }

    @Test
    void hello_ownerHere_accepts() {
        assertThat(SessionRules.onHello("m-1", "m-1", false).verdict()).isEqualTo(Verdict.ACCEPT);
    }

    @Test
    void hello_ownerElsewhere_redirectsToOwner_evenWhileClosing() {
        assertThat(SessionRules.onHello("m-1", "m-2", false))
                .isEqualTo(new SessionRules.HelloDecision(Verdict.REDIRECT, "m-2"));
        assertThat(SessionRules.onHello("m-1", "m-2", true).verdict()).isEqualTo(Verdict.REDIRECT);
    }

    @Test
    void hello_unknownOwner_isNotReady() {
        assertThat(SessionRules.onHello("m-1", null, false).verdict()).isEqualTo(Verdict.NOT_READY);
    }

    @Test
    void hello_ownerHereWhileClosing_isRefused() {
        assertThat(SessionRules.onHello("m-1", "m-1", true).verdict()).isEqualTo(Verdict.SHUTTING_DOWN);
    }

    @Test
    void sessionEnd_onlyALostSessionMayMarkTheHostOffline() {
        assertThat(SessionRules.onSessionEnd(EndCause.LOST)).isEqualTo(new SessionRules.EndActions(true, true));
        assertThat(SessionRules.onSessionEnd(EndCause.HANDED_OVER)).isEqualTo(new SessionRules.EndActions(true, false));
        assertThat(SessionRules.onSessionEnd(EndCause.REPLACED)).isEqualTo(new SessionRules.EndActions(true, false));
        assertThat(SessionRules.onSessionEnd(EndCause.HALTED)).isEqualTo(new SessionRules.EndActions(false, false));
    }

    @Test
    void release_onlyTheSessionsOwnEntry() {
        SessionEntry mine = new SessionEntry("m-1", 10);
        assertThat(SessionRules.mayRelease(new SessionEntry("m-1", 10), mine)).isTrue();
        assertThat(SessionRules.mayRelease(new SessionEntry("m-1", 11), mine)).isFalse();
        assertThat(SessionRules.mayRelease(new SessionEntry("m-2", 10), mine)).isFalse();
        assertThat(SessionRules.mayRelease(null, mine)).isFalse();
    }

    @Test
    void handOver_listsHostsOwnedElsewhere_keepsUnknownOwners() {
        Map<String, String> owners = new java.util.HashMap<>(Map.of("a", "m-1", "b", "m-2"));
        owners.put("c", null);
        assertThat(SessionRules.toHandOver("m-1", List.of("a", "b", "c"), owners::get)).containsExactly("b");
    }

    @Test
    void claim_onlyByTheCurrentOwner_andNeverOverANewerOwnSession() {
        SessionEntry claim = new SessionEntry("m-1", 20);
        assertThat(SessionRules.mayClaim("m-1", null, claim)).isTrue();
        assertThat(SessionRules.mayClaim("m-1", new SessionEntry("m-2", 99), claim)).isTrue();
        assertThat(SessionRules.mayClaim("m-1", new SessionEntry("m-1", 10), claim)).isTrue();
        assertThat(SessionRules.mayClaim("m-1", new SessionEntry("m-1", 30), claim)).isFalse();
        assertThat(SessionRules.mayClaim("m-2", null, claim)).as("claim delayed past a migration").isFalse();
    }

    @Test
    void offline_isRecordedOnlyByTheCurrentOwner() {
        assertThat(SessionRules.mayRecordOffline("m-1", "m-1")).isTrue();
        assertThat(SessionRules.mayRecordOffline("m-2", "m-1")).isFalse();
    }

    @Test
    void staleEntries_areThoseOfDepartedMembers() {
        assertThat(SessionRules.isStale(new SessionEntry("m-9", 1), Set.of("m-9"))).isTrue();
        assertThat(SessionRules.isStale(new SessionEntry("m-1", 1), Set.of("m-9"))).isFalse();
    }
}
