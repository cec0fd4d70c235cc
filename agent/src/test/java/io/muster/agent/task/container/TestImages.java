package io.muster.agent.task.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Image tarballs built from the host's static busybox, so no registry is ever needed. */
public final class TestImages {

    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "sleep", "echo", "cat", "ls", "env", "true", "false");

    private TestImages() {
    }

    /** A root filesystem tarball: /bin/busybox, its applet links, /tmp. */
    public static byte[] busyboxRootfs() throws IOException {
        TarBuilder tar = new TarBuilder().directory("bin").directory("tmp")
                .file("bin/busybox", 0755, Files.readAllBytes(BUSYBOX));
        APPLETS.forEach(applet -> tar.symlink("bin/" + applet, "busybox"));
        return tar.build();
    }

    /** A {@code docker save} style archive holding one image tagged {@code repoTag}. */
    public static byte[] dockerArchive(String repoTag, byte[] layer) {
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"],"
                + "\"Env\":[\"PATH=/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + sha256(layer) + "\"]}}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        String configName = sha256(configBytes) + ".json";
        String manifest = "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + repoTag + "\"],\"Layers\":[\"layer.tar\"]}]";
        return new TarBuilder()
                .file("manifest.json", 0644, manifest.getBytes(StandardCharsets.UTF_8))
                .file(configName, 0644, configBytes)
                .file("layer.tar", 0644, layer)
                .build();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
