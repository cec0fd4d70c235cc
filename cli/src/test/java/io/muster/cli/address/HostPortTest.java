package io.muster.cli.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @Test
    void parse_nameAndPort() {
        assertThat(HostPort.parse("ctl-1.example.net:7070")).isEqualTo(new HostPort("ctl-1.example.net", 7070));
        assertThat(HostPort.parse("127.0.0.1:1")).isEqualTo(new HostPort("127.0.0.1", 1));
    }

    @Test
    void parse_bracketedIpv6_keepsBracketsInItsWrittenForm() {
        HostPort address = HostPort.parse("[::1]:5701");
        assertThat(address.host()).isEqualTo("::1");
        assertThat(address).hasToString("[::1]:5701");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", ":7070", "host:", "host:abc", "host:0", "host:65536", "::1:7070", "host:-1"})
    void parse_badAddress_quotesIt(String text) {
        assertThatThrownBy(() -> HostPort.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
