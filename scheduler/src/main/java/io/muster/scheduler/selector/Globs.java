package io.muster.scheduler.selector;

/**
 * Glob semantics shared by both back ends: {@code *} is any run of characters (also none),
 * {@code ?} exactly one character, everything else literal. Characters are Unicode code points,
 * as PostgreSQL's {@code LIKE} counts them in a UTF-8 database.
 */
final class Globs {

    private Globs() {
    }

    /** Whole-string match, linear in practice (greedy star with one backtrack point), no regex to compile. */
    static boolean matches(String glob, String text) {
        int[] pattern = glob.codePoints().toArray();
        int[] input = text.codePoints().toArray();
        int p = 0;
        int s = 0;
        int star = -1;
        int resumeAt = 0;
        while (s < input.length) {
            if (p < pattern.length && pattern[p] != '*' && (pattern[p] == '?' || pattern[p] == input[s])) {
                p++;
                s++;
            } else if (p < pattern.length && pattern[p] == '*') {
                star = p++;
                resumeAt = s;
            } else if (star >= 0) {
                p = star + 1;
                s = ++resumeAt;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    /** LIKE pattern to be used with {@code ESCAPE '\'}: glob wildcards mapped, LIKE's own escaped. */
    static String toLike(String glob) {
        StringBuilder like = new StringBuilder(glob.length() + 8);
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*':
                    like.append('%');
                    break;
                case '?':
                    like.append('_');
                    break;
                case '%':
                case '_':
                case '\\':
                    like.append('\\').append(c);
                    break;
                default:
                    like.append(c);
            }
        }
        return like.toString();
    }
}
