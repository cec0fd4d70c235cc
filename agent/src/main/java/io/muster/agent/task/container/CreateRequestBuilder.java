package io.muster.agent.task.container;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;

/** Turns a {@link ContainerSpec.Run} into the body of {@code POST /containers/create}. */
final class CreateRequestBuilder {

    private CreateRequestBuilder() {
    }

    static Struct body(ContainerSpec.Run run, String taskId) {
        Struct.Builder labels = Struct.newBuilder();
        run.labels().forEach((k, v) -> labels.putFields(k, string(v)));
        labels.putFields(ContainerLabels.MANAGED, string("true"));
        labels.putFields(ContainerLabels.TASK, string(taskId));
        labels.putFields(ContainerLabels.SERVICE, string(run.service()));

        Struct.Builder host = Struct.newBuilder();
        Struct.Builder exposed = Struct.newBuilder();
        Struct.Builder bindings = Struct.newBuilder();
        for (PortMapping port : run.ports()) {
            exposed.putFields(port.key(), Value.newBuilder().setStructValue(Struct.getDefaultInstance()).build());
            if (port.published()) {
                Struct binding = Struct.newBuilder()
                        .putFields("HostIp", string(port.hostIp()))
                        .putFields("HostPort", string(Integer.toString(port.hostPort())))
                        .build();
                ListValue.Builder list = bindings.getFieldsOrDefault(port.key(),
                        Value.newBuilder().setListValue(ListValue.getDefaultInstance()).build()).getListValue().toBuilder();
                list.addValues(Value.newBuilder().setStructValue(binding));
                bindings.putFields(port.key(), Value.newBuilder().setListValue(list).build());
            }
        }
        if (bindings.getFieldsCount() > 0) {
            host.putFields("PortBindings", struct(bindings.build()));
        }
        if (!run.mounts().isEmpty()) {
            host.putFields("Binds", strings(run.mounts()));
        }
        if (run.cpus() != null) {
            host.putFields("NanoCpus", number(Math.round(run.cpus() * 1_000_000_000d)));
        }
        if (run.memoryBytes() != null) {
            host.putFields("Memory", number(run.memoryBytes()));
        }
        if (run.restart() != null) {
            host.putFields("RestartPolicy", struct(Struct.newBuilder().putFields("Name", string(run.restart())).build()));
        }

        Struct.Builder body = Struct.newBuilder()
                .putFields("Image", string(run.image()))
                .putFields("Labels", struct(labels.build()))
                .putFields("Tty", Value.newBuilder().setBoolValue(false).build())
                .putFields("HostConfig", struct(host.build()));
        if (!run.command().isEmpty()) {
            body.putFields("Cmd", strings(run.command()));
        }
        if (!run.env().isEmpty()) {
            body.putFields("Env", strings(run.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        if (exposed.getFieldsCount() > 0) {
            body.putFields("ExposedPorts", struct(exposed.build()));
        }
        return body.build();
    }

    static Value string(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    static Value number(double d) {
        return Value.newBuilder().setNumberValue(d).build();
    }

    static Value struct(Struct s) {
        return Value.newBuilder().setStructValue(s).build();
    }

    static Value strings(List<String> items) {
        ListValue.Builder list = ListValue.newBuilder();
        items.forEach(i -> list.addValues(string(i)));
        return Value.newBuilder().setListValue(list).build();
    }
}
