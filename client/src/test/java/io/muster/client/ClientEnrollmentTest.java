package io.muster.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an installer asks the controller for (the bench's install scenario does): an enrollment
 * token with its lifetime, uses and labels, and the CA certificate new hosts must trust.
 */
class ClientEnrollmentTest {

    @Test
    void an_enrollment_token_is_asked_for_with_its_lifetime_uses_and_labels_and_its_secret_comes_back() throws IOException {
        try (RecordingServer server = new RecordingServer(request -> new RecordingServer.Answer(201, "application/json",
                "{\"id\":\"enr-1\",\"token\":\"mse_secret\"}", null))) {
            Tokens tokens = MusterClient.builder(server.url()).token("mst_admin").build().tokens();
            NewToken created = tokens.createEnrollment(Duration.ofMinutes(30), 12, Map.of("team", "payments"));
            assertThat(created.id()).isEqualTo("enr-1");
            assertThat(created.token()).isEqualTo("mse_secret");
            tokens.createEnrollment(Duration.ofSeconds(90), 1, Map.of());

            RecordingServer.Request first = server.requests().get(0);
            assertThat(first.method() + " " + first.rawPath()).isEqualTo("POST /api/v1/enrollment-tokens");
            assertThat(first.authorization()).isEqualTo("Bearer mst_admin");
            assertThat(new JsonObject(first.body())).isEqualTo(new JsonObject()
                    .put("expiresInSeconds", 1800).put("maxUses", 12).put("labels", new JsonObject().put("team", "payments")));
            // No labels: none sent, rather than an empty map the controller would stamp as nothing anyway.
            assertThat(new JsonObject(server.requests().get(1).body()))
                    .isEqualTo(new JsonObject().put("expiresInSeconds", 90).put("maxUses", 1));
        }
    }

    @Test
    void the_ca_certificate_is_the_pem_text_as_served() throws IOException {
        String pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0E=\n-----END CERTIFICATE-----\n";
        try (RecordingServer server = new RecordingServer(request -> new RecordingServer.Answer(200, "application/x-pem-file", pem, null))) {
            assertThat(MusterClient.builder(server.url()).build().caCertificate()).isEqualTo(pem);
            assertThat(server.requests().get(0).rawPath()).isEqualTo("/api/v1/ca.pem");
        }
    }
}
