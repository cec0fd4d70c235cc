package io.muster.agent.task.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Mode, owner and group of a path as a resource wants them ({@code null} = leave as is), and the
 * comparison and repair of an existing path against them.
 */
record PosixAttributes(String mode, String owner, String group) {

    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    static final PosixAttributes NONE = new PosixAttributes(null, null, null);

    /** Canonical four-digit mode ({@code 644} becomes {@code 0644}); only permission bits are supported. */
    static String normalizeMode(String mode) {
        if (mode == null) {
            return null;
        }
        if (!mode.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("mode '" + mode
                    + "' is not an octal permission mode like 0644 (setuid, setgid and sticky bits are not supported)");
        }
        return mode.length() == 3 ? "0" + mode : mode;
    }

    static Set<PosixFilePermission> permissions(String mode) {
        int bits = Integer.parseInt(mode, 8);
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((bits & (1 << i)) != 0) {
                permissions.add(BITS[i]);
            }
        }
        return permissions;
    }

    static String mode(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (int i = 0; i < BITS.length; i++) {
            if (permissions.contains(BITS[i])) {
                bits |= 1 << i;
            }
        }
        return String.format("%04o", bits);
    }

    static PosixFileAttributes read(Path path) throws IOException {
        return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** Differences of an existing path from what is wanted, e.g. {@code mode 0600 (want 0644)}. */
    List<String> differences(PosixFileAttributes actual) {
        List<String> differences = new ArrayList<>();
        String actualMode = mode(actual.permissions());
        if (mode != null && !mode.equals(actualMode)) {
            differences.add("mode " + actualMode + " (want " + mode + ")");
        }
        if (owner != null && !owner.equals(actual.owner().getName())) {
            differences.add("owner " + actual.owner().getName() + " (want " + owner + ")");
        }
        if (group != null && !group.equals(actual.group().getName())) {
            differences.add("group " + actual.group().getName() + " (want " + group + ")");
        }
        return differences;
    }

    /** Sets what is wanted and differs; the rest of the path's attributes stays. */
    void applyTo(Path path) throws ConfigException {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributes actual = view.readAttributes();
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            if (owner != null && !owner.equals(actual.owner().getName())) {
                view.setOwner(lookupUser(users, owner));
            }
            if (group != null && !group.equals(actual.group().getName())) {
                view.setGroup(lookupGroup(users, group));
            }
            // After chown: the kernel clears setuid-like bits on chown, so the mode goes last.
            if (mode != null && !mode.equals(mode(actual.permissions()))) {
                view.setPermissions(permissions(mode));
            }
        } catch (IOException e) {
            throw new ConfigException("cannot set mode/owner/group of " + path + ": " + describe(e), e);
        }
    }

    /** Copies mode, owner and group from one path to another (a replacement keeps its original's). */
    static void copy(PosixFileAttributes from, Path to) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes current = view.readAttributes();
        if (!current.owner().equals(from.owner())) {
            view.setOwner(from.owner());
        }
        if (!current.group().equals(from.group())) {
            view.setGroup(from.group());
        }
        view.setPermissions(from.permissions());
    }

    private static UserPrincipal lookupUser(UserPrincipalLookupService users, String name) throws ConfigException, IOException {
        try {
            return users.lookupPrincipalByName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw new ConfigException("no such user: " + name, e);
        }
    }

    private static GroupPrincipal lookupGroup(UserPrincipalLookupService users, String name) throws ConfigException, IOException {
        try {
            return users.lookupPrincipalByGroupName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw new ConfigException("no such group: " + name, e);
        }
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return message == null ? kind : kind + ": " + message;
    }
}
