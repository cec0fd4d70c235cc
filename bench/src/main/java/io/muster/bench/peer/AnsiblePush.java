package io.muster.bench.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ansible's side of the comparison: {@code ansible-playbook} pushing one file with the
 * {@code copy} module to K hosts over SSH. Host i is the loopback address 127.0.0.(i+2), all
 * served by one {@link LoopbackSshd}; each host's destination is
 * {@code <root>/<inventory_hostname>/etc/motd}, so every host writes its own file. Facts are not
 * gathered (Muster's side does not collect anything either) and host keys are not checked
 * (throwaway addresses). Runs on the caller's thread.
 */
final class AnsiblePush {

    static final String DESTINATION = "/etc/motd";
    private static final Duration DEADLINE = Duration.ofMinutes(15);

    /** The wall time of one playbook run and how many hosts got the file right. */
    record Result(int hosts, int forks, double seconds, int verified, int exitCode) {
    }

    private final LoopbackSshd sshd;
    private final Path work;

    AnsiblePush(LoopbackSshd sshd, Path work) {
        this.sshd = sshd;
        this.work = work;
    }

    Result push(int hosts, int forks, Path source) throws IOException, InterruptedException {
        if (hosts > 250) {
            throw new IllegalArgumentException("at most 250 loopback hosts (127.0.0.2-251), asked for " + hosts);
        }
        Path dir = work.resolve("ansible-" + hosts + "-forks-" + forks);
        Path root = dir.resolve("hosts");
        Files.createDirectories(root);
        StringBuilder inventory = new StringBuilder("[peers]\n");
        for (int i = 0; i < hosts; i++) {
            String name = "h" + i;
            Files.createDirectories(root.resolve(name).resolve("etc"));
            inventory.append(name).append(" ansible_host=127.0.0.").append(i + 2).append('\n');
        }
        inventory.append("\n[peers:vars]\nansible_port=").append(sshd.port())
                .append("\nansible_user=root\nansible_ssh_private_key_file=").append(sshd.clientKey())
                .append("\nansible_python_interpreter=/usr/bin/python3\n");
        Files.writeString(dir.resolve("inventory.ini"), inventory, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("ansible.cfg"), String.join("\n",
                "[defaults]",
                "forks = " + forks,
                "host_key_checking = False",
                "retry_files_enabled = False",
                "interpreter_python = /usr/bin/python3",
                "local_tmp = " + dir.resolve("tmp"),
                "[ssh_connection]",
                "ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null",
                "control_path_dir = " + dir.resolve("cp"),
                ""), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("push.yml"), String.join("\n",
                "- hosts: peers",
                "  gather_facts: false",
                "  tasks:",
                "    - name: push one file",
                "      copy:",
                "        src: " + source,
                "        dest: \"" + root + "/{{ inventory_hostname }}" + DESTINATION + "\"",
                "        mode: \"0644\"",
                ""), StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder("ansible-playbook", "-i", dir.resolve("inventory.ini").toString(),
                dir.resolve("push.yml").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("ansible.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("ANSIBLE_CONFIG", dir.resolve("ansible.cfg").toString());
        env.put("ANSIBLE_NOCOLOR", "1");
        long started = System.nanoTime();
        Process ansible = builder.start();
        if (!ansible.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
            ansible.destroyForcibly();
            throw new IOException("ansible-playbook did not finish within " + DEADLINE.toMinutes() + " min; see " + dir.resolve("ansible.log"));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        byte[] expected = Files.readAllBytes(source);
        int verified = 0;
        for (int i = 0; i < hosts; i++) {
            Path file = root.resolve("h" + i).resolve("etc").resolve("motd");
            if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), expected)) {
                verified++;
            }
        }
        return new Result(hosts, forks, seconds, verified, ansible.exitValue());
    }

    static List<Integer> forks() {
        return List.of(5, 50);
    }
}
