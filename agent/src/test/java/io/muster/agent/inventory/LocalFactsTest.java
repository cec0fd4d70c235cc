package io.muster.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.proto.v1.Fact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local facts read from real files: typed values, file order, what is left out. */
class LocalFactsTest {

    @TempDir
    Path dir;

    @Test
    void each_key_becomes_a_local_fact_typed_by_its_value_and_later_files_win() throws Exception {
        Files.writeString(dir.resolve("10-site.facts"), "# written by provisioning\nrack=r12\nrow = 4\nsecure_boot=true\n");
        Files.writeString(dir.resolve("20-firmware.facts"), "bmc.firmware=2.14.1\nrack=r14\n");
        Files.writeString(dir.resolve("notes.txt"), "ignored=yes\n");

        Map<String, Fact> facts = new LocalFacts(dir).read();

        assertThat(facts).containsOnlyKeys("local.rack", "local.row", "local.secure_boot", "local.bmc.firmware");
        assertThat(facts.get("local.rack").getText()).isEqualTo("r14");
        assertThat(facts.get("local.row").getInteger()).isEqualTo(4);
        assertThat(facts.get("local.secure_boot").getFlag()).isTrue();
        assertThat(facts.get("local.bmc.firmware").getText()).isEqualTo("2.14.1");
    }

    @Test
    void a_missing_directory_or_a_malformed_key_is_left_out_not_an_error() throws Exception {
        assertThat(new LocalFacts(dir.resolve("absent")).read()).isEmpty();
        assertThat(new LocalFacts(null).read()).isEmpty();
        Files.writeString(dir.resolve("bad.facts"), "Rack=r1\n.dot=x\nok=1\n");
        assertThat(new LocalFacts(dir).read()).containsOnlyKeys("local.ok");
    }

    @Test
    void a_changed_file_is_read_again_and_changes_the_digest() throws Exception {
        Files.writeString(dir.resolve("site.facts"), "rack=r1\n");
        InventoryCollector collector = new InventoryCollector("test-1.0", new LocalFacts(dir));
        String before = collector.refresh().getDigest();
        assertThat(collector.current().getFactsMap().get("local.rack").getText()).isEqualTo("r1");
        Files.writeString(dir.resolve("site.facts"), "rack=r2\n");
        assertThat(collector.refresh().getFactsMap().get("local.rack").getText()).isEqualTo("r2");
        assertThat(collector.current().getDigest()).isNotEqualTo(before);
    }
}
