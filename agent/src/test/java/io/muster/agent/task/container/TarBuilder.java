package io.muster.agent.task.container;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes a ustar archive in memory: enough for image layers and docker-archive tarballs. */
final class TarBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TarBuilder directory(String name) {
        header(name.endsWith("/") ? name : name + "/", 0755, 0, '5', "");
        return this;
    }

    TarBuilder file(String name, int mode, byte[] content) {
        header(name, mode, content.length, '0', "");
        out.writeBytes(content);
        pad(content.length);
        return this;
    }

    TarBuilder symlink(String name, String target) {
        header(name, 0777, 0, '2', target);
        return this;
    }

    byte[] build() {
        out.writeBytes(new byte[1024]); // two zero blocks end the archive
        return out.toByteArray();
    }

    private void header(String name, int mode, long size, char type, String link) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        put(h, 100, 8, octal(mode, 7));
        put(h, 108, 8, octal(0, 7));
        put(h, 116, 8, octal(0, 7));
        put(h, 124, 12, octal(size, 11));
        put(h, 136, 12, octal(1_700_000_000L, 11));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 265, 32, "root");
        put(h, 297, 32, "root");
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, octal(sum, 6) + "\0 ");
        out.writeBytes(h);
    }

    private void pad(long size) {
        int rest = (int) (size % 512);
        if (rest != 0) {
            out.writeBytes(new byte[512 - rest]);
        }
    }

    private static String octal(long value, int digits) {
        String s = Long.toOctalString(value);
        return "0".repeat(Math.max(0, digits - s.length())) + s;
    }

    private static void put(byte[] h, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > length) {
            throw new IllegalArgumentException("tar field too long: " + value);
        }
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }
}
