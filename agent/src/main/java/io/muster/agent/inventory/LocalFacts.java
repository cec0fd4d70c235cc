package io.muster.agent.inventory;

import io.muster.proto.v1.Fact;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Facts the host's own tooling declares: every {@code *.facts} file in a directory
 * ({@code <data-dir>/facts.d/}) holds {@code key=value} lines (java.util.Properties syntax), and
 * each becomes the fact {@code local.<key>}: a whole number as an integer, {@code true}/{@code false}
 * as a flag, anything else as text. They are read with the rest of the inventory, so a change
 * (a rack move written by provisioning, a firmware version written by an update) reaches the
 * controller with the next inventory refresh and lands in the inventory history like any other
 * fact. The prefix keeps them from shadowing what the agent reads from the host.
 *
 * <p>A missing directory means no local facts; an unreadable file or a malformed key is logged
 * and left out, never fails the inventory. Files are read in name order; a key set by two files
 * takes the later one's value. Stateless and thread-safe.
 */
public final class LocalFacts {

    private static final Logger LOG = LoggerFactory.getLogger(LocalFacts.class);
    /** The same shape as the agent's own fact names (selectors parse these). */
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
    public static final String PREFIX = "local.";

    private final Path directory;

    /** @param directory where the {@code *.facts} files are; null reads none */
    public LocalFacts(Path directory) {
        this.directory = directory;
    }

    /** The facts declared now, by full name ({@code local.<key>}); empty when there are none. */
    public Map<String, Fact> read() {
        Map<String, Fact> facts = new TreeMap<>();
        if (directory == null) {
            return facts;
        }
        Map<String, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, "*.facts")) {
            listing.forEach(file -> files.put(file.getFileName().toString(), file));
        } catch (NoSuchFileException absent) {
            return facts;
        } catch (IOException e) {
            LOG.warn("cannot list local facts in {}: {}", directory, e.toString());
            return facts;
        }
        for (Path file : files.values()) {
            Properties lines = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                lines.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("local facts file {} left out: {}", file, e.toString());
                continue;
            }
            for (String key : lines.stringPropertyNames()) {
                if (!KEY.matcher(key).matches()) {
                    LOG.warn("local fact '{}' in {} left out: a key is lower-case words separated by dots", key, file);
                    continue;
                }
                facts.put(PREFIX + key, value(lines.getProperty(key).strip()));
            }
        }
        return facts;
    }

    private static Fact value(String text) {
        if (INTEGER.matcher(text).matches()) {
            return Facts.integer(Long.parseLong(text));
        }
        if (text.equals("true") || text.equals("false")) {
            return Facts.flag(Boolean.parseBoolean(text));
        }
        return Facts.text(text);
    }
}
