package io.muster.installer.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SshTargetTest {

    @Test
    void parse_takesUserHostAndPort_withDefaults() {
        assertThat(SshTarget.parse("web-1", "root")).isEqualTo(new SshTarget("web-1", 22, "root"));
        assertThat(SshTarget.parse("deploy@10.0.0.5:2222", "root")).isEqualTo(new SshTarget("10.0.0.5", 2222, "deploy"));
        assertThat(SshTarget.parse("[fd00::1]:2200", "root")).isEqualTo(new SshTarget("fd00::1", 2200, "root"));
        assertThat(SshTarget.parse("fd00::1", "root").host()).isEqualTo("fd00::1");
        assertThat(new SshTarget("10.0.0.5", 2222, "x").label()).isEqualTo("10.0.0.5:2222");
        assertThat(new SshTarget("10.0.0.5", 22, "x").label()).isEqualTo("10.0.0.5");
    }

    @Test
    void parse_refusesBadPortsAndEmptyParts() {
        assertThatThrownBy(() -> SshTarget.parse("h:0", "root")).hasMessageContaining("port must be 1-65535");
        assertThatThrownBy(() -> SshTarget.parse("h:ssh", "root")).hasMessageContaining("port must be 1-65535");
        assertThatThrownBy(() -> SshTarget.parse("@h", "root")).hasMessageContaining("[user@]host[:port]");
        assertThatThrownBy(() -> SshTarget.parse("[fd00::1", "root")).hasMessageContaining("']'");
    }
}
