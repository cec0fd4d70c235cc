package io.muster.scheduler.selector;

import java.util.regex.Pattern;

/** The shape of a selector key: labels and fact names such as {@code cpu.cores} or {@code team/owner}. */
final class Keys {

    static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-/]+");

    private Keys() {
    }

    static boolean isKeyChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '_' || c == '.' || c == '-' || c == '/';
    }

    static String requireValid(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid selector key: " + key);
        }
        return key;
    }
}
