package io.muster.agent.task.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnifiedDiffTest {

    @Test
    void of_equalTexts_isEmpty() {
        assertThat(UnifiedDiff.of("/f", "a\nb\n", "a\nb\n")).isEmpty();
    }

    @Test
    void of_newFile_isAllAdditionsFromDevNull() {
        assertThat(UnifiedDiff.of("/etc/motd", null, "hello\nworld\n"))
                .isEqualTo("--- /dev/null\n+++ /etc/motd\n@@ -0,0 +1,2 @@\n+hello\n+world\n");
    }

    @Test
    void of_changedLine_showsThreeLinesOfContext() {
        StringBuilder before = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            before.append("line ").append(i).append('\n');
        }
        String after = before.toString().replace("line 10\n", "line ten\n");

        assertThat(UnifiedDiff.of("/f", before.toString(), after)).isEqualTo("--- /f\n+++ /f\n@@ -7,7 +7,7 @@\n"
                + " line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n line 13\n");
    }

    @Test
    void of_missingFinalNewline_isMarked() {
        assertThat(UnifiedDiff.of("/f", "a\n", "a"))
                .isEqualTo("--- /f\n+++ /f\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n");
    }

    /** The diff is what GNU patch needs to turn the old text into the new one, on random edits (seeded). */
    @Test
    void of_randomEdits_applyWithPatch(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/patch")), "GNU patch is not installed");
        long seed = Long.getLong("muster.seed", System.nanoTime());
        System.out.println("UnifiedDiffTest seed=" + seed + " (replay with -Dmuster.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int round = 0; round < 40; round++) {
            String before = text(random);
            String after = edit(random, before);
            String diff = UnifiedDiff.of("f", before, after);
            Path file = dir.resolve("f");
            Files.writeString(file, before, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("f.diff"), diff, StandardCharsets.UTF_8);

            Process patch = new ProcessBuilder("/usr/bin/patch", "-s", "-p0", "-i", "f.diff")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(patch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(patch.waitFor()).as("patch output %s for diff (seed %d)%n%s", output, seed, diff).isZero();
            assertThat(Files.readString(file)).as("patched text (seed %d)", seed).isEqualTo(after);
        }
    }

    private static String text(Random random) {
        StringBuilder text = new StringBuilder();
        int lines = random.nextInt(40);
        for (int i = 0; i < lines; i++) {
            text.append(List.of("a", "b", "c", "key = value", "", "}").get(random.nextInt(6))).append('\n');
        }
        return text.toString();
    }

    private static String edit(Random random, String text) throws IOException {
        StringBuilder edited = new StringBuilder();
        for (String line : text.split("(?<=\n)")) {
            int roll = random.nextInt(10);
            if (roll == 0) {
                continue;
            }
            if (roll == 1) {
                edited.append("inserted ").append(random.nextInt(5)).append('\n');
            }
            edited.append(roll == 2 ? "changed\n" : line);
        }
        if (random.nextInt(4) == 0) {
            edited.append("tail");
        }
        return edited.toString();
    }
}
