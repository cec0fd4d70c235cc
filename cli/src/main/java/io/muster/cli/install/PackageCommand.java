package io.muster.cli.install;

import io.muster.cli.address.HostPortConverter;
import io.muster.installer.packaging.AgentPackageSpec;
import io.muster.installer.packaging.AgentPackager;
import io.muster.installer.packaging.PackageFormat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muster package}: an installable agent package (deb, rpm or tar) for this distribution. */
@Command(name = "package", mixinStandardHelpOptions = true,
        description = "Build an agent package (deb, rpm or tar.gz): the agent, a hardened systemd unit, "
                + "/etc/muster/agent.conf, the CA certificate and optionally an enrollment token.")
public final class PackageCommand implements Callable<Integer> {

    @Option(names = "--controller", required = true, split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = HostPortConverter.class, description = "Controller gRPC addresses the agent connects to.")
    List<String> controllers;

    @Option(names = "--enroll-controller", split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = HostPortConverter.class, description = "The controllers' enrollment ports, as the hosts reach them "
                    + "(default: the host of each --controller with port 7071, the controller's default --enroll-port).")
    List<String> enrollControllers;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "deb",
            description = "deb, rpm or tar (default: ${DEFAULT-VALUE}).")
    PackageFormat format;

    @Option(names = "--enroll-token-file", paramLabel = "FILE",
            description = "Put this enrollment token into the package (/etc/muster/enroll.token, 0600; the agent deletes it "
                    + "after enrolling). The package then holds a secret: keep it like one.")
    Path enrollTokenFile;

    @Option(names = "--ca-cert", paramLabel = "FILE",
            description = "The cluster CA (GET /api/v1/ca.pem), installed as /etc/muster/ca.pem and pinned at enrollment.")
    Path caCert;

    @Option(names = {"-d", "--output-dir"}, paramLabel = "DIR", defaultValue = ".",
            description = "Where to write the package (default: the current directory).")
    Path outputDir;

    @Mixin
    DistributionOption distribution;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (Path file : new Path[] {enrollTokenFile, caCert}) {
            if (file != null && !Files.isRegularFile(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), file + " is not a readable file");
            }
        }
        AgentPackageSpec packageSpec = new AgentPackageSpec(controllers, distribution.distribution(spec.commandLine()), caCert,
                enrollTokenFile, enrollControllers);
        AgentPackager.Built built = AgentPackager.build(packageSpec, format, outputDir);
        PrintWriter out = spec.commandLine().getOut();
        out.println(built.file());
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("muster package: " + format.label() + " " + built.version() + " (package id " + built.packageId() + ", "
                + Files.size(built.file()) / (1024 * 1024) + " MiB)" + (enrollTokenFile != null ? "; it holds an enrollment token" : ""));
        err.flush();
        return 0;
    }
}
