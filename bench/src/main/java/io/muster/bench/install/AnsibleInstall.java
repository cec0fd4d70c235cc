package io.muster.bench.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Ansible side of the install scenario: a generated inventory, config and playbook that do
 * what {@code muster install} does on a fresh host, over OpenSSH: copy the .deb, write the
 * enrollment token file (0600, before the package's postinst starts the service, as
 * {@code muster install} does), {@code dpkg -i}, make sure the service is enabled and running,
 * remove the uploaded package. No fact gathering; host keys are checked against the same
 * known_hosts file {@code muster install} gets; forks = K, as {@code --parallel K}.
 */
final class AnsibleInstall {

    private AnsibleInstall() {
    }

    /** The {@code ansible-playbook} command, its files written under {@code dir}. */
    static ProcessBuilder command(Path dir, List<ContainerHosts.Host> hosts, Path key, Path knownHosts, Path deb, Path tokenFile,
                                  int forks) throws IOException {
        StringBuilder inventory = new StringBuilder("[targets]\n");
        for (int i = 0; i < hosts.size(); i++) {
            inventory.append("h").append(i).append(" ansible_host=").append(hosts.get(i).address()).append('\n');
        }
        inventory.append("\n[targets:vars]\nansible_user=root\nansible_ssh_private_key_file=").append(key)
                .append("\nansible_python_interpreter=/usr/bin/python3\n");
        Path inventoryFile = Files.writeString(dir.resolve("inventory.ini"), inventory, StandardCharsets.UTF_8);
        Path config = Files.writeString(dir.resolve("ansible.cfg"), String.join("\n",
                "[defaults]",
                "forks = " + forks,
                "host_key_checking = True",
                "retry_files_enabled = False",
                "interpreter_python = /usr/bin/python3",
                "local_tmp = " + dir.resolve("tmp"),
                "[ssh_connection]",
                "ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=" + knownHosts
                        + " -o StrictHostKeyChecking=yes",
                "control_path_dir = " + dir.resolve("cp"),
                ""), StandardCharsets.UTF_8);
        Path playbook = Files.writeString(dir.resolve("install.yml"), String.join("\n",
                "- hosts: targets",
                "  gather_facts: false",
                "  tasks:",
                "    - name: copy the agent package",
                "      copy: { src: \"" + deb + "\", dest: /var/tmp/muster-agent.deb, mode: \"0600\" }",
                "    - name: config directory",
                "      file: { path: /etc/muster, state: directory, mode: \"0755\" }",
                "    - name: enrollment token (from a file, never on a command line)",
                "      copy: { src: \"" + tokenFile + "\", dest: /etc/muster/enroll.token, mode: \"0600\" }",
                "    - name: install the package",
                "      command: dpkg -i --force-confnew /var/tmp/muster-agent.deb",
                "    - name: start the service",
                "      systemd: { name: muster-agent, state: started, enabled: true }",
                "    - name: remove the uploaded package",
                "      file: { path: /var/tmp/muster-agent.deb, state: absent }",
                ""), StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder("ansible-playbook", "-i", inventoryFile.toString(), playbook.toString())
                .directory(dir.toFile());
        builder.environment().put("ANSIBLE_CONFIG", config.toString());
        builder.environment().put("ANSIBLE_NOCOLOR", "1");
        return builder;
    }
}
