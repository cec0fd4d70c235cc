package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.security.SecureRandom;

/**
 * A live engine for one test class: a unique name prefix, an imported busybox image, direct
 * engine access for setting up and checking, and clean-up of everything carrying the prefix.
 */
public final class TestEngine implements AutoCloseable {

    public final DockerEngineClient client;
    public final String prefix;
    /** The busybox image, imported through {@code POST /images/create?fromSrc=-}. */
    public final String image;

    private TestEngine(DockerEngineClient client, String prefix) {
        this.client = client;
        this.prefix = prefix;
        this.image = "localhost/" + prefix + "-busybox:1";
    }

    static TestEngine start(DockerEngineClient client) throws Exception {
        byte[] id = new byte[4];
        new SecureRandom().nextBytes(id);
        TestEngine engine = new TestEngine(client, "muster-test-" + HexFormat.of().formatHex(id));
        // Podman 4.3 ignores the separate `tag` parameter of an import (the image ends up as
        // :latest); Docker and Podman both honour a tag written into `repo`.
        client.call(EngineRequest.post("/images/create")
                .withQuery("fromSrc", "-")
                .withQuery("repo", engine.image)
                .withBody("application/x-tar", TestImages.busyboxRootfs()), AbortSignal.NEVER);
        return engine;
    }

    /** A container name unique to this run. */
    public String name(String suffix) {
        return prefix + "-" + suffix;
    }

    public Struct inspect(String container) throws EngineException {
        return client.call(EngineRequest.get("/containers/" + container + "/json"), AbortSignal.NEVER)
                .json().getStructValue();
    }

    public String state(String container) throws EngineException {
        return inspect(container).getFieldsOrThrow("State").getStructValue().getFieldsOrThrow("Status").getStringValue();
    }

    public boolean containerExists(String container) throws EngineException {
        try {
            inspect(container);
            return true;
        } catch (EngineException e) {
            if (e.notFound()) {
                return false;
            }
            throw e;
        }
    }

    public boolean imageExists(String reference) throws EngineException {
        try {
            client.call(EngineRequest.get("/images/" + reference + "/json"), AbortSignal.NEVER);
            return true;
        } catch (EngineException e) {
            if (e.notFound()) {
                return false;
            }
            throw e;
        }
    }

    /** Creates and starts a container directly, without Muster's labels. */
    public String startUnmanaged(String container, String... command) throws EngineException {
        Struct.Builder cmd = Struct.newBuilder();
        com.google.protobuf.ListValue.Builder args = com.google.protobuf.ListValue.newBuilder();
        for (String c : command) {
            args.addValues(Value.newBuilder().setStringValue(c));
        }
        cmd.putFields("Image", Value.newBuilder().setStringValue(image).build());
        cmd.putFields("Cmd", Value.newBuilder().setListValue(args).build());
        String id = client.call(EngineRequest.post("/containers/create").withQuery("name", container)
                .withJson(cmd.build()), AbortSignal.NEVER).json().getStructValue().getFieldsOrThrow("Id").getStringValue();
        client.call(EngineRequest.post("/containers/" + id + "/start"), AbortSignal.NEVER);
        return id;
    }

    public void removeContainer(String container) throws EngineException {
        try {
            client.call(EngineRequest.delete("/containers/" + container).withQuery("force", "true"), AbortSignal.NEVER);
        } catch (EngineException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
    }

    public void removeImage(String reference) throws EngineException {
        try {
            client.call(EngineRequest.delete("/images/" + reference).withQuery("force", "true"), AbortSignal.NEVER);
        } catch (EngineException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
    }

    /** Removes every container and image whose name carries this run's prefix. */
    @Override
    public void close() throws EngineException {
        Value containers = client.call(EngineRequest.get("/containers/json").withQuery("all", "true"), AbortSignal.NEVER).json();
        for (Value c : containers.getListValue().getValuesList()) {
            for (Value n : c.getStructValue().getFieldsOrThrow("Names").getListValue().getValuesList()) {
                if (n.getStringValue().replaceFirst("^/", "").startsWith(prefix)) {
                    removeContainer(c.getStructValue().getFieldsOrThrow("Id").getStringValue());
                }
            }
        }
        Value images = client.call(EngineRequest.get("/images/json"), AbortSignal.NEVER).json();
        List<String> ours = new ArrayList<>();
        for (Value i : images.getListValue().getValuesList()) {
            Value tags = i.getStructValue().getFieldsOrDefault("RepoTags", Value.getDefaultInstance());
            for (Value t : tags.getListValue().getValuesList()) {
                if (t.getStringValue().contains(prefix)) {
                    ours.add(t.getStringValue());
                }
            }
        }
        for (String tag : ours) {
            removeImage(tag);
        }
    }
}
